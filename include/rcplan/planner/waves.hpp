#pragma once

// Grouping migrations into waves: jobs of one wave touch disjoint nodes, so they may run at
// the same time, and waves run one after the other.

#include <rcplan/model/node.hpp>

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <set>
#include <utility>
#include <vector>

namespace rcplan {

/// A unit of work between two nodes (a slot migration), to be scheduled into waves.
struct wave_job {
  node_id a;
  node_id b;
  std::size_t weight = 0;  ///< e.g. slots moved: heavy jobs are placed first
};

/// Assigns each job a wave, starting at `first_wave`, so that no node takes part in two jobs of
/// one wave and no wave holds more than `max_per_wave` jobs (0: no limit). Greedy edge
/// colouring, heaviest job first (ties by node ids, so the result is deterministic): at most
/// 2Δ−1 waves for Δ the most jobs any node has, usually Δ. O(J · W) for J jobs and W waves.
/// Returns the wave of each job, in input order.
[[nodiscard]] inline std::vector<int> assign_waves(const std::vector<wave_job>& jobs,
                                                   std::size_t max_per_wave = 0, int first_wave = 0) {
  std::vector<std::size_t> order(jobs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    if (jobs[x].weight != jobs[y].weight) return jobs[x].weight > jobs[y].weight;
    if (jobs[x].a != jobs[y].a) return jobs[x].a < jobs[y].a;
    return jobs[x].b < jobs[y].b;
  });
  std::vector<std::set<node_id>> busy;
  std::vector<std::size_t> size;
  std::vector<int> out(jobs.size(), first_wave);
  for (std::size_t j : order) {
    std::size_t w = 0;
    for (;; ++w) {
      if (w == busy.size()) {
        busy.emplace_back();
        size.push_back(0);
      }
      const bool free = !busy[w].contains(jobs[j].a) && !busy[w].contains(jobs[j].b);
      if (free && (max_per_wave == 0 || size[w] < max_per_wave)) break;
    }
    busy[w].insert(jobs[j].a);
    busy[w].insert(jobs[j].b);
    ++size[w];
    out[j] = first_wave + static_cast<int>(w);
  }
  return out;
}

}  // namespace rcplan
