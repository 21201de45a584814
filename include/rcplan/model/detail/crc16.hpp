#pragma once

// The CRC16 table behind key_slot(): computed at compile time from the polynomial the Redis
// Cluster specification names.

#include <rcplan/model/slot.hpp>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rcplan::model_detail {

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

}  // namespace rcplan::model_detail
