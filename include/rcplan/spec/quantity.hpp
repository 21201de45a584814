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

#include <rcplan/spec/detail/quantity.hpp>
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

/// Parses a Kubernetes quantity; nullopt when `text` does not follow the grammar above or
/// its value is not finite.
[[nodiscard]] inline std::optional<quantity> parse_quantity(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  long double mantissa = 0;
  int fraction_digits = 0;
  std::size_t digits = 0;
  for (; i < text.size() && spec_detail::quantity_digit(text[i]); ++i, ++digits)
    mantissa = mantissa * 10 + static_cast<long double>(text[i] - '0');
  if (i < text.size() && text[i] == '.') {
    for (++i; i < text.size() && spec_detail::quantity_digit(text[i]); ++i, ++digits, ++fraction_digits)
      mantissa = mantissa * 10 + static_cast<long double>(text[i] - '0');
  }
  if (digits == 0) return std::nullopt;
  const auto suffix = spec_detail::parse_quantity_suffix(text.substr(i));
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
