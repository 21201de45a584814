#pragma once

// Kubernetes resource quantities ("10Gi", "500m", "1e3", "1.5"): enough of
// k8s.io/apimachinery's grammar to check that a value parses and to compare two values.
//
//   quantity        ::= signed-number suffix
//   suffix          ::= binary-si | decimal-si | decimal-exponent
//   binary-si       ::= Ki | Mi | Gi | Ti | Pi | Ei
//   decimal-si      ::= n | u | m | "" | k | M | G | T | P | E
//   decimal-exponent::= (e | E) signed-number-without-fraction
//   signed-number   ::= [+|-] (digits | digits. | digits.digits | .digits)
//
// The amount is held as a long double: exact for every integer below 2^64 and for every
// power-of-two suffix, and close enough elsewhere to order requests against limits.

#include <cmath>
#include <compare>
#include <cstddef>
#include <optional>
#include <string_view>

namespace rcplan {

struct quantity {
  long double amount = 0;  ///< in base units: bytes for memory, cores for cpu

  friend bool operator==(const quantity&, const quantity&) = default;
  friend auto operator<=>(const quantity&, const quantity&) = default;
};

namespace detail {

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

}  // namespace detail

/// Parses a Kubernetes quantity; nullopt when `text` does not follow the grammar above or
/// its value is not finite.
[[nodiscard]] inline std::optional<quantity> parse_quantity(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  long double mantissa = 0;
  int fraction_digits = 0;
  std::size_t digits = 0;
  for (; i < text.size() && detail::quantity_digit(text[i]); ++i, ++digits)
    mantissa = mantissa * 10 + static_cast<long double>(text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && detail::quantity_digit(text[i]); ++i, ++digits, ++fraction_digits)
      mantissa = mantissa * 10 + static_cast<long double>(text[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  const auto suffix = detail::parse_quantity_suffix(text.substr(i));
  if (!suffix) return std::nullopt;
  const int e10 = suffix->decimal_exponent - fraction_digits;
  // Dividing by an exact power of ten rounds once, where multiplying by an inexact 10^-n
  // would round twice; this keeps "100m" equal to "0.1".
  long double amount = e10 >= 0 ? mantissa * std::pow(10.0L, static_cast<long double>(e10))
                                : mantissa / std::pow(10.0L, static_cast<long double>(-e10));
  amount = std::ldexp(amount, suffix->binary_exponent);
  if (!std::isfinite(amount)) return std::nullopt;
  return quantity{negative ? -amount : amount};
}

}  // namespace rcplan
