#pragma once

// A Redis reply as plain data, copied out of the protocol library so that callers never touch
// its memory: what `node_client`, `cluster_client` and the executor's connection return.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::redis {

/// A reply as the server sent it; error replies are replies, not exceptions.
struct reply {
  enum class kind : std::uint8_t { status, error, integer, string, nil, array };
  kind type = kind::nil;
  std::string str;  ///< status, error and string replies
  long long integer = 0;
  std::vector<reply> elements;

  [[nodiscard]] bool is_error() const noexcept { return type == kind::error; }
  [[nodiscard]] bool is_ok() const noexcept { return type == kind::status && str == "OK"; }
  /// The error's first word (`MOVED`, `TRYAGAIN`, `NOAUTH`...); empty for other replies.
  [[nodiscard]] std::string_view error_code() const noexcept {
    if (type != kind::error) return {};
    return std::string_view{str}.substr(0, str.find(' '));
  }
};

}  // namespace rcplan::redis
