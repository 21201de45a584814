#include "fix_plan.hpp"

#include "io.hpp"

#include <rcplan/planner/repair.hpp>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace rcplan::cli {
namespace {

/// Spreads `free` over the healthy masters so that they end as even as the free slots allow,
/// in slot order, so that each master gets one contiguous run of them where possible.
std::map<node_id, slot_set> spread(const slot_set& free, const std::vector<cluster_node>& nodes,
                                   const std::map<node_id, slot_set>& ownership) {
  std::vector<std::pair<std::size_t, node_id>> masters;  // (slots held, id)
  for (const cluster_node& n : nodes)
    if (n.is_master() && !n.failed() && !n.flags.handshake && !n.flags.noaddr) {
      const auto it = ownership.find(n.id);
      masters.emplace_back(it == ownership.end() ? 0 : it->second.count(), n.id);
    }
  std::map<node_id, slot_set> out;
  if (masters.empty()) return out;
  std::sort(masters.begin(), masters.end());
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

}  // namespace

plan plan_fix(const topology& t) {
  plan p;
  const std::vector<cluster_node> nodes = merged_nodes(t);
  repair_result r = plan_repair(t, nodes);
  p.diagnostics = std::move(r.diagnostics);
  if (r.blocked) {
    p.status = plan_status::blocked;
    return p;
  }
  p.steps = std::move(r.steps);
  if (!r.unassigned.empty()) {
    const std::map<node_id, slot_set> given = spread(r.unassigned, nodes, r.ownership);
    if (given.empty()) {
      p.status = plan_status::blocked;
      p.diagnostics.push_back({severity::error, "fix.no_master", format_slots(r.unassigned),
                               "uncovered slots hold no keys but no healthy master can take them"});
      return p;
    }
    for (const auto& [id, slots] : given)
      p.steps.push_back({0, "uncovered slots " + format_slots(slots) + " hold no keys; " + short_id(id) +
                                " takes them",
                         add_slots{id, slots}});
  }
  std::stable_sort(p.steps.begin(), p.steps.end(), [](const step& a, const step& b) { return a.wave < b.wave; });
  p.status = p.steps.empty() ? plan_status::converged : plan_status::actions_planned;
  return p;
}

}  // namespace rcplan::cli
