#pragma once

// Internals of check.hpp: the wording of findings and the orders they are listed in.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/planner/detail/node_text.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::planner_detail {

[[nodiscard]] inline std::string_view disagreement_text(view_disagreement::kind k) {
  switch (k) {
    case view_disagreement::kind::unknown_node: return "does not know";
    case view_disagreement::kind::role: return "sees another role for";
    case view_disagreement::kind::master: return "sees another master for";
    case view_disagreement::kind::slots: return "sees other slots on";
  }
  return "disagrees about";
}

struct open_entry {
  slot number;
  node_id node;
  open_slot what;
};

/// Every open slot of `nodes`, by slot, then node.
[[nodiscard]] inline std::vector<open_entry> open_slots_in_order(const std::vector<cluster_node>& nodes) {
  std::vector<open_entry> out;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots) out.push_back({o.number, n.id, o});
  std::sort(out.begin(), out.end(), [](const open_entry& a, const open_entry& b) {
    return a.number != b.number ? a.number < b.number : a.node < b.node;
  });
  return out;
}

[[nodiscard]] inline std::string open_slot_message(const std::vector<cluster_node>& nodes, const open_entry& o) {
  const bool migrating = o.what.dir == open_slot::direction::migrating;
  return "slot " + std::to_string(o.number) + " is open on " + node_text(nodes, o.node) + ": " +
         (migrating ? "migrating to " : "importing from ") + node_text(nodes, o.what.peer);
}

/// The disagreements of each observer: a lagging node usually disagrees about many others at once.
[[nodiscard]] inline std::map<node_id, std::vector<view_disagreement>> disagreements_by_observer(
    const topology& t, const std::vector<cluster_node>& nodes) {
  std::map<node_id, std::vector<view_disagreement>> out;
  for (const view_disagreement& d : view_disagreements(t, nodes)) out[d.observer].push_back(d);
  return out;
}

/// One line for one observer's disagreements: the first three named, the rest counted.
[[nodiscard]] inline std::string disagreement_message(const std::vector<cluster_node>& nodes, const node_id& observer,
                                                      const std::vector<view_disagreement>& list) {
  std::string message = node_text(nodes, observer);
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (i == 3) {
      message += ", and " + std::to_string(list.size() - 3) + " more";
      break;
    }
    message += std::string{i == 0 ? " " : ", "} + std::string{disagreement_text(list[i].what)} + " " +
               short_id(list[i].subject);
  }
  return message;
}

[[nodiscard]] inline std::string failed_message(const std::vector<cluster_node>& nodes, const cluster_node& n) {
  return std::string{n.is_master() ? "master " : "replica "} + node_text(nodes, n.id) + " is flagged " +
         (n.flags.fail ? "fail" : "fail?");
}

/// The observations of nodes that could not be reached, by id.
[[nodiscard]] inline std::vector<const node_observation*> unreachable_in_order(const topology& t) {
  std::vector<const node_observation*> out;
  for (const node_observation& o : t.observations)
    if (!o.reachable) out.push_back(&o);
  std::sort(out.begin(), out.end(), [](const node_observation* a, const node_observation* b) { return a->id < b->id; });
  return out;
}

[[nodiscard]] inline std::string unreachable_message(const node_observation& o) {
  return short_id(o.id) + " (" + address_text(o.addr) + ") cannot be reached" +
         (o.error.empty() ? std::string{} : ": " + o.error);
}

}  // namespace rcplan::planner_detail
