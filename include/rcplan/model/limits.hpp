#pragma once

// Bounds on the counts rcplan accepts. Beyond them a spec or an option is refused with a clear
// error instead of being planned for minutes, exhausting memory or overflowing a share.

#include <cstdint>
#include <string>

namespace rcplan {

/// Most nodes (masters and replicas) of one cluster: every one of 16384 masters with a replica.
inline constexpr std::int64_t max_cluster_nodes = 32768;
/// The size Redis Cluster is designed for; larger clusters get a warning.
inline constexpr std::int64_t recommended_cluster_nodes = 1000;
/// Largest weight of a master or shard. A million to one between two masters is past any use,
/// and a sum of 16384 such weights stays exact in a double.
inline constexpr double max_weight = 1e6;

/// Whether `w` is a weight rcplan plans with: a number from 0 (drains the master) to max_weight.
/// NaN and the infinities fail one comparison or the other.
[[nodiscard]] inline bool valid_weight(double w) noexcept { return w >= 0 && w <= max_weight; }
/// What valid_weight() accepts, for error messages.
[[nodiscard]] inline std::string weight_range_text() {
  return "a number from 0 to " + std::to_string(static_cast<long long>(max_weight));
}

}  // namespace rcplan
