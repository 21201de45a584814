#pragma once

// Which hash slot a key lives in: CRC16-XMODEM of the key (or of its `{hash tag}`) modulo
// 16384, as the Redis Cluster specification defines it.

#include <rcplan/model/slot.hpp>
#include <rcplan/model/detail/crc16.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rcplan {

[[nodiscard]] constexpr std::uint16_t crc16_xmodem(std::string_view bytes) noexcept {
  std::uint32_t crc = 0;
  for (char c : bytes) {
    const auto byte = static_cast<std::uint8_t>(c);
    crc = ((crc << 8) ^ model_detail::crc16_table[((crc >> 8) ^ byte) & 0xFFU]) & 0xFFFFU;
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
