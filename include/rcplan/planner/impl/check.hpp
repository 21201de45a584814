#pragma once

// The definitions of what rcplan/planner/check.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/check.hpp>

namespace rcplan {

RCPLAN_ENTRY std::vector<finding> check_topology(const topology& t) {
  namespace d = planner_detail;
  std::vector<finding> out;
  const std::vector<cluster_node> nodes = merged_nodes(t);
  if (const slot_set u = uncovered_slots(nodes); !u.empty())
    out.push_back({finding_code::uncovered_slots, d::slots_text(u),
                   std::to_string(u.count()) + " slots are not covered by any master: " + d::slots_text(u)});
  if (const slot_set c = contested_slots(nodes); !c.empty())
    out.push_back({finding_code::contested_slots, d::slots_text(c),
                   std::to_string(c.count()) + " slots are claimed by more than one master: " + d::slots_text(c)});
  for (const d::open_entry& o : d::open_slots_in_order(nodes))
    out.push_back({finding_code::open_slot, std::to_string(o.number), d::open_slot_message(nodes, o)});
  for (const auto& [observer, list] : d::disagreements_by_observer(t, nodes))
    out.push_back({finding_code::views_disagree, observer.value, d::disagreement_message(nodes, observer, list)});
  for (const cluster_node& n : nodes)
    if (n.failed()) out.push_back({finding_code::node_failed, n.id.value, d::failed_message(nodes, n)});
  for (const node_observation* o : d::unreachable_in_order(t))
    out.push_back({finding_code::node_unreachable, o->id.value, d::unreachable_message(*o)});
  return out;
}

}  // namespace rcplan
