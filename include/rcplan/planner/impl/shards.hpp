#pragma once

// The definitions of what rcplan/planner/shards.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/shards.hpp>

namespace rcplan {

RCPLAN_ENTRY cluster_layout map_shards(const topology& t, const std::vector<cluster_node>& merged) {
  cluster_layout out;
  std::map<int, shard_view> by_index;
  for (const statefulset& s : t.statefulsets) {
    shard_view& v = by_index[s.shard_index];
    v.index = s.shard_index;
    v.sts = &s;
  }
  const auto node_by_id = [&](const node_id& id) -> const cluster_node* {
    const auto it = std::lower_bound(merged.begin(), merged.end(), id,
                                     [](const cluster_node& n, const node_id& k) { return n.id < k; });
    return it != merged.end() && it->id == id ? &*it : nullptr;
  };
  std::vector<bool> used(merged.size(), false);
  for (const pod& p : t.pods) {
    shard_view& v = by_index[p.shard_index];
    v.index = p.shard_index;
    shard_member m;
    m.p = &p;
    for (const node_observation& o : t.observations)
      if (o.reachable && o.addr.host == p.ip && o.addr.port == p.port) m.observed = &o;
    if (m.observed != nullptr) m.node = node_by_id(m.observed->id);
    if (m.node == nullptr)
      for (const cluster_node& n : merged)
        if (n.addr.host == p.ip && n.addr.port == p.port && !n.flags.noaddr) m.node = &n;
    if (m.node != nullptr) used[static_cast<std::size_t>(m.node - merged.data())] = true;
    v.members.push_back(m);
  }
  for (auto& [i, v] : by_index) {
    std::sort(v.members.begin(), v.members.end(),
              [](const shard_member& a, const shard_member& b) { return a.p->ordinal < b.p->ordinal; });
    out.shards.push_back(std::move(v));
  }
  for (std::size_t i = 0; i < merged.size(); ++i)
    if (!used[i]) out.unmapped.push_back(&merged[i]);
  return out;
}

}  // namespace rcplan
