#pragma once

// redis-cli's `--cluster rebalance` rule, re-implemented from its documented behaviour so that
// rcplan's plans can be compared with what operators get today. It only plans: no slot moves
// on a real cluster.
//
// The rule, as redis-cli applies it:
//  1. Masters without slots take part only with `use_empty_masters`; the others weigh 0.
//  2. expected = floor(16384 / W · w), computed in single precision like redis-cli, and
//     balance = held − expected (positive: gives slots, negative: takes slots).
//  3. The balances add up to the rounding remainder R ≥ 0. It is cancelled by passes over the
//     masters in cluster order, each pass taking one more slot onto every master whose balance
//     is ≤ 0, so the remainder lands on receivers (all of it on a lone receiver).
//  4. Nothing happens unless some master is more than `threshold_percent` off `expected`.
//  5. Masters sorted by balance; the most negative takes min(|its balance|, donor's balance)
//     from the most positive, the donor giving its lowest slots; repeat until balanced.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <vector>

namespace rcplan_bench {

/// Slots that change owner from `source` to `target`.
struct cli_move {
  rcplan::node_id source;
  rcplan::node_id target;
  rcplan::slot_set slots;
};

namespace detail {

struct cli_master {
  rcplan::node_id id;
  rcplan::slot_set slots;
  float weight = 1.0F;
  long balance = 0;
};

// redis-cli walks the masters in the order the entry node lists them; sorting by id is the
// deterministic stand-in (merged_nodes returns them so).
[[nodiscard]] inline std::vector<cli_master> cli_participants(const rcplan::topology& t,
                                                              const rcplan::rebalance_options& opt) {
  std::vector<cli_master> out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t)) {
    if (!n.is_master() || (n.slots.empty() && !opt.use_empty_masters)) continue;
    const auto w = opt.weights.find(n.id);
    out.push_back({n.id, n.slots, w == opt.weights.end() ? 1.0F : static_cast<float>(w->second), 0});
  }
  return out;
}

/// Sets each balance; returns whether some master is past the threshold.
inline bool cli_balances(std::vector<cli_master>& ms, double threshold_percent) {
  float total_weight = 0;
  for (const cli_master& m : ms) total_weight += m.weight;
  // redis-cli would divide by zero; nothing sensible to plan
  if (total_weight <= 0) return false;
  bool reached = false;
  for (cli_master& m : ms) {
    const auto held = static_cast<long>(m.slots.count());
    const auto expected = static_cast<long>(static_cast<float>(rcplan::slot_count) / total_weight * m.weight);
    m.balance = held - expected;
    if (held > 0) {
      const double off = std::fabs(100.0 - 100.0 * static_cast<double>(expected) / static_cast<double>(held));
      reached = reached || off > threshold_percent;
    } else {
      reached = reached || expected > 1;
    }
  }
  return reached;
}

inline void cli_hand_out_remainder(std::vector<cli_master>& ms) {
  long total = 0;
  for (const cli_master& m : ms) total += m.balance;
  while (total > 0)
    for (cli_master& m : ms)
      if (m.balance <= 0 && total > 0) {
        --m.balance;
        --total;
      }
}

inline void cli_pair_up(std::vector<cli_master>& ms, std::vector<cli_move>& out) {
  std::stable_sort(ms.begin(), ms.end(), [](const cli_master& a, const cli_master& b) { return a.balance < b.balance; });
  if (ms.empty()) return;
  std::size_t dst = 0, src = ms.size() - 1;
  while (dst < src) {
    const long n = std::min(-ms[dst].balance, ms[src].balance);
    if (n > 0) {
      const rcplan::slot_set moved = ms[src].slots.lowest(static_cast<std::size_t>(n));
      ms[src].slots -= moved;
      ms[dst].slots |= moved;
      out.push_back({ms[src].id, ms[dst].id, moved});
    }
    ms[dst].balance += n;
    ms[src].balance -= n;
    if (ms[dst].balance == 0) ++dst;
    if (ms[src].balance == 0) --src;
  }
}

}  // namespace detail

/// The moves `redis-cli --cluster rebalance` would make on `t` with the same weights,
/// `use_empty_masters` and threshold, in the order it makes them. Empty when no master is past
/// the threshold.
[[nodiscard]] inline std::vector<cli_move> redis_cli_rebalance(const rcplan::topology& t,
                                                               const rcplan::rebalance_options& opt = {}) {
  std::vector<detail::cli_master> ms = detail::cli_participants(t, opt);
  std::vector<cli_move> out;
  if (ms.empty() || !detail::cli_balances(ms, opt.threshold_percent)) return out;
  detail::cli_hand_out_remainder(ms);
  detail::cli_pair_up(ms, out);
  return out;
}

}  // namespace rcplan_bench
