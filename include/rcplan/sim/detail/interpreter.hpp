#pragma once

// The command interpreter: what each modelled Redis command does to the simulated state,
// with Redis' own refusals, followed by the invariant checks on what it touched. A command
// the parser does not know is refused as `unknown_command` before any node sees it.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/sim/detail/command.hpp>
#include <rcplan/sim/detail/invariants.hpp>
#include <rcplan/sim/detail/state.hpp>
#include <rcplan/sim/node_state.hpp>
#include <rcplan/sim/violation.hpp>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <variant>

namespace rcplan::sim::detail {

[[nodiscard]] inline violation refused(const std::string& what, slot s, const node_id& n) {
  return {invariant::redis_refused, what + " (slot " + std::to_string(s) + " on " + short_id(n) + ")"};
}

/// Gossip is immediate: both sides' tables merge, and every live node in them learns of
/// every other (a dead node's table is frozen on its disk).
inline std::optional<violation> execute(cluster_state& st, node_state& via, const cluster_meet& c) {
  node_state* x = nullptr;
  for (auto& [id, n] : st.nodes)
    if (n.alive && n.addr.host == c.host && n.addr.port == c.port) x = &n;
  if (x == nullptr || x == &via) return std::nullopt;  // the handshake never completes
  std::set<node_id> all = {via.id, x->id};
  for (const auto& [id, a] : via.known) all.insert(id);
  for (const auto& [id, a] : x->known) all.insert(id);
  for (const node_id& y : all) {
    node_state* n = st.get(y);
    if (n == nullptr || !n->alive) continue;
    for (const node_id& z : all) {
      const node_state* o = st.find(z);
      if (z == y || o == nullptr) continue;
      if (z == x->id) n->known[z] = o->addr;
      else n->known.emplace(z, o->addr);
    }
  }
  return std::nullopt;
}

inline std::optional<violation> execute(cluster_state& st, node_state& n, const cluster_setslot& c) {
  const slot s = c.number;
  if (c.kind == setslot_kind::stable) {
    n.migrating.erase(s);
    n.importing.erase(s);
    return check_slot(st, s);
  }
  const node_id& peer = c.peer;
  if (st.find(peer) == nullptr || (peer != n.id && n.known.count(peer) == 0))
    return refused("SETSLOT names an unknown node", s, n.id);
  if (c.kind == setslot_kind::importing) {
    if (n.claims.contains(s)) return refused("IMPORTING a slot it already owns", s, n.id);
    n.importing[s] = peer;
  } else if (c.kind == setslot_kind::migrating) {
    if (!n.claims.contains(s)) return refused("MIGRATING a slot it does not own", s, n.id);
    n.migrating[s] = peer;
  } else if (peer == n.id) {
    if (!n.claims.contains(s) && st.owner(s) != n.id) ++st.slots_moved;
    n.importing.erase(s);
    n.claims.insert(s);
    n.config_epoch = st.max_epoch() + 1;  // the importing node bumps its epoch to win the slot
  } else {
    if (n.claims.contains(s) && n.keys.count(s) != 0)
      return refused("SETSLOT NODE elsewhere while still holding keys", s, n.id);
    n.claims.erase(s);
    if (n.keys.count(s) == 0) n.migrating.erase(s);
    // Redis clears an import only when the node takes the slot itself
  }
  return check_slot(st, s);
}

inline std::optional<violation> execute(cluster_state& st, node_state& n, const cluster_addslotsrange& c) {
  for (const slot_range r : c.ranges) {
    for (std::size_t s = r.first; s <= r.last; ++s)
      if (st.owner(static_cast<slot>(s))) return refused("ADDSLOTS of a busy slot", static_cast<slot>(s), n.id);
    n.claims.insert(r);
    st.orphaned.erase(r);
    for (std::size_t s = r.first; s <= r.last; ++s)
      if (auto v = check_slot(st, static_cast<slot>(s))) return v;
  }
  if (st.covered().full()) st.created = true;
  return std::nullopt;
}

inline std::optional<violation> execute(cluster_state& st, node_state& n, const cluster_replicate& c) {
  const node_state* target = st.find(c.master);
  if (target == nullptr || n.known.count(c.master) == 0) return refused("REPLICATE of an unknown node", 0, n.id);
  if (!target->master) return refused("REPLICATE of a non-master", 0, n.id);
  if (!n.claims.empty() || !n.keys.empty()) return refused("REPLICATE of a node with slots or keys", 0, n.id);
  n.master = false;
  n.master_id = c.master;
  n.synced = false;
  n.offset = 0;
  return check_node(st, n);
}

inline std::optional<violation> execute(cluster_state& st, node_state& r, const cluster_failover& c) {
  if (r.master || !r.master_id) return refused("FAILOVER on a master", 0, r.id);
  const node_state* m = st.find(*r.master_id);
  if (m == nullptr) return refused("FAILOVER with an unknown master", 0, r.id);
  // the default hands over with the master's agreement; FORCE skips the master but still
  // needs the votes of a majority; TAKEOVER needs no one
  if (c.mode == failover_mode::default_mode && !m->alive)
    return refused("FAILOVER while the master is down (needs FORCE)", 0, r.id);
  if (c.mode == failover_mode::force && !st.voting_majority_alive())
    return refused("FAILOVER FORCE without a majority of masters", 0, r.id);
  promote(st, r);
  return std::nullopt;
}

inline std::optional<violation> execute(cluster_state& st, node_state& on, const cluster_forget& c) {
  const node_id& x = c.node;
  if (x == on.id) return refused("FORGET of itself", 0, on.id);
  if (on.master_id == x) return refused("FORGET of its own master", 0, on.id);
  const node_state* n = st.find(x);
  if (n == nullptr) return std::nullopt;  // already forgotten by an earlier command
  const bool given_up = st.written_off.count(x) != 0 && !n->alive;
  if ((!n->claims.empty() || !n->keys.empty()) && !given_up)
    return violation{invariant::forget_nonempty, "forgot " + short_id(x) + " while it owns slots or holds keys"};
  on.known.erase(x);
  // a dead node nobody knows any more is gone; a live one is on its own until met again
  if (!n->alive && !st.known_by_anyone(x)) drop(st, x);
  return std::nullopt;
}

inline std::optional<violation> execute(cluster_state&, node_state& n, const cluster_set_config_epoch& c) {
  n.config_epoch = c.epoch;
  return std::nullopt;
}

inline std::optional<violation> execute(cluster_state&, node_state& n, const cluster_reset& c) {
  if (n.master && !n.keys.empty()) return refused("RESET of a master holding keys", 0, n.id);
  n.claims.clear();
  n.migrating.clear();
  n.importing.clear();
  n.master = true;
  n.master_id.reset();
  n.known.clear();
  n.joined = false;
  n.synced = true;
  if (c.mode == reset_mode::hard) {
    n.config_epoch = 0;
    n.offset = 0;
  }
  return std::nullopt;
}

/// Only the password parameters matter to the model: a master that requires the new
/// password while one of its replicas still authenticates with the old one cuts that
/// replica off (it can no longer sync, and a failover would promote a stale copy).
inline std::optional<violation> execute(cluster_state& st, node_state& n, const config_set_pair& c) {
  if (c.parameter == "masterauth") n.masterauth_current = true;
  if (c.parameter != "requirepass") return std::nullopt;
  if (n.master)
    for (const auto& [id, r] : st.nodes)
      if (r.alive && !r.master && r.master_id == n.id && !r.masterauth_current)
        return violation{invariant::replica_auth_broken, "requirepass changed on " + short_id(n.id) +
                                                             " before its replica " + short_id(id) +
                                                             " knew the new password"};
  n.requirepass_current = true;
  return std::nullopt;
}

/// One command sent to one node. The shape is checked first: where a command is sent does
/// not make it known.
inline std::optional<violation> run(cluster_state& st, const redis_command& c) {
  const parsed p = parse_command(c.argv);
  if (const auto* u = std::get_if<unknown>(&p))
    return violation{invariant::unknown_command, u->why + " (sent to " + short_id(c.node) + ")"};
  node_state* n = st.get(c.node);
  if (n == nullptr) return violation{invariant::unknown_node, "command sent to unknown node " + c.node.value};
  if (!n->alive)
    return violation{invariant::node_unreachable, "command sent to " + short_id(c.node) + ", which is down"};
  return std::visit([&](const auto& x) { return execute(st, *n, x); }, std::get<command>(p));
}

/// A `move_keys` loop, or the `fraction` (0..1) of it a crash would leave done.
inline std::optional<violation> run(cluster_state& st, const move_keys& m, double fraction = 1.0) {
  node_state* src = st.get(m.source);
  node_state* dst = st.get(m.target);
  if (src == nullptr || dst == nullptr) return refused("MIGRATE between unknown nodes", m.number, m.source);
  const auto mig = src->migrating.find(m.number);
  if (mig == src->migrating.end() || mig->second != m.target)
    return refused("MIGRATE without the slot MIGRATING to the target", m.number, m.source);
  const auto imp = dst->importing.find(m.number);
  if (!(imp != dst->importing.end() && imp->second == m.source) && !dst->claims.contains(m.number))
    return refused("MIGRATE to a node neither importing nor owning the slot", m.number, m.target);
  const auto it = src->keys.find(m.number);
  if (it != src->keys.end()) {
    auto moved = static_cast<std::uint64_t>(static_cast<double>(it->second) * fraction);
    if (fraction >= 1.0) moved = it->second;
    dst->keys[m.number] += moved;
    it->second -= moved;
    if (it->second == 0) src->keys.erase(it);
    if (dst->keys[m.number] == 0) dst->keys.erase(m.number);
  }
  return check_slot(st, m.number);
}

}  // namespace rcplan::sim::detail
