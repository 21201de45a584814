#pragma once

// The whole simulated cluster as plain data, with the questions every part of the simulator
// asks of it (who owns a slot, who is a member, who may vote) and the two changes that both
// commands and events make (a promotion, a node leaving for good).

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/sim/node_state.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace rcplan::sim::detail {

struct cluster_state {
  std::map<node_id, node_state> nodes;
  /// What the keys of each slot must add up to across all nodes (design §6: conserved).
  std::map<slot, std::uint64_t> initial_keys;
  /// Every slot was owned once: from then on an unowned slot is a violation.
  bool created = false;
  std::size_t slots_moved = 0;
  std::size_t applied = 0;
  std::uint64_t now_ms = 0;
  /// Observations report password state only once a rotation made it interesting.
  bool password_tracked = false;
  /// Nodes whose keys a plan gave up (`data_loss_code`); they may be forgotten with keys.
  std::set<node_id> written_off;
  /// Slots of a written-off master, unowned until another master adds them.
  slot_set orphaned;
  std::uint64_t lost_keys = 0;

  [[nodiscard]] const node_state* find(const node_id& id) const {
    const auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : &it->second;
  }
  [[nodiscard]] node_state* get(const node_id& id) {
    const auto it = nodes.find(id);
    return it == nodes.end() ? nullptr : &it->second;
  }

  /// The claimant with the highest config epoch (then lowest id), as gossip would settle it.
  [[nodiscard]] std::optional<node_id> owner(slot s) const {
    const node_state* best = nullptr;
    for (const auto& [id, n] : nodes)
      if (n.master && n.claims.contains(s) && (best == nullptr || n.config_epoch > best->config_epoch)) best = &n;
    return best ? std::optional<node_id>(best->id) : std::nullopt;
  }
  [[nodiscard]] slot_set covered() const {
    slot_set all;
    for (const auto& [id, n] : nodes)
      if (n.master) all |= n.claims;
    return all;
  }
  [[nodiscard]] std::uint64_t max_epoch() const {
    std::uint64_t e = 0;
    for (const auto& [id, n] : nodes) e = std::max(e, n.config_epoch);
    return e;
  }
  [[nodiscard]] bool known_by_anyone(const node_id& id) const {
    for (const auto& [other, n] : nodes)
      if (other != id && n.known.count(id) != 0) return true;
    return false;
  }
  /// A fresh node before its MEET is not a member: it knows no one and no one knows it.
  [[nodiscard]] bool is_member(const node_id& id) const {
    const node_state* n = find(id);
    return n != nullptr && (n->joined || !n->known.empty() || !n->claims.empty() || known_by_anyone(id));
  }
  /// More than half of the masters that own slots are alive (they elect a replica).
  [[nodiscard]] bool voting_majority_alive() const {
    std::size_t owners = 0, alive = 0;
    for (const auto& [id, n] : nodes)
      if (n.master && !n.claims.empty()) {
        ++owners;
        if (n.alive) ++alive;
      }
    return 2 * alive > owners;
  }
  /// Masters ignore vote requests from a node they do not know.
  [[nodiscard]] bool electable(const node_id& replica) const {
    std::size_t owners = 0, voters = 0;
    for (const auto& [id, n] : nodes)
      if (n.master && !n.claims.empty()) {
        ++owners;
        if (n.alive && n.known.count(replica) != 0) ++voters;
      }
    return 2 * voters > owners;
  }
};

/// The replica takes over its master's slots, keys and open slots; the old master (and its
/// other replicas) now follow it.
inline void promote(cluster_state& s, node_state& r) {
  node_state* m = s.get(*r.master_id);
  // the replica holds a copy of the master's data: it now serves it
  r.keys = std::move(m->keys);
  m->keys.clear();
  r.claims = m->claims;
  m->claims.clear();
  r.migrating = std::move(m->migrating);
  r.importing = std::move(m->importing);
  m->migrating.clear();
  m->importing.clear();
  r.master = true;
  r.master_id.reset();
  r.config_epoch = s.max_epoch() + 1;
  m->master = false;
  m->master_id = r.id;
  if (!m->alive) m->synced = false;  // it resyncs from the new master when it returns
  for (auto& [id, n] : s.nodes)
    if (!n.master && n.master_id == m->id) n.master_id = r.id;
}

/// Removes a node nobody knows. A written-off master's keys are lost (and no longer
/// expected) and its slots wait, unowned, for another master to serve them.
inline void drop(cluster_state& s, const node_id& x) {
  const auto it = s.nodes.find(x);
  if (it == s.nodes.end()) return;
  if (s.written_off.count(x) != 0) {
    for (const auto& [sl, k] : it->second.keys) {
      s.initial_keys[sl] -= std::min(s.initial_keys[sl], k);
      s.lost_keys += k;
    }
    if (it->second.master) s.orphaned |= it->second.claims;
  }
  s.nodes.erase(it);
}

}  // namespace rcplan::sim::detail
