#pragma once

// A small RESP value tree and a parser for raw protocol bytes, enough to read replies such as
// `CLUSTER SHARDS` that bindings captured verbatim. RESP2 types plus the RESP3 map and null,
// because `CLUSTER SHARDS` answers with maps under RESP3.

#include <rcplan/error.hpp>
#include <rcplan/parse/detail/text.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

struct resp_value {
  enum class kind : std::uint8_t { simple_string, error, integer, bulk_string, null, array, map };
  kind type = kind::null;
  std::string str;                  ///< simple_string, error, bulk_string
  std::int64_t integer = 0;         ///< integer
  std::vector<resp_value> elements; ///< array; map as key, value, key, value, ...

  [[nodiscard]] bool is_string() const noexcept {
    return type == kind::simple_string || type == kind::bulk_string;
  }

  friend bool operator==(const resp_value&, const resp_value&) = default;
};

[[nodiscard]] inline std::string_view to_string(resp_value::kind k) noexcept {
  switch (k) {
    case resp_value::kind::simple_string: return "simple string";
    case resp_value::kind::error: return "error";
    case resp_value::kind::integer: return "integer";
    case resp_value::kind::bulk_string: return "bulk string";
    case resp_value::kind::null: return "null";
    case resp_value::kind::array: return "array";
    case resp_value::kind::map: return "map";
  }
  return "unknown";
}

namespace parse_detail {

inline constexpr const char* resp_error_id = "rcplan.parse.resp";

/// Reads one value at a time; reports "not enough bytes yet" as nullopt so that a reader
/// on a socket can wait for more, and garbled bytes as parse_error (line = protocol line).
class resp_reader {
 public:
  resp_reader(std::string_view bytes, const char* error_id) : bytes_(bytes), id_(error_id) {}

  [[nodiscard]] std::optional<resp_value> next(std::size_t depth = 0) {
    if (depth > 64) fail("nesting deeper than 64 levels");
    const auto header = read_line();
    if (!header) return std::nullopt;
    const std::string_view h = *header;
    if (h.empty()) fail("expected a type byte (+ - : $ * % _), got an empty line");
    const char type = h.front();
    const std::string_view rest = h.substr(1);
    resp_value v;
    switch (type) {
      case '+': v.type = resp_value::kind::simple_string; v.str = std::string{rest}; return v;
      case '-': v.type = resp_value::kind::error; v.str = std::string{rest}; return v;
      case ':': {
        const auto n = parse_signed(rest);
        if (!n) fail("expected an integer after ':', got " + quote(rest));
        v.type = resp_value::kind::integer;
        v.integer = *n;
        return v;
      }
      case '_':
        if (!rest.empty()) fail("expected nothing after '_', got " + quote(rest));
        return v;
      case '$': {
        const auto n = length(rest, "$");
        if (n < 0) return v;
        const auto len = static_cast<std::size_t>(n);
        if (bytes_.size() - pos_ < len + 2) return std::nullopt;
        v.type = resp_value::kind::bulk_string;
        v.str = std::string{bytes_.substr(pos_, len)};
        if (bytes_.substr(pos_ + len, 2) != "\r\n")
          fail("bulk string of length " + std::to_string(len) + " not followed by CRLF, got " +
               quote(bytes_.substr(pos_ + len, 2)));
        for (std::size_t i = pos_; i < pos_ + len + 2; ++i) line_ += bytes_[i] == '\n';
        pos_ += len + 2;
        return v;
      }
      case '*':
      case '%': {
        const auto n = length(rest, type == '*' ? "*" : "%");
        if (n < 0) return v;
        v.type = type == '*' ? resp_value::kind::array : resp_value::kind::map;
        const auto count = static_cast<std::size_t>(n) * (type == '%' ? 2 : 1);
        for (std::size_t i = 0; i < count; ++i) {
          auto e = next(depth + 1);
          if (!e) return std::nullopt;
          v.elements.push_back(std::move(*e));
        }
        return v;
      }
      default:
        fail("expected a type byte (+ - : $ * % _), got " + quote(h.substr(0, 1)));
    }
  }

  [[nodiscard]] std::size_t consumed() const noexcept { return pos_; }
  [[noreturn]] void fail(const std::string& message) const { throw parse_error(id_, line_, message); }

 private:
  std::optional<std::string_view> read_line() {
    const std::size_t end = bytes_.find("\r\n", pos_);
    if (end == std::string_view::npos) {
      // A lone LF can never become CRLF later: the input is garbled, not incomplete.
      if (bytes_.find('\n', pos_) != std::string_view::npos) {
        ++line_;
        fail("expected a CRLF line end, got a bare LF");
      }
      return std::nullopt;
    }
    const std::string_view line = bytes_.substr(pos_, end - pos_);
    ++line_;
    if (line.find('\n') != std::string_view::npos) fail("expected a CRLF line end, got a bare LF");
    pos_ = end + 2;
    return line;
  }

  std::int64_t length(std::string_view s, std::string_view type) const {
    if (s == "-1") return -1;
    const auto n = parse_unsigned(s, 512ULL * 1024 * 1024);
    if (!n) fail("expected a length (or -1) after '" + std::string{type} + "', got " + quote(s));
    return static_cast<std::int64_t>(*n);
  }

  std::string_view bytes_;
  const char* id_;
  std::size_t pos_ = 0;
  std::size_t line_ = 0;
};

}  // namespace parse_detail

/// One complete value at the start of `bytes` and how many bytes it took, or nullopt when the
/// bytes end before the value does. Throws parse_error (id `rcplan.parse.resp`) when the bytes
/// can never form a value.
[[nodiscard]] inline std::optional<std::pair<resp_value, std::size_t>> parse_resp_prefix(std::string_view bytes) {
  parse_detail::resp_reader r{bytes, parse_detail::resp_error_id};
  auto v = r.next();
  if (!v) return std::nullopt;
  return std::pair<resp_value, std::size_t>{std::move(*v), r.consumed()};
}

namespace parse_detail {

[[nodiscard]] inline resp_value parse_whole_resp(std::string_view bytes, const char* error_id) {
  resp_reader r{bytes, error_id};
  auto v = r.next();
  if (!v) throw parse_error(error_id, 0, "the reply ends early (" + std::to_string(bytes.size()) + " bytes)");
  if (r.consumed() != bytes.size())
    throw parse_error(error_id, 0,
                      "expected one value, got " + std::to_string(bytes.size() - r.consumed()) +
                          " more bytes after it: " + quote(bytes.substr(r.consumed()), 40));
  return std::move(*v);
}

}  // namespace parse_detail

/// Exactly one value: incomplete input or trailing bytes throw parse_error (id `rcplan.parse.resp`).
[[nodiscard]] inline resp_value parse_resp(std::string_view bytes) {
  return parse_detail::parse_whole_resp(bytes, parse_detail::resp_error_id);
}

}  // namespace rcplan
