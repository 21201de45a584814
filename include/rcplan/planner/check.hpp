#pragma once

// Is an observed cluster healthy? Every way it is not, as findings with stable codes, like
// `redis-cli --cluster check`. A healthy cluster has none: all slots covered once, every view
// agreeing, no open slot, no failed or unreachable node. `rcplan check` prints them.

#include <rcplan/model/topology.hpp>
#include <rcplan/planner/detail/check.hpp>

#include <string>
#include <vector>

namespace rcplan {

namespace finding_code {
inline constexpr const char* uncovered_slots = "uncovered_slots";
inline constexpr const char* contested_slots = "contested_slots";
inline constexpr const char* open_slot = "open_slot";
inline constexpr const char* views_disagree = "views_disagree";
inline constexpr const char* node_failed = "node_failed";
inline constexpr const char* node_unreachable = "node_unreachable";
}  // namespace finding_code

struct finding {
  std::string code;     ///< one of finding_code
  std::string subject;  ///< slots ("0-99,200"), a slot number or a node id
  std::string message;  ///< for people

  friend bool operator==(const finding&, const finding&) = default;
};

/// The findings about `t`, in a stable order: coverage, open slots (by slot, then node), view
/// disagreements (by observer), failed nodes, unreachable nodes (by id).
[[nodiscard]] inline std::vector<finding> check_topology(const topology& t) {
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
