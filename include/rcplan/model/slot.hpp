#pragma once

// Hash slots and inclusive slot ranges: the 16384 units of a Redis Cluster's key space.

#include <compare>
#include <cstddef>
#include <cstdint>

namespace rcplan {

/// A Redis Cluster hash slot, 0 .. 16383.
using slot = std::uint16_t;

/// Number of hash slots in every Redis Cluster (fixed by the cluster specification).
inline constexpr std::size_t slot_count = 16384;

/// Highest valid slot number.
inline constexpr slot max_slot = static_cast<slot>(slot_count - 1);

/// An inclusive range of slots `[first, last]`, the unit Redis itself uses in
/// `CLUSTER NODES` and `CLUSTER ADDSLOTSRANGE`.
struct slot_range {
  slot first = 0;
  slot last = 0;

  [[nodiscard]] constexpr std::size_t size() const noexcept {
    return static_cast<std::size_t>(last) - first + 1;
  }
  [[nodiscard]] constexpr bool contains(slot s) const noexcept { return first <= s && s <= last; }

  friend constexpr bool operator==(const slot_range&, const slot_range&) = default;
  friend constexpr auto operator<=>(const slot_range&, const slot_range&) = default;
};

[[nodiscard]] constexpr bool is_valid_slot(long long value) noexcept {
  return value >= 0 && value <= static_cast<long long>(max_slot);
}

}  // namespace rcplan
