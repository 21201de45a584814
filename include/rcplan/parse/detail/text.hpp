#pragma once

// Text helpers shared by the parsers: line splitting, strict number parsing and quoting of
// offending input in error messages.

#include <rcplan/error.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::parse_detail {

/// One physical line of input, without its terminator and trailing blanks.
struct text_line {
  std::size_t number = 0;  ///< 1-based
  std::string_view text;
};

[[nodiscard]] constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }

[[nodiscard]] inline std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Splits at '\n'; CR and trailing blanks are dropped so CRLF and LF input read the same.
/// Blank lines are kept (with empty text) so that line numbers match what the user sees.
[[nodiscard]] inline std::vector<text_line> split_lines(std::string_view text) {
  std::vector<text_line> out;
  std::size_t number = 0;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    ++number;
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    out.push_back({number, line});
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

/// Splits at runs of spaces or tabs; never yields empty fields.
[[nodiscard]] inline std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const std::size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

/// Splits at every `sep`, keeping empty pieces.
[[nodiscard]] inline std::vector<std::string_view> split_on(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

/// Offending input for an error message: printable (error.hpp) and in quotes.
[[nodiscard]] inline std::string quote(std::string_view s, std::size_t max = 80) {
  std::string out = "\"";
  out += rcplan::detail::escape_bytes(s.substr(0, max), max, true);
  out += s.size() > max ? "\"..." : "\"";
  return out;
}

/// Digits only (no sign, no blanks), at most `max`.
[[nodiscard]] inline std::optional<std::uint64_t> parse_unsigned(
    std::string_view s, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) noexcept {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const auto d = static_cast<std::uint64_t>(c - '0');
    if (v > (max - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

/// An optional '-' followed by digits.
[[nodiscard]] inline std::optional<std::int64_t> parse_signed(std::string_view s) noexcept {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const auto magnitude = parse_unsigned(s, negative ? max + 1 : max);
  if (!magnitude) return std::nullopt;
  if (negative) return *magnitude == max + 1 ? std::numeric_limits<std::int64_t>::min()
                                             : -static_cast<std::int64_t>(*magnitude);
  return static_cast<std::int64_t>(*magnitude);
}

[[nodiscard]] inline bool is_node_id(std::string_view s) noexcept {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace rcplan::parse_detail
