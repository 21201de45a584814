#pragma once

// The suffix table behind parse_quantity(): Kubernetes' decimal (k, M, G …) and binary
// (Ki, Mi, Gi …) quantity suffixes.

#include <cmath>
#include <compare>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rcplan::spec_detail {

[[nodiscard]] constexpr bool quantity_digit(char c) noexcept { return c >= '0' && c <= '9'; }

struct quantity_suffix {
  int decimal_exponent = 0;
  int binary_exponent = 0;
};

[[nodiscard]] inline std::optional<quantity_suffix> parse_quantity_suffix(std::string_view s) {
  if (s.empty()) return quantity_suffix{};
  if (s.size() == 2 && s[1] == 'i') {
    switch (s[0]) {
      case 'K': return quantity_suffix{0, 10};
      case 'M': return quantity_suffix{0, 20};
      case 'G': return quantity_suffix{0, 30};
      case 'T': return quantity_suffix{0, 40};
      case 'P': return quantity_suffix{0, 50};
      case 'E': return quantity_suffix{0, 60};
      default: return std::nullopt;
    }
  }
  if (s.size() == 1) {
    switch (s[0]) {
      case 'n': return quantity_suffix{-9, 0};
      case 'u': return quantity_suffix{-6, 0};
      case 'm': return quantity_suffix{-3, 0};
      case 'k': return quantity_suffix{3, 0};
      case 'M': return quantity_suffix{6, 0};
      case 'G': return quantity_suffix{9, 0};
      case 'T': return quantity_suffix{12, 0};
      case 'P': return quantity_suffix{15, 0};
      case 'E': return quantity_suffix{18, 0};
      default: return std::nullopt;
    }
  }
  // "1E" is exa, but "1E3" is an exponent; only an exponent has digits after the letter.
  if (s[0] == 'e' || s[0] == 'E') {
    std::size_t i = 1;
    bool negative = false;
    if (s[i] == '+' || s[i] == '-') negative = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    int e = 0;
    for (; i < s.size(); ++i) {
      if (!quantity_digit(s[i])) return std::nullopt;
      e = e * 10 + (s[i] - '0');
      if (e > 9999) return std::nullopt;  // far beyond any finite long double anyway
    }
    return quantity_suffix{negative ? -e : e, 0};
  }
  return std::nullopt;
}

}  // namespace rcplan::spec_detail
