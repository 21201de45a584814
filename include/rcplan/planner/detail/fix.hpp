#pragma once

// Internals of fix.hpp: how uncovered slots that hold no keys are shared out.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/planner/detail/node_text.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

/// Whether `pred` holds for a node a repair action acts on or names.
template <typename Pred>
[[nodiscard]] bool any_node_of(const migrate_slots& a, Pred&& pred) {
  return pred(a.source) || pred(a.target);
}
template <typename Pred>
[[nodiscard]] bool any_node_of(const set_slot_node& a, Pred&& pred) {
  return pred(a.node) || pred(a.owner);
}
template <typename A, typename Pred>
[[nodiscard]] bool any_node_of(const A& a, Pred&& pred) {
  if constexpr (requires { a.node; }) return pred(a.node);
  else return false;
}

/// Masters that can take slots now, with the slots each holds once the repair ran: (count, id),
/// fewest first.
[[nodiscard]] inline std::vector<std::pair<std::size_t, node_id>> healthy_masters_by_load(
    const std::vector<cluster_node>& nodes, const std::map<node_id, slot_set>& ownership) {
  std::vector<std::pair<std::size_t, node_id>> out;
  for (const cluster_node& n : nodes)
    if (n.is_master() && !n.failed() && !n.flags.handshake && !n.flags.noaddr) {
      const auto it = ownership.find(n.id);
      out.emplace_back(it == ownership.end() ? 0 : it->second.count(), n.id);
    }
  std::sort(out.begin(), out.end());
  return out;
}

/// Spreads `free` over the healthy masters so that they end as even as the free slots allow,
/// in slot order, so that each master gets one contiguous run of them where possible. Empty
/// when no master can take them.
[[nodiscard]] inline std::map<node_id, slot_set> spread_free_slots(const slot_set& free,
                                                                   const std::vector<cluster_node>& nodes,
                                                                   const std::map<node_id, slot_set>& ownership) {
  const auto masters = healthy_masters_by_load(nodes, ownership);
  std::map<node_id, slot_set> out;
  if (masters.empty()) return out;
  std::size_t total = free.count();
  for (const auto& m : masters) total += m.first;
  const std::size_t k = masters.size();
  // the first `total % k` masters (fewest held) take one slot more
  std::vector<std::size_t> want(k);
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t quota = total / k + (i < total % k ? 1 : 0);
    want[i] = quota > masters[i].first ? quota - masters[i].first : 0;
  }
  std::size_t i = 0;
  free.for_each([&](slot s) {
    while (i + 1 < k && want[i] == 0) ++i;
    out[masters[i].second].insert(s);
    if (want[i] > 0) --want[i];
  });
  return out;
}

}  // namespace rcplan::planner_detail
