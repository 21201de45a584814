#pragma once

// The definitions of what rcplan/planner/fix.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/fix.hpp>

namespace rcplan {

RCPLAN_ENTRY plan plan_fix(const topology& t) {
  plan p;
  const std::vector<cluster_node> nodes = merged_nodes(t);
  repair_result r = plan_repair(t, nodes);
  p.diagnostics = std::move(r.diagnostics);
  if (r.blocked) {
    p.status = plan_status::blocked;
    return p;
  }
  // a repair that needs a master that is down waits for its failover, or is blocked without a
  // replica, and says so (rebalance's rule); retrying it would only time out
  const auto down = [&](const node_id& id) {
    const cluster_node* n = find_node(nodes, id);
    return n != nullptr && planner_detail::unavailable(*n);
  };
  const bool needs_down_node = std::any_of(r.steps.begin(), r.steps.end(), [&](const step& s) {
    return std::visit([&](const auto& a) { return planner_detail::any_node_of(a, down); }, s.action);
  });
  if (needs_down_node) {
    plan q;
    q.diagnostics = p.diagnostics;
    if (planner_detail::check_unavailable_masters(nodes, q)) return q;
  }
  p.steps = std::move(r.steps);
  if (!r.unassigned.empty()) {
    const std::map<node_id, slot_set> given = planner_detail::spread_free_slots(r.unassigned, nodes, r.ownership);
    if (given.empty()) {
      p.status = plan_status::blocked;
      p.diagnostics.push_back({severity::error, fix_code::no_master, planner_detail::slots_text(r.unassigned),
                               "uncovered slots hold no keys but no healthy master can take them"});
      return p;
    }
    for (const auto& [id, slots] : given)
      p.steps.push_back({0, "uncovered slots " + planner_detail::slots_text(slots) + " hold no keys; " + short_id(id) +
                                " takes them",
                         add_slots{id, slots}});
  }
  std::stable_sort(p.steps.begin(), p.steps.end(), [](const step& a, const step& b) { return a.wave < b.wave; });
  p.status = p.steps.empty() ? plan_status::converged : plan_status::actions_planned;
  return p;
}

}  // namespace rcplan
