#pragma once

// Internals of summary.hpp: its definitions, in the pieces summarize() puts together.

#include <rcplan/planner/summary.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

namespace rcplan::planner_detail {

// A node in handshake is a stranger that has not told us its role yet, so it is not counted
// as a master even though it lacks the `slave` flag.
[[nodiscard]] inline bool is_listed_master(const cluster_node& n) { return n.is_master() && !n.flags.handshake; }

[[nodiscard]] inline bool by_lowest_slot(const master_summary& a, const master_summary& b) {
  const std::optional<slot> fa = a.node.slots.first(), fb = b.node.slots.first();
  // masters without slots (nullopt) sort after those with slots
  return std::make_tuple(!fa, fa.value_or(0), a.node.id) < std::make_tuple(!fb, fb.value_or(0), b.node.id);
}

/// Nodes whose own view lists nobody else while no other observer lists them.
[[nodiscard]] inline std::set<node_id> outsider_ids(const topology& t) {
  std::set<node_id> listed_by_others, alone;
  for (const cluster_view& v : t.views) {
    if (v.nodes.size() == 1 && v.nodes.front().id == v.observer) alone.insert(v.observer);
    for (const cluster_node& n : v.nodes)
      if (n.id != v.observer) listed_by_others.insert(n.id);
  }
  std::set<node_id> out;
  if (t.views.size() < 2) return out;  // a single node is a cluster of one, not an outsider
  for (const node_id& id : alone)
    if (!listed_by_others.count(id)) out.insert(id);
  return out;
}

inline void collect_masters(topology_summary& s, const std::set<node_id>& outside) {
  std::map<node_id, master_summary> masters;
  for (const cluster_node& n : s.nodes)
    if (is_listed_master(n) && !outside.count(n.id)) masters.emplace(n.id, master_summary{n, {}});
  for (const cluster_node& n : s.nodes) {
    if (outside.count(n.id)) {
      s.outsiders.push_back(n);
      continue;
    }
    if (n.flags.handshake) ++s.handshake_count;
    if (n.is_master()) continue;
    ++s.replica_count;
    const auto it = n.master_id ? masters.find(*n.master_id) : masters.end();
    if (it == masters.end()) s.orphan_replicas.push_back(n);
    else it->second.replicas.push_back(n);
  }
  for (auto& [id, m] : masters) s.masters.push_back(std::move(m));
  std::sort(s.masters.begin(), s.masters.end(), by_lowest_slot);
}

inline void collect_open_slots(topology_summary& s) {
  for (const cluster_node& n : s.nodes)
    for (const open_slot& o : n.open_slots) s.open_slots.push_back({n.id, o});
  std::sort(s.open_slots.begin(), s.open_slots.end(), [](const open_slot_summary& a, const open_slot_summary& b) {
    return std::tie(a.slot.number, a.node, a.slot) < std::tie(b.slot.number, b.node, b.slot);
  });
}

[[nodiscard]] inline coverage_summary compute_coverage(const std::vector<cluster_node>& nodes) {
  coverage_summary c;
  c.uncovered = uncovered_slots(nodes);
  c.covered = slot_count - c.uncovered.count();
  c.contested = contested_slots(nodes);
  for (const cluster_node& n : nodes) {
    if (!n.is_master()) continue;
    if (n.failed()) c.on_failed_masters |= n.slots;
    if (const slot_set share = n.slots & c.contested; !share.empty()) c.contested_by.emplace_back(n.id, share);
  }
  return c;
}

}  // namespace rcplan::planner_detail

namespace rcplan {

inline std::vector<std::string_view> problems(const node_flags& flags) {
  std::vector<std::string_view> out;
  if (flags.fail) out.emplace_back("fail");
  if (flags.pfail) out.emplace_back("pfail");
  if (flags.handshake) out.emplace_back("handshake");
  if (flags.noaddr) out.emplace_back("noaddr");
  return out;
}

inline topology_summary summarize(const topology& t) {
  topology_summary s;
  for (const cluster_view& v : t.views)
    if (!v.observer.empty()) s.observers.push_back(v.observer);
  std::sort(s.observers.begin(), s.observers.end());
  s.nodes = merged_nodes(t);
  planner_detail::collect_masters(s, planner_detail::outsider_ids(t));
  planner_detail::collect_open_slots(s);
  for (const cluster_node& n : s.nodes)
    if (!problems(n.flags).empty()) s.problem_nodes.push_back(n);
  s.coverage = planner_detail::compute_coverage(s.nodes);
  return s;
}

}  // namespace rcplan
