#pragma once

// Scaling down: extra replicas leave the cluster, and drained shards are forgotten with their
// StatefulSets (and, if the spec says so, their volumes). A removed shard keeps its replicas
// until its master is empty, and no master holding slots loses its last replica to a removal.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace rcplan::planner_detail {

/// Removes `n` from the cluster: every remaining node forgets it (FORGET also bans it from
/// gossip for a minute), then it forgets the cluster so it cannot gossip its way back. Either
/// order leaves a state the next plan continues from: a node nobody knows is no member.
inline void remove_node(phase_result& r, const cluster_node& n, const std::string& why, int wave) {
  r.add(wave, why + ": the cluster forgets " + short_id(n.id), forget{n.id});
  r.add(wave + 1, why + ": " + short_id(n.id) + " forgets the cluster", reset{n.id, reset_mode::hard});
}

/// A node on its way out that the cluster has forgotten but that still lists other nodes: the
/// RESET after its FORGET did not run (a plan can stop after any wave, and once forgotten it is
/// no member, so remove_node is not planned again). Left alone it stays a replica of a node
/// removed later (which then cannot be forgotten by it), and its volume keeps the old table.
[[nodiscard]] inline bool still_knows_cluster(const reconcile_context& c, const cluster_node& n) {
  const node_observation* o = c.t.observation(n.id);
  if (c.member(n.id) || o == nullptr || !o->reachable || n.failed()) return false;
  for (const cluster_view& v : c.t.views)
    if (v.observer == n.id) return v.nodes.size() > 1;
  return false;
}

/// Whether any member other than `n` still lists it. A FORGET cut short leaves some tables
/// with the node while the seed's no longer has it (so it is no member): those views disagree
/// until every table forgets it.
[[nodiscard]] inline bool known_by_members(const reconcile_context& c, const cluster_node& n) {
  for (const cluster_view& v : c.t.views) {
    if (v.observer == n.id || !c.member(v.observer)) continue;
    for (const cluster_node& x : v.nodes)
      if (x.id == n.id) return true;
  }
  return false;
}

/// remove_node for nodes the cluster still lists anywhere; the RESET alone for nodes every
/// member has forgotten. False when `n` is out already and nothing was planned.
inline bool remove_or_finish(const reconcile_context& c, phase_result& r, const cluster_node& n, const std::string& why) {
  if (c.member(n.id) || known_by_members(c, n)) {
    remove_node(r, n, why, 0);
    return true;
  }
  if (!still_knows_cluster(c, n)) return false;
  r.add(0, why + ": " + short_id(n.id) + " was forgotten; it forgets the cluster", reset{n.id, reset_mode::hard});
  return true;
}

/// No slot, and observed to hold no key.
[[nodiscard]] inline bool drained(const reconcile_context& c, const cluster_node& n) {
  const node_observation* o = c.t.observation(n.id);
  return n.slots.empty() && o != nullptr && o->keys_per_slot && o->keys_per_slot->empty();
}

/// Some member no longer lists `n` while `n` is a member or another member still lists it.
[[nodiscard]] inline bool forget_started(const reconcile_context& c, const cluster_node& n) {
  if (!c.member(n.id) && !known_by_members(c, n)) return false;
  if (!c.member(n.id)) return true;
  for (const cluster_view& v : c.t.views) {
    if (v.observer == n.id || !c.member(v.observer)) continue;
    if (std::none_of(v.nodes.begin(), v.nodes.end(), [&n](const cluster_node& x) { return x.id == n.id; })) return true;
  }
  return false;
}

/// A removal of a shard's nodes cut short: a drained master, or a replica, whose FORGET did not
/// reach every table leaves views disagreeing, and the slot phase (before the removal of
/// drained shards) would wait on them for ever, so it is finished here, before the slots. A
/// forgotten node cannot be taken back without a new MEET: finishing is the way forward.
[[nodiscard]] inline phase_result finish_interrupted_removals(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (c.wanted(s.index)) continue;
    for (const shard_member& m : s.members) {
      if (m.node == nullptr || !forget_started(c, *m.node)) continue;
      if (!m.node->is_master() || drained(c, *m.node))
        remove_or_finish(c, r, *m.node, "shard " + std::to_string(s.index) + " is removed");
    }
  }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

/// Healthy replicas of `master` that stay: members outside the shards being removed.
[[nodiscard]] inline int staying_replicas(const reconcile_context& c, const node_id& master) {
  int n = 0;
  for (const cluster_node& x : c.nodes) {
    if (x.is_master() || x.master_id != master || x.failed() || !c.member(x.id)) continue;
    const auto [s, m] = c.layout.find(x.id);
    if (s == nullptr || c.wanted(s->index)) ++n;
  }
  return n;
}

