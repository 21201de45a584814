#pragma once

// How many slots (or keys) each master should hold: weighted shares rounded so that they sum
// exactly and move as little as possible, the lower bound of moves, and the act threshold.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
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

namespace planner_detail {

/// compute_quotas() on parallel arrays, the form the rebalance works on: ties of the leftover
/// units go to the lower `rank` (the id order), or to the lower position when `rank` is empty.
[[nodiscard]] inline std::vector<std::size_t> dense_quotas(const std::vector<double>& weight,
                                                           const std::vector<std::size_t>& held, std::size_t total,
                                                           const std::vector<std::size_t>& rank = {}) {
  const std::size_t m = weight.size();
  std::vector<std::size_t> quota(m, 0);
  double weight_sum = 0;
  for (double w : weight) weight_sum += w > 0 ? w : 0.0;
  if (weight_sum <= 0) return quota;
  std::vector<double> remainder(m, 0.0);
  std::size_t assigned = 0;
  for (std::size_t i = 0; i < m; ++i) {
    const double w = weight[i] > 0 ? weight[i] : 0.0;
    const double share = static_cast<double>(total) * w / weight_sum;
    quota[i] = static_cast<std::size_t>(std::floor(share));
    remainder[i] = share - std::floor(share);
    assigned += quota[i];
  }
  std::size_t left = total > assigned ? total - assigned : 0;
  std::vector<std::size_t> order;
  order.reserve(m);
  for (std::size_t i = 0; i < m; ++i)
    if (weight[i] > 0) order.push_back(i);
  // a master whose exact share is whole never needs a leftover unit
  std::vector<std::uint8_t> tier(m, 2);
  for (std::size_t i = 0; i < m; ++i)
    if (remainder[i] > 0) tier[i] = held[i] > quota[i] ? 0 : 1;
  const auto first = [&](std::size_t a, std::size_t b) {
    if (tier[a] != tier[b]) return tier[a] < tier[b];
    if (remainder[a] != remainder[b]) return remainder[a] > remainder[b];
    return rank.empty() ? a < b : rank[a] < rank[b];
  };
  // The order is total (ties end at distinct ranks), so which masters come first does not
  // depend on how they are found: the first `left` by selection, all of them sorted only when
  // the leftover units go round more than once.
  if (left > 0 && left < order.size())
    std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(left), order.end(), first);
  else if (left > 0)
    std::sort(order.begin(), order.end(), first);
  // Floating point can leave `left` a unit off from Σ remainders; cycling keeps the sum exact.
  for (std::size_t k = 0; left > 0 && !order.empty(); ++k, --left) ++quota[order[k % order.size()]];
  return quota;
}

/// Whether one master is far enough from its quota to act (see threshold_exceeded()).
[[nodiscard]] inline bool far_from_quota(std::size_t held, std::size_t quota, double threshold_percent) noexcept {
  if (quota == 0) return held > 0;
  const double diff = std::abs(static_cast<double>(quota) - static_cast<double>(held));
  return diff * 100.0 / static_cast<double>(quota) > threshold_percent;
}

}  // namespace planner_detail

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
  std::vector<double> weight;
  std::vector<std::size_t> held;
  weight.reserve(masters.size());
  held.reserve(masters.size());
  for (const quota_input& m : masters) {
    weight.push_back(m.weight);
    held.push_back(m.held);
  }
  std::vector<std::size_t> rank;
  const auto id_less = [&](std::size_t a, std::size_t b) { return masters[a].id < masters[b].id; };
  bool sorted = true;
  for (std::size_t i = 1; i < masters.size() && sorted; ++i) sorted = !id_less(i, i - 1);
  if (!sorted) {
    std::vector<std::size_t> by_id(masters.size());
    for (std::size_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
    std::stable_sort(by_id.begin(), by_id.end(), id_less);
    rank.assign(masters.size(), 0);
    for (std::size_t k = 0; k < by_id.size(); ++k) rank[by_id[k]] = k;
  }
  const std::vector<std::size_t> quota = planner_detail::dense_quotas(weight, held, total, rank);
  std::vector<master_quota> out;
  out.reserve(masters.size());
  for (std::size_t i = 0; i < masters.size(); ++i) out.push_back({masters[i].id, masters[i].weight, masters[i].held, quota[i]});
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
  for (const master_quota& q : quotas)
    if (planner_detail::far_from_quota(q.held, q.quota, threshold_percent)) return true;
  return false;
}

}  // namespace rcplan
