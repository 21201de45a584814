#pragma once

// The cluster password as the bindings hold it: read from a file or an environment variable,
// handed to the connection layer, and never printed. `secret` has no stream operator and no
// accessor that returns a copy by accident; only the connection code asks for the value.

#include <filesystem>
#include <string>
#include <string_view>

namespace rcplan::redis {

class secret {
 public:
  secret() = default;
  explicit secret(std::string value) : value_(std::move(value)) {}

  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
  /// The password itself: only for AUTH, MIGRATE ... AUTH and CONFIG SET of a secret.
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }

 private:
  std::string value_;
};

/// The password in `path` (its first line, without the line end). Throws rcplan::error
/// (`rcplan.redis.password_file`) naming the path, never the content, when it cannot be read.
[[nodiscard]] secret read_password_file(const std::filesystem::path& path);

/// The password in environment variable `name`; empty when unset.
[[nodiscard]] secret password_from_env(std::string_view name);

}  // namespace rcplan::redis
