#pragma once

// Grouping migrations into waves: a wave's jobs may run at the same time, waves run one after
// the other. A node takes part in at most `per_node` jobs of one wave: 1 keeps the jobs of a
// wave on disjoint nodes; more lets a receiver import from several donors at once (fan-in) and
// a donor give to several receivers (fan-out), each slot still moved by its own protocol. A
// node never gives and receives in one wave: a receiver's config epoch rises as it claims
// slots, and a giver's must not rise while its own hand-overs are under way (a target whose
// source outranks it gives the slots back, and Redis deletes their keys).

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/planner/detail/order.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rcplan {

/// A unit of work between two nodes (a slot migration), to be scheduled into waves.
struct wave_job {
  node_id a;  ///< the giving end (a migration's source)
  node_id b;  ///< the receiving end (its target)
  std::size_t weight = 0;  ///< e.g. slots moved: heavy jobs are placed first
};

/// How much one wave may hold.
struct wave_limits {
  std::size_t per_wave = 0;  ///< jobs in one wave; 0: no limit
  std::size_t per_node = 1;  ///< jobs one node takes part in within one wave; 0: no limit
};

namespace planner_detail {

/// assign_waves() on jobs whose two ends are dense node numbers below `node_count`, numbered in
/// id order (ties between equally heavy jobs go to the lower pair of numbers).
[[nodiscard]] inline std::vector<int> dense_waves(const std::vector<std::pair<std::size_t, std::size_t>>& ends,
                                                  const std::vector<std::size_t>& weight, std::size_t node_count,
                                                  wave_limits limits, int first_wave) {
  // heaviest first, then by ends, then in input order: three stable passes, the last on the
  // most significant key
  std::vector<std::size_t> order = identity_order(ends.size());
  stable_order_by(order, node_count, [&](std::size_t x) { return ends[x].second; });
  stable_order_by(order, node_count, [&](std::size_t x) { return ends[x].first; });
  const std::size_t heaviest = weight.empty() ? 0 : *std::max_element(weight.begin(), weight.end());
  if (heaviest <= slot_count)  // slot counts, as the rebalance passes: a counting pass
    stable_order_by(order, heaviest + 1, [&](std::size_t x) { return heaviest - weight[x]; });
  else
    std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return weight[x] > weight[y]; });
  // Per wave, as bitmaps over the dense numbers: the nodes that reached their limit in it; with
  // a limit other than one, the nodes giving and the nodes receiving in it (with one, a node is
  // in a single job of a wave and cannot take the other role there); and with a limit above
  // one, how many jobs each node has in it.
  const std::size_t words = (node_count + 63) / 64;
  const bool counted = limits.per_node > 1;
  const bool roles = limits.per_node != 1;
  std::vector<std::uint64_t> full;  // wave w's bitmap at [w * words, (w + 1) * words)
  std::vector<std::uint64_t> gives, gets;
  std::vector<std::uint32_t> load;  // wave w's counts at [w * node_count, (w + 1) * node_count)
  const auto bit = [&](const std::vector<std::uint64_t>& m, std::size_t n, std::size_t w) {
    return ((m[w * words + n / 64] >> (n % 64)) & 1U) != 0;
  };
  const auto set = [&](std::vector<std::uint64_t>& m, std::size_t n, std::size_t w) {
    m[w * words + n / 64] |= std::uint64_t{1} << (n % 64);
  };
  const auto take = [&](std::size_t n, std::size_t w) {
    if (limits.per_node == 0) return;
    if (counted && ++load[w * node_count + n] < limits.per_node) return;
    set(full, n, w);
  };
  std::vector<std::size_t> size;
  std::vector<int> out(ends.size(), first_wave);
  for (std::size_t j : order) {
    const auto [a, b] = ends[j];
    std::size_t w = 0;
    for (;; ++w) {
      if (w == size.size()) {
        size.push_back(0);
        full.resize(full.size() + words, 0);
        if (roles) {
          gives.resize(gives.size() + words, 0);
          gets.resize(gets.size() + words, 0);
        }
        if (counted) load.resize(load.size() + node_count, 0);
      }
      const bool free = !bit(full, a, w) && !bit(full, b, w) && (!roles || (!bit(gets, a, w) && !bit(gives, b, w)));
      if (free && (limits.per_wave == 0 || size[w] < limits.per_wave)) break;
    }
    take(a, w);
    take(b, w);
    if (roles) {
      set(gives, a, w);
      set(gets, b, w);
    }
    ++size[w];
    out[j] = first_wave + static_cast<int>(w);
  }
  return out;
}

}  // namespace planner_detail

/// Assigns each job a wave, starting at `first_wave`, so that no node takes part in more than
/// `limits.per_node` jobs of one wave, no node is both a giving and a receiving end in one wave,
/// and no wave holds more than `limits.per_wave` jobs.
/// Greedy edge colouring, heaviest job first (ties by node ids, so the result is
/// deterministic): with one job per node, at most 2Δ−1 waves for Δ the most jobs any node has,
/// usually Δ; with k per node, at most 2⌊(Δ−1)/k⌋+1 when no node both gives and receives (as in
/// a rebalance), more otherwise. O(J · W) for J jobs and W waves. Returns the wave of each job,
/// in input order.
[[nodiscard]] inline std::vector<int> assign_waves(const std::vector<wave_job>& jobs, wave_limits limits,
                                                   int first_wave = 0) {
  // Nodes get dense numbers in id order once, so that ordering and probing compare integers.
  std::vector<const node_id*> ids;
  ids.reserve(2 * jobs.size());
  for (const wave_job& j : jobs) {
    ids.push_back(&j.a);
    ids.push_back(&j.b);
  }
  std::sort(ids.begin(), ids.end(), [](const node_id* x, const node_id* y) { return *x < *y; });
  ids.erase(std::unique(ids.begin(), ids.end(), [](const node_id* x, const node_id* y) { return *x == *y; }),
            ids.end());
  const auto dense = [&](const node_id& n) {
    return static_cast<std::size_t>(
        std::lower_bound(ids.begin(), ids.end(), n, [](const node_id* x, const node_id& k) { return *x < k; }) -
        ids.begin());
  };
  std::vector<std::pair<std::size_t, std::size_t>> ends;
  std::vector<std::size_t> weight;
  ends.reserve(jobs.size());
  weight.reserve(jobs.size());
  for (const wave_job& j : jobs) {
    ends.emplace_back(dense(j.a), dense(j.b));
    weight.push_back(j.weight);
  }
  return planner_detail::dense_waves(ends, weight, ids.size(), limits, first_wave);
}

/// assign_waves() with jobs of one wave on disjoint nodes and at most `max_per_wave` of them.
[[nodiscard]] inline std::vector<int> assign_waves(const std::vector<wave_job>& jobs, std::size_t max_per_wave = 0,
                                                   int first_wave = 0) {
  return assign_waves(jobs, wave_limits{max_per_wave, 1}, first_wave);
}

}  // namespace rcplan
