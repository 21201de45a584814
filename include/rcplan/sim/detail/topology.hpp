#pragma once

// The simulated state to and from `rcplan::topology`: a cluster built from an observed
// topology's merged view, and the state reported back as `CLUSTER NODES` lines, per-node or
// merged views and observations (keys, replication, passwords), as a binding would observe.

#include <rcplan/model/node.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/sim/detail/state.hpp>
#include <rcplan/sim/node_state.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace rcplan::sim::detail {

[[nodiscard]] inline node_state node_from_line(const cluster_node& n, const node_observation* obs) {
  node_state s;
  s.id = n.id;
  s.addr = n.addr;
  s.master = n.is_master();
  s.master_id = n.master_id;
  s.failed = n.failed();
  s.config_epoch = n.config_epoch;
  s.claims = n.slots;
  s.pong_ms = n.pong_received;
  s.joined = true;
  for (const open_slot& o : n.open_slots)
    (o.dir == open_slot::direction::migrating ? s.migrating : s.importing)[o.number] = o.peer;
  if (obs == nullptr) return s;  // an unobserved node holds no keys
  if (obs->keys_per_slot)
    for (const auto& [sl, k] : *obs->keys_per_slot)
      if (k > 0) s.keys[sl] = k;
  if (obs->replication) s.offset = obs->replication->offset();
  if (obs->password) {
    s.requirepass_current = obs->password->requirepass_current;
    s.masterauth_current = obs->password->masterauth_current;
  }
  return s;
}

/// The merged view of `t` as one cluster in which everyone knows everyone.
[[nodiscard]] inline cluster_state state_from_topology(const topology& t) {
  cluster_state st;
  for (const cluster_node& n : merged_nodes(t)) {
    const node_observation* obs = t.observation(n.id);
    if (obs != nullptr && obs->password) st.password_tracked = true;
    st.nodes.emplace(n.id, node_from_line(n, obs));
  }
  for (auto& [id, n] : st.nodes)
    for (const auto& [other, o] : st.nodes)
      if (other != id) n.known.emplace(other, o.addr);
  st.now_ms = t.observed_at_ms;
  for (const auto& [id, n] : st.nodes)
    for (const auto& [sl, k] : n.keys) st.initial_keys[sl] += k;
  st.created = st.covered().full();
  return st;
}

[[nodiscard]] inline cluster_node line_of(const node_state& n) {
  cluster_node c;
  c.id = n.id;
  c.addr = n.addr;
  c.flags.master = n.master;
  c.flags.replica = !n.master;
  c.flags.fail = n.failed || !n.alive;
  c.pong_received = n.pong_ms;
  c.link = n.alive ? link_state::connected : link_state::disconnected;
  c.master_id = n.master_id;
  c.config_epoch = n.config_epoch;
  c.slots = n.claims;
  for (const auto& [s, p] : n.migrating) c.open_slots.push_back({s, open_slot::direction::migrating, p});
  for (const auto& [s, p] : n.importing) c.open_slots.push_back({s, open_slot::direction::importing, p});
  std::sort(c.open_slots.begin(), c.open_slots.end());
  return c;
}

/// Every node's own line, sorted by id.
[[nodiscard]] inline std::vector<cluster_node> node_list(const cluster_state& st) {
  std::vector<cluster_node> out;
  for (const auto& [id, n] : st.nodes) out.push_back(line_of(n));
  return out;
}

[[nodiscard]] inline replication_info replication_of(const cluster_state& st, const node_state& n) {
  replication_info r;
  r.master_repl_offset = n.offset;
  if (!n.master && n.master_id) {
    r.role = node_role::replica;
    const node_state* m = st.find(*n.master_id);
    if (m != nullptr) {
      const auto k = n.known.find(m->id);
      const address& a = k == n.known.end() ? m->addr : k->second;
      r.master_host = a.host;
      r.master_port = a.port;
    }
    r.master_link_up = m != nullptr && m->alive && n.synced;
    r.master_sync_in_progress = !n.synced;
    r.replica_repl_offset = n.offset;
    return r;
  }
  for (const auto& [id, x] : st.nodes)
    if (x.alive && !x.master && x.master_id == n.id)
      r.replicas.push_back({x.addr.host, x.addr.port, x.synced ? "online" : "wait_bgsave", x.offset, 0});
  return r;
}

/// One view listing every member's own line, as if every node agreed.
[[nodiscard]] inline cluster_view merged_view(const cluster_state& st, const std::vector<cluster_node>& lines) {
  cluster_view v;
  for (const cluster_node& n : lines)
    if (st.is_member(n.id)) v.nodes.push_back(n);
  if (!v.nodes.empty()) {
    v.observer = v.nodes.front().id;
    v.nodes.front().flags.myself = true;
  }
  return v;
}

/// What `self` prints for `CLUSTER NODES`: its own line, and the peers it knows at the
/// address it last heard for each.
[[nodiscard]] inline cluster_view view_of(const node_state& self, const std::vector<cluster_node>& lines) {
  cluster_view v;
  v.observer = self.id;
  for (const cluster_node& other : lines) {
    if (other.id == self.id) {
      v.nodes.push_back(other);
      v.nodes.back().flags.myself = true;
      continue;
    }
    const auto k = self.known.find(other.id);
    if (k == self.known.end()) continue;
    cluster_node line = other;
    line.addr = k->second;
    line.open_slots.clear();  // Redis prints open slots only on the `myself` line
    v.nodes.push_back(std::move(line));
  }
  return v;
}

/// A reachable node answers with exact keys per slot and its replication; a dead one that
/// others still list is reported unreachable.
[[nodiscard]] inline node_observation observation_of(const cluster_state& st, const node_state& n) {
  node_observation o;
  o.id = n.id;
  o.addr = n.addr;
  if (!n.alive) {
    o.reachable = false;
    o.error = "connection refused";
    return o;
  }
  o.keys_per_slot = std::map<slot, std::uint64_t>(n.keys.begin(), n.keys.end());
  o.replication = replication_of(st, n);
  if (st.password_tracked) o.password = password_state{n.requirepass_current, n.masterauth_current};
  return o;
}

[[nodiscard]] inline topology to_topology(const cluster_state& st, view_mode mode) {
  topology t;
  t.observed_at_ms = st.now_ms;
  const std::vector<cluster_node> lines = node_list(st);
  if (mode == view_mode::merged) {
    t.views.push_back(merged_view(st, lines));
  } else {
    for (const cluster_node& self : lines) {
      const node_state& n = st.nodes.at(self.id);
      if (n.alive && st.is_member(self.id)) t.views.push_back(view_of(n, lines));
    }
  }
  for (const auto& [id, n] : st.nodes)
    if (n.alive || st.known_by_anyone(id)) t.observations.push_back(observation_of(st, n));
  return t;
}

}  // namespace rcplan::sim::detail
