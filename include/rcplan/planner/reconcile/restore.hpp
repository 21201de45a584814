#pragma once

// Creating the cluster from a backup (reconcile_options::restore): each restored shard's first
// pod, which started on the shard's RDB file and so already claims the slots holding its keys,
// gets the rest of the shard's slots from the manifest; then every node meets the others.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/reconcile/membership.hpp>
#include <rcplan/planner/shards.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace rcplan::planner_detail {

/// Whether the nodes have formed a cluster: some node knows another. Until then a restore may
/// still place its data; after, the cluster is what it is.
[[nodiscard]] inline bool cluster_formed(const topology& t) {
  for (const cluster_view& v : t.views)
    if (v.nodes.size() > 1) return true;
  return false;
}

[[nodiscard]] inline const backup_shard* manifest_shard(const backup_manifest& m, int index) {
  for (const backup_shard& s : m.shards)
    if (s.index == index) return &s;
  return nullptr;
}

[[nodiscard]] inline const shard_member* first_pod(const shard_view& s) {
  for (const shard_member& m : s.members)
    if (m.p->ordinal == 0) return &m;
  return nullptr;
}

/// Keys the node holds, when observed.
[[nodiscard]] inline std::uint64_t keys_held(const node_observation& o) {
  std::uint64_t n = 0;
  if (o.keys_per_slot)
    for (const auto& [slot, keys] : *o.keys_per_slot) n += keys;
  return n;
}

/// The node each shard is created on: a restored shard's first pod (its data is there), any
/// reached pod of the other shards.
[[nodiscard]] inline std::map<int, const shard_member*> restore_masters(const reconcile_context& c) {
  std::map<int, const shard_member*> out = creation_masters(c);
  for (const shard_view& s : c.layout.shards)
    if (manifest_shard(*c.restore, s.index) != nullptr) {
      const shard_member* m = first_pod(s);
      if (m != nullptr && m->observed != nullptr) out[s.index] = m;
      else out.erase(s.index);
    }
  return out;
}

/// What is wrong with the restored nodes' data: a node holding slots that are not its backup
/// shard's (keys the backup does not account for), or a restored shard's pod holding no key
/// although the backup shard has some (its file was not loaded).
inline void check_restored_data(const reconcile_context& c, const std::map<int, const shard_member*>& chosen,
                                phase_result& r) {
  for (const cluster_node& n : c.nodes) {
    if (n.slots.empty()) continue;
    const auto [s, m] = c.layout.find(n.id);
    const backup_shard* b = s == nullptr ? nullptr : manifest_shard(*c.restore, s->index);
    const auto it = s == nullptr ? chosen.end() : chosen.find(s->index);
    const bool restored_here = b != nullptr && it != chosen.end() && it->second == m;
    const slot_set foreign = restored_here ? n.slots - b->slots : n.slots;
    if (foreign.empty()) continue;
    r.note(severity::error, restore_code::foreign_slots, n.id.value,
           "node " + short_id(n.id) + (m != nullptr ? " (pod " + m->p->name + ")" : std::string{}) +
               " holds keys in slots " + to_string(foreign) +
               " that the backup does not put there: a restore starts on empty volumes");
  }
  for (const auto& [shard, m] : chosen) {
    const backup_shard* b = manifest_shard(*c.restore, shard);
    if (b == nullptr || b->keys == 0 || m->observed == nullptr) continue;
    const cluster_node* n = c.node(m->observed->id);
    const bool claims = n != nullptr && !n->slots.empty();
    if (claims || !m->observed->keys_per_slot || keys_held(*m->observed) > 0) continue;
    r.note(severity::error, restore_code::data_missing, m->p->name,
           "pod " + m->p->name + " started without backup shard " + std::to_string(shard) + "'s data (" +
               std::to_string(b->keys) + " keys): its file " + b->file + " was not loaded");
  }
}

/// create_cluster() for a restore: every shard's node gets a config epoch of its own, restored
/// shards' nodes their manifest slots, then every node meets shard 0's.
[[nodiscard]] inline phase_result restore_cluster(const reconcile_context& c) {
  phase_result r;
  const auto chosen = restore_masters(c);
  check_restored_data(c, chosen, r);
  if (has_errors(r.diagnostics)) {
    r.status = plan_status::blocked;
    return r;
  }
  if (static_cast<int>(chosen.size()) < c.masters) {
    r.status = plan_status::waiting;
    r.note(severity::info, restore_code::waiting_for_pods, "",
           "restoring needs every restored shard's first pod, and a pod of every other shard, running");
    return r;
  }
  for (const auto& [shard, m] : chosen) {
    give_own_epoch(c, *m, shard, r);
    const node_id& id = m->observed->id;
    const cluster_node* n = c.node(id);
    const backup_shard* b = manifest_shard(*c.restore, shard);
    if (b == nullptr) continue;
    const slot_set rest = n == nullptr ? b->slots : b->slots - n->slots;
    if (!rest.empty())
      r.add(0, "shard " + std::to_string(shard) + " serves backup shard " + std::to_string(shard) + "'s slots " +
                   to_string(b->slots) + " (it loaded their keys from " + b->file + ")",
            add_slots{id, rest});
  }
  introduce_everyone(c, chosen.begin()->second->observed->id, r);
  return r;
}

/// The creation phase: from a backup while restoring, from nothing otherwise.
[[nodiscard]] inline phase_result create_or_restore_cluster(const reconcile_context& c) {
  return c.restore != nullptr ? restore_cluster(c) : create_cluster(c);
}

}  // namespace rcplan::planner_detail
