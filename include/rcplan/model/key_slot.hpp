#pragma once

#include <rcplan/model/slot.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rcplan {
namespace detail {

// CRC16-CCITT in its XMODEM variant (poly 0x1021, init 0, no reflection), the checksum the
// Redis cluster specification uses for key hashing.
[[nodiscard]] constexpr std::array<std::uint16_t, 256> make_crc16_table() noexcept {
  std::array<std::uint16_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t crc = i << 8;
    for (int b = 0; b < 8; ++b) crc = (crc & 0x8000U) != 0 ? (crc << 1) ^ 0x1021U : crc << 1;
    table[i] = static_cast<std::uint16_t>(crc & 0xFFFFU);
  }
  return table;
}

inline constexpr std::array<std::uint16_t, 256> crc16_table = make_crc16_table();

}  // namespace detail

[[nodiscard]] constexpr std::uint16_t crc16_xmodem(std::string_view bytes) noexcept {
  std::uint32_t crc = 0;
  for (char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    crc = ((crc << 8) ^ detail::crc16_table[((crc >> 8) ^ byte) & 0xFFU]) & 0xFFFFU;
  }
  return static_cast<std::uint16_t>(crc);
}

/// The part of `key` that is hashed: the text between the first `{` and the first `}` after
/// it, when that text is non-empty; otherwise the whole key (the cluster specification's
/// hash-tag rule, including its edge cases `{}`, `{{a}}` and an unclosed `{`).
[[nodiscard]] constexpr std::string_view hash_tag(std::string_view key) noexcept {
  const std::size_t open = key.find('{');
  if (open == std::string_view::npos) return key;
  const std::size_t close = key.find('}', open + 1);
  if (close == std::string_view::npos || close == open + 1) return key;
  return key.substr(open + 1, close - open - 1);
}

/// The hash slot Redis Cluster assigns to `key`.
[[nodiscard]] constexpr slot key_slot(std::string_view key) noexcept {
  return static_cast<slot>(crc16_xmodem(hash_tag(key)) & (slot_count - 1));
}

static_assert(key_slot("foo") == 12182);
static_assert(crc16_xmodem("123456789") == 0x31C3);

}  // namespace rcplan
