#pragma once

// Internals of the planners' messages: nodes, addresses and slot sets as people read them.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <string>
#include <vector>

namespace rcplan::planner_detail {

/// "host:port", followed by ",hostname" when one is announced (as CLUSTER NODES writes it).
[[nodiscard]] inline std::string address_text(const address& addr) {
  if (addr.host.empty() && addr.port == 0) return "(no address)";
  std::string out = addr.host + ':' + std::to_string(addr.port);
  if (!addr.hostname.empty()) out += ',' + addr.hostname;
  return out;
}

/// Slots as people write them: "0-5460,5462"; "none" for the empty set.
[[nodiscard]] inline std::string slots_text(const slot_set& slots) {
  return slots.empty() ? "none" : to_string(slots);
}

/// "4f2d0bb8 (127.0.0.1:7103)", or the short id alone for a node nobody lists.
[[nodiscard]] inline std::string node_text(const std::vector<cluster_node>& nodes, const node_id& id) {
  const cluster_node* n = find_node(nodes, id);
  return short_id(id) + (n != nullptr ? " (" + address_text(n->addr) + ")" : std::string{});
}

}  // namespace rcplan::planner_detail
