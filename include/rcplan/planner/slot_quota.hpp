#pragma once

// How many slots (or keys) each master should hold: weighted shares rounded so that they sum
// exactly and move as little as possible, the lower bound of moves, and the act threshold.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace rcplan {

/// A master taking part in slot balancing: how much it should weigh and how many slots (or
/// keys, when balancing by keys) it holds now.
struct quota_input {
  node_id id;
  double weight = 1.0;
  std::size_t held = 0;
};

struct master_quota {
  node_id id;
  double weight = 1.0;
  std::size_t held = 0;
  std::size_t quota = 0;

  [[nodiscard]] std::size_t excess() const noexcept { return held > quota ? held - quota : 0; }
  [[nodiscard]] std::size_t deficit() const noexcept { return quota > held ? quota - held : 0; }
};

/// Splits `total` (16384 slots by default) among `masters` in proportion to their weights.
///
/// Each master gets the floor of its exact share; the `R < M` units left over go one each to
/// masters whose share has a fractional part, first to those that already hold more than their
/// floor (so the leftover unit costs no move), then by largest fractional remainder, then by id.
/// Hence the quotas sum to `total` exactly, each is within one unit of the exact share, and
/// Σ max(0, held − quota) is as small as any such rounding allows. Weight 0 drains a master.
/// Output order follows input order. O(M log M).
[[nodiscard]] inline std::vector<master_quota> compute_quotas(const std::vector<quota_input>& masters,
                                                              std::size_t total = slot_count) {
  std::vector<master_quota> out;
  out.reserve(masters.size());
  double weight_sum = 0;
  for (const quota_input& m : masters) weight_sum += m.weight > 0 ? m.weight : 0.0;
  if (weight_sum <= 0) {
    for (const quota_input& m : masters) out.push_back({m.id, m.weight, m.held, 0});
    return out;
  }
  std::vector<double> remainder(masters.size(), 0.0);
  std::size_t assigned = 0;
  for (std::size_t i = 0; i < masters.size(); ++i) {
    const double w = masters[i].weight > 0 ? masters[i].weight : 0.0;
    const double share = static_cast<double>(total) * w / weight_sum;
    const auto base = static_cast<std::size_t>(std::floor(share));
    remainder[i] = share - std::floor(share);
    out.push_back({masters[i].id, masters[i].weight, masters[i].held, base});
    assigned += base;
  }
  std::size_t left = total > assigned ? total - assigned : 0;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < masters.size(); ++i)
    if (masters[i].weight > 0) order.push_back(i);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    // a master whose exact share is whole never needs a leftover unit
    const auto tier = [&](std::size_t i) {
      if (remainder[i] <= 0) return 2;
      return out[i].held > out[i].quota ? 0 : 1;
    };
    if (tier(a) != tier(b)) return tier(a) < tier(b);
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    return out[a].id < out[b].id;
  });
  // Floating point can leave `left` a unit off from Σ remainders; cycling keeps the sum exact.
  for (std::size_t k = 0; left > 0 && !order.empty(); ++k, --left) ++out[order[k % order.size()]].quota;
  return out;
}

/// Σ max(0, held − quota): no plan can move fewer slots and reach the quotas.
[[nodiscard]] inline std::size_t move_lower_bound(const std::vector<master_quota>& quotas) noexcept {
  std::size_t n = 0;
  for (const master_quota& q : quotas) n += q.excess();
  return n;
}

/// Whether any master is far enough from its quota to act, in the sense of redis-cli's
/// `--cluster-threshold`: |quota − held| / quota above `threshold_percent`. A master that must
/// be drained (quota 0) while holding slots always counts.
[[nodiscard]] inline bool threshold_exceeded(const std::vector<master_quota>& quotas,
                                             double threshold_percent) noexcept {
  for (const master_quota& q : quotas) {
    if (q.quota == 0) {
      if (q.held > 0) return true;
      continue;
    }
    const double diff = std::abs(static_cast<double>(q.quota) - static_cast<double>(q.held));
    if (diff * 100.0 / static_cast<double>(q.quota) > threshold_percent) return true;
  }
  return false;
}

}  // namespace rcplan