/// A replica of a removed shard that is the last replica of a master holding slots (Redis moves
/// the replicas of a drained master to the master that took its last slot): it stays until that
/// master's own replica follows it, so the master is never left without one.
[[nodiscard]] inline const cluster_node* last_replica_of(const reconcile_context& c, const cluster_node& x) {
  if (x.is_master() || !x.master_id || c.replicas == 0) return nullptr;
  const cluster_node* m = find_node(c.nodes, *x.master_id);
  if (m == nullptr || !m->is_master() || m->slots.empty()) return nullptr;
  return staying_replicas(c, m->id) == 0 ? m : nullptr;
}

/// Shards beyond masterSize whose masters hold no slot and no key: remove the nodes, then the
/// StatefulSet, then (with deleteClaim) the volumes.
[[nodiscard]] inline phase_result remove_drained_shards(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (c.wanted(s.index)) continue;
    // its masters hold nothing: a replica's keys are copies of a master's (perhaps one outside
    // the shard, after Redis moved it there)
    bool empty = true;
    const cluster_node* keeps = nullptr;  // a master whose last replica is in this shard
    for (const shard_member& m : s.members) {
      if (m.node == nullptr) continue;
      if (!m.node->is_master()) {
        if (const cluster_node* of = last_replica_of(c, *m.node)) keeps = of;
        continue;
      }
      const node_observation* o = c.t.observation(m.node->id);
      const bool no_keys = o != nullptr && o->keys_per_slot && o->keys_per_slot->empty();
      if (!m.node->slots.empty() || !no_keys) empty = false;
    }
    if (!empty) {
      r.status = plan_status::waiting;
      r.note(severity::info, reconcile_code::shard_not_empty, statefulset_name(c.name, s.index),
             "shard " + std::to_string(s.index) + " still holds slots or keys (or its key counts are unknown)");
      continue;
    }
    if (keeps != nullptr) {
      r.status = plan_status::waiting;
      r.note(severity::info, reconcile_code::last_replica_kept, statefulset_name(c.name, s.index),
             "shard " + std::to_string(s.index) + " holds the last replica of master " + short_id(keeps->id) +
                 "; it leaves once that master's own replica follows it");
      continue;
    }
    // its replicas first: a replica refuses to FORGET its own master
    bool replicas_leaving = false;
    for (const shard_member& m : s.members)
      if (m.node != nullptr && !m.node->is_master() &&
          remove_or_finish(c, r, *m.node, "shard " + std::to_string(s.index) + " is removed, its replicas first"))
        replicas_leaving = true;
    if (replicas_leaving) continue;
    for (const shard_member& m : s.members)
      if (m.node != nullptr) remove_or_finish(c, r, *m.node, "shard " + std::to_string(s.index) + " is removed");
    const std::string sts = s.sts != nullptr ? s.sts->name : statefulset_name(c.name, s.index);
    r.add(2, "shard " + std::to_string(s.index) + " holds nothing any more", delete_statefulset{sts});
    // in the StatefulSet's wave: once it is gone, nothing observed names its volumes any more
    // (Kubernetes keeps a claim until its pod has stopped)
    const bool delete_claims = c.desired.spec.storage && c.desired.spec.storage->delete_claim;
    if (delete_claims)
      for (const shard_member& m : s.members)
        r.add(2, "spec.storage.deleteClaim: drop the volume of " + m.p->name, delete_pvc{"data-" + m.p->name});
  }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

/// Pods beyond clusterReplicas + 1 in a wanted shard: a master among them hands over first,
/// the others leave the cluster, then the StatefulSet shrinks.
[[nodiscard]] inline phase_result remove_extra_replicas(const reconcile_context& c) {
  phase_result r;
  const int want = c.replicas + 1;
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index) || s.sts == nullptr || s.sts->replicas <= want) continue;
    bool removing = false;
    for (const shard_member& m : s.members) {
      if (m.p->ordinal < want || m.node == nullptr) continue;
      if (!c.member(m.node->id)) {
        remove_or_finish(c, r, *m.node, "shard " + std::to_string(s.index) + " keeps " + std::to_string(c.replicas) + " replicas");
        continue;
      }
      if (m.node->is_master()) {
        const cluster_node* to = best_replica(c, m.node->id, true);
        if (to != nullptr && c.layout.find(to->id).second != nullptr &&
            c.layout.find(to->id).second->p->ordinal < want)
          r.add(0, m.p->name + " is to be removed; hand its master role to " + short_id(to->id),
                failover{to->id, failover_mode::default_mode});
        else
          r.note(severity::warning, reconcile_code::no_replica_to_promote, m.p->name,
                 "the master on a pod being removed has no synced replica among the kept pods");
        removing = true;
        continue;
      }
      remove_node(r, *m.node, "shard " + std::to_string(s.index) + " keeps " + std::to_string(c.replicas) + " replicas", 0);
    }
    if (!removing) r.add(2, "shrink shard " + std::to_string(s.index), scale_statefulset{s.sts->name, want});
  }
  if (!r.steps.empty() || !r.diagnostics.empty())
    r.status = r.steps.empty() ? plan_status::waiting : plan_status::actions_planned;
  return r;
}

}  // namespace rcplan::planner_detail
