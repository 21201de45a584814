#pragma once

// Grouping migrations into waves: jobs of one wave touch disjoint nodes, so they may run at
// the same time, and waves run one after the other.

#include <rcplan/model/node.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace rcplan {

/// A unit of work between two nodes (a slot migration), to be scheduled into waves.
struct wave_job {
  node_id a;
  node_id b;
  std::size_t weight = 0;  ///< e.g. slots moved: heavy jobs are placed first
};

namespace planner_detail {

/// assign_waves() on jobs whose two ends are dense node numbers below `node_count`, numbered in
/// id order (ties between equally heavy jobs go to the lower pair of numbers).
[[nodiscard]] inline std::vector<int> dense_waves(const std::vector<std::pair<std::size_t, std::size_t>>& ends,
                                                  const std::vector<std::size_t>& weight, std::size_t node_count,
                                                  std::size_t max_per_wave, int first_wave) {
  std::vector<std::size_t> order(ends.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    if (weight[x] != weight[y]) return weight[x] > weight[y];
    return ends[x] < ends[y];
  });
  // per wave, the nodes already taking part in it, as a bitmap over the dense numbers
  const std::size_t words = (node_count + 63) / 64;
  std::vector<std::uint64_t> busy;  // wave w's bitmap at [w * words, (w + 1) * words)
  const auto is_busy = [&](std::size_t n, std::size_t w) { return ((busy[w * words + n / 64] >> (n % 64)) & 1U) != 0; };
  const auto set_busy = [&](std::size_t n, std::size_t w) { busy[w * words + n / 64] |= std::uint64_t{1} << (n % 64); };
  std::vector<std::size_t> size;
  std::vector<int> out(ends.size(), first_wave);
  for (std::size_t j : order) {
    const auto [a, b] = ends[j];
    std::size_t w = 0;
    for (;; ++w) {
      if (w == size.size()) {
        size.push_back(0);
        busy.resize(busy.size() + words, 0);
      }
      const bool free = !is_busy(a, w) && !is_busy(b, w);
      if (free && (max_per_wave == 0 || size[w] < max_per_wave)) break;
    }
    set_busy(a, w);
    set_busy(b, w);
    ++size[w];
    out[j] = first_wave + static_cast<int>(w);
  }
  return out;
}

}  // namespace planner_detail

/// Assigns each job a wave, starting at `first_wave`, so that no node takes part in two jobs of
/// one wave and no wave holds more than `max_per_wave` jobs (0: no limit). Greedy edge
/// colouring, heaviest job first (ties by node ids, so the result is deterministic): at most
/// 2Δ−1 waves for Δ the most jobs any node has, usually Δ. O(J · W) for J jobs and W waves.
/// Returns the wave of each job, in input order.
[[nodiscard]] inline std::vector<int> assign_waves(const std::vector<wave_job>& jobs,
                                                   std::size_t max_per_wave = 0, int first_wave = 0) {
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
  return planner_detail::dense_waves(ends, weight, ids.size(), max_per_wave, first_wave);
}

}  // namespace rcplan
