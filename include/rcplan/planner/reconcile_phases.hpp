#pragma once

// The phases of reconcile(), each a pure function of the context. reconcile() runs them in
// order and returns the first that acts: a level-triggered controller only needs the next
// safe steps, and every later phase assumes the earlier ones found nothing to do.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/reconcile_context.hpp>
#include <rcplan/planner/shards.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rcplan::detail {

[[nodiscard]] inline std::uint64_t replication_offset(const reconcile_context& c, const node_id& id) {
  const node_observation* o = c.t.observation(id);
  return o != nullptr && o->replication ? o->replication->offset() : 0;
}

[[nodiscard]] inline bool replica_synced(const reconcile_context& c, const node_id& id) {
  const node_observation* o = c.t.observation(id);
  return o != nullptr && o->replication && o->replication->role == node_role::replica &&
         o->replication->master_link_up && !o->replication->master_sync_in_progress;
}

/// The healthy replica of `master` with the highest replication offset (then lowest id).
[[nodiscard]] inline const cluster_node* best_replica(const reconcile_context& c, const node_id& master,
                                                      bool synced_only) {
  const cluster_node* best = nullptr;
  for (const cluster_node& n : c.nodes) {
    // a replica the cluster forgot (on its way out) gets no votes: never the one to promote
    if (n.is_master() || n.master_id != master || n.failed() || n.flags.handshake || !c.member(n.id)) continue;
    if (synced_only && !replica_synced(c, n.id)) continue;
    if (best == nullptr || replication_offset(c, n.id) > replication_offset(c, best->id)) best = &n;
  }
  return best;
}

// --- failures: dead masters, ghosts, moved pods ------------------------------------------

/// The live master with the fewest slots (then the lowest id), other than `except`.
[[nodiscard]] inline const cluster_node* least_loaded_master(const reconcile_context& c, const node_id& except) {
  const cluster_node* best = nullptr;
  for (const cluster_node* n : c.slot_masters())
    if (n->id != except && !n->failed() && c.member(n->id) && (best == nullptr || n->slots.count() < best->slots.count()))
      best = n;
  return best;
}

/// Whether a live master claims some of `dead`'s slots: a failover whose result not every view
/// has accepted yet, never a reason to give the slots up.
[[nodiscard]] inline bool claimed_elsewhere(const reconcile_context& c, const cluster_node& dead) {
  for (const cluster_node* n : c.slot_masters())
    if (n->id != dead.id && !n->failed() && !(n->slots & dead.slots).empty()) return true;
  return false;
}

/// spec.failover.allowDataLoss: a master with no replica stayed down past the timeout, so its
/// keys are given up. Forgetting it everywhere unassigns its slots (Redis drops a forgotten
/// node's claims); the least loaded live master then serves them, empty, and the rebalance
/// evens the load out later. The diagnostic is the plan's record of the loss.
inline void write_off(const reconcile_context& c, const cluster_node& dead, phase_result& r) {
  const cluster_node* adopter = least_loaded_master(c, dead.id);
  const std::string who = short_id(dead.id);
  if (adopter == nullptr) {
    r.status = plan_status::blocked;
    r.note(severity::error, "reconcile.no_master_to_adopt", dead.id.value,
           "master " + who + " is lost and no live master can take over its slots");
    return;
  }
  r.note(severity::warning, data_loss_code, dead.id.value,
         "master " + who + " has been down past twice the node timeout with no replica; as "
         "spec.failover.allowDataLoss allows, its slots " + to_string(dead.slots) + " go to " +
         short_id(adopter->id) + " empty and the keys they held are lost");
  r.add(0, "give up lost master " + who + " (spec.failover.allowDataLoss): every node forgets it", forget{dead.id});
  r.add(1, short_id(adopter->id) + " serves the slots of lost master " + who + ", empty",
        add_slots{adopter->id, dead.slots});
  r.status = plan_status::actions_planned;
}

inline void failed_masters(const reconcile_context& c, phase_result& r) {
  const auto masters = c.slot_masters();
  std::size_t alive = 0;
  for (const cluster_node* m : masters) alive += m->failed() ? 0U : 1U;
  const bool majority = alive * 2 > masters.size();
  for (const cluster_node* m : masters) {
    if (!m->flags.fail) continue;
    const std::string who = short_id(m->id);
    const cluster_node* rep = best_replica(c, m->id, false);
    if (rep == nullptr && c.desired.spec.failover.allow_data_loss && majority && !claimed_elsewhere(c, *m) &&
        c.down_for_ms(*m) > 2 * c.options.node_timeout_ms) {
      write_off(c, *m, r);
      continue;
    }
    if (rep == nullptr) {
      r.status = plan_status::waiting;
      r.note(severity::warning, "reconcile.master_down_no_replica", m->id.value,
             "master " + who + " is down with no replica; waiting for its pod to return with its data "
             "(its slots are not reassigned: that would lose their keys)");
      continue;
    }
    if (c.down_for_ms(*m) <= 2 * c.options.node_timeout_ms) {
      r.status = plan_status::waiting;
      r.note(severity::info, "reconcile.failover_pending", m->id.value,
             "master " + who + " is down; Redis should promote replica " + short_id(rep->id));
      r.add(0, "let Redis promote a replica of " + who, wait_until{wait_condition::failover_done, rep->id.value, 0});
      continue;
    }
    if (majority) {
      r.add(0, "master " + who + " is down and no replica took over within the node timeout; force the most "
               "up-to-date replica",
            failover{rep->id, failover_mode::force});
    } else if (c.desired.spec.failover.allow_takeover) {
      r.note(severity::warning, "reconcile.takeover", m->id.value,
             "no majority of masters is up: taking over without a vote, as the spec allows");
      r.add(0, "no majority to elect a replica of " + who + "; take over (allowed by spec.failover)",
            failover{rep->id, failover_mode::takeover});
    } else {
      r.status = plan_status::blocked;
      r.note(severity::error, "reconcile.no_majority", m->id.value,
             "master " + who + " is down, no majority of masters is up to elect its replica, and "
             "spec.failover.allowTakeover is false");
    }
  }
}

/// Nodes without a pod that are down or lost their address are forgotten. A handshake entry
/// is not: it is a MEET in progress under a temporary id, which Redis completes or drops by
/// itself within the handshake timeout; forgetting it can leave two nodes half met.
inline void ghosts(const reconcile_context& c, phase_result& r) {
  if (c.t.pods.empty()) return;  // no Kubernetes picture: a node without a pod proves nothing
  for (const cluster_node* n : c.layout.unmapped) {
    const bool gone = (n->flags.fail || n->flags.noaddr) && !n->flags.handshake;
    if (!gone || !n->slots.empty() || (n->is_master() && n->failed() && best_replica(c, n->id, false)))
      continue;
    r.add(0, "node " + short_id(n->id) + " has no pod and is unreachable; forget it", forget{n->id});
  }
}

[[nodiscard]] inline const cluster_node* seed(const reconcile_context& c) {
  for (const cluster_node& n : c.nodes)
    if (n.is_master() && !n.slots.empty() && !n.failed()) return &n;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members)
      if (m.node != nullptr && !m.node->failed()) return m.node;
  return nullptr;
}

/// Whether the node's own line or any other member's line for it still names an address
/// other than its pod's: the merged view takes a node's own line, which is already right after
/// a move, while the others keep routing to the old address until a MEET.
[[nodiscard]] inline bool stale_address(const reconcile_context& c, const shard_member& m) {
  const auto differs = [&m](const address& a) { return a.host != m.p->ip || a.port != m.p->port; };
  if (differs(m.node->addr)) return true;
  for (const cluster_view& v : c.t.views) {
    if (v.observer == m.node->id || !c.member(v.observer)) continue;
    for (const cluster_node& n : v.nodes)
      if (n.id == m.node->id && differs(n.addr)) return true;
  }
  return false;
}

/// A live member other than `moved` to send the MEET to: the moved node itself cannot tell
/// the others its address (its own table already has it right).
[[nodiscard]] inline const cluster_node* meet_via(const reconcile_context& c, const cluster_node& moved) {
  for (const cluster_node& n : c.nodes)
    if (n.id != moved.id && n.is_master() && !n.slots.empty() && !n.failed() && c.member(n.id)) return &n;
  for (const cluster_node& n : c.nodes)
    if (n.id != moved.id && !n.failed() && c.member(n.id) && c.t.observation(n.id) != nullptr) return &n;
  return nullptr;
}

inline void moved_pods(const reconcile_context& c, phase_result& r) {
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      if (m.node == nullptr || m.observed == nullptr || !c.member(m.node->id)) continue;
      if (!stale_address(c, m)) continue;
      const cluster_node* via = meet_via(c, *m.node);
      if (via == nullptr) continue;
      address a{m.p->ip, m.p->port, static_cast<std::uint16_t>(m.p->port + 10000), ""};
      r.add(0, "pod " + m.p->name + " moved to " + m.p->ip + "; its node " + short_id(m.node->id) +
                   " keeps its id, tell the cluster the new address",
            meet{m.node->id, a, via->id});
    }
}

[[nodiscard]] inline phase_result failures(const reconcile_context& c) {
  phase_result r;
  failed_masters(c, r);
  if (r.status == plan_status::blocked) return r;
  ghosts(c, r);
  moved_pods(c, r);
  const bool acting = std::any_of(r.steps.begin(), r.steps.end(),
                                  [](const step& s) { return !std::holds_alternative<wait_until>(s.action); });
  if (acting) r.status = plan_status::actions_planned;
  return r;
}

// --- pods ----------------------------------------------------------------------------------

[[nodiscard]] inline phase_result pods_ready(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index) || s.sts == nullptr) continue;
    const auto want = static_cast<std::size_t>(s.sts->replicas);
    std::size_t ready = 0;
    for (const shard_member& m : s.members) ready += m.p->ready && !m.p->terminating ? 1U : 0U;
    if (ready >= want) continue;
    r.status = plan_status::waiting;
    r.add(0, "shard " + std::to_string(s.index) + " has " + std::to_string(ready) + " of " + std::to_string(want) +
                 " pods ready",
          wait_until{wait_condition::pods_ready, s.sts->name, 0});
  }
  return r;
}

// --- create, join, roles -------------------------------------------------------------------

/// The pod of each wanted shard that should be its master when the cluster is created: spread
/// over hosts and zones by the placement policy; any reached pod where no spread is possible.
[[nodiscard]] inline std::map<int, const shard_member*> creation_masters(const reconcile_context& c) {
  std::map<int, const shard_member*> out;
  for (const auto& [shard, m] : choose_masters(c.layout, c.desired.spec.placement))
    if (c.wanted(shard) && m != nullptr && m->observed != nullptr) out[shard] = m;
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index) || out.count(s.index)) continue;
    for (const shard_member& m : s.members)
      if (m.observed != nullptr) {
        out[s.index] = &m;
        break;
      }
  }
  return out;
}

[[nodiscard]] inline slot_range shard_range(int shard, int shards) {
  const auto first = static_cast<std::size_t>(shard) * slot_count / static_cast<std::size_t>(shards);
  const auto last = static_cast<std::size_t>(shard + 1) * slot_count / static_cast<std::size_t>(shards) - 1;
  return {static_cast<slot>(first), static_cast<slot>(last)};
}

/// A cluster with no slot anywhere: give each shard's chosen master a contiguous range and a
/// distinct config epoch (while it still knows only itself, as SET-CONFIG-EPOCH requires),
/// then introduce every node to shard 0's master.
[[nodiscard]] inline phase_result create(const reconcile_context& c) {
  phase_result r;
  if (!c.slot_masters().empty()) return r;
  const auto chosen = creation_masters(c);
  if (static_cast<int>(chosen.size()) < c.masters) {
    r.status = plan_status::waiting;
    r.note(severity::info, "reconcile.waiting_for_nodes", "",
           "creating the cluster needs a reachable node in every shard");
    return r;
  }
  for (const auto& [shard, m] : chosen) {
    const node_id& id = m->observed->id;
    const cluster_node* n = c.node(id);
    if (n != nullptr && n->config_epoch == 0)
      r.add(0, "give " + m->p->name + " its own config epoch before it meets the others",
            set_config_epoch{id, static_cast<std::uint64_t>(shard) + 1});
    const slot_range range = shard_range(shard, c.masters);
    r.add(0, "shard " + std::to_string(shard) + " serves slots " + std::to_string(range.first) + "-" +
                 std::to_string(range.last),
          add_slots{id, slot_set{range}});
  }
  const node_id via = chosen.begin()->second->observed->id;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      if (!c.wanted(s.index) || m.p->ordinal > c.replicas) continue;
      if (m.observed == nullptr || m.observed->id == via) continue;
      r.add(1, "introduce " + m.p->name + " to the cluster", meet{m.observed->id, m.observed->addr, via});
    }
  r.add(2, "wait until every node knows every other", wait_until{wait_condition::views_agree, "", 0});
  r.status = plan_status::actions_planned;
  return r;
}

/// Node ids the cluster's seed knows: nodes observed but not known must be met.
[[nodiscard]] inline std::set<node_id> known_to(const reconcile_context& c, const cluster_node& s) {
  std::set<node_id> out;
  for (const cluster_view& v : c.t.views)
    if (v.observer == s.id)
      for (const cluster_node& n : v.nodes) out.insert(n.id);
  if (out.empty())
    for (const cluster_node& n : c.nodes) out.insert(n.id);
  return out;
}

[[nodiscard]] inline phase_result join(const reconcile_context& c) {
  phase_result r;
  const cluster_node* via = seed(c);
  if (via == nullptr) return r;
  const std::set<node_id> known = known_to(c, *via);
  slot_set member_slots;
  for (const cluster_node& n : c.nodes)
    if (known.count(n.id) && n.is_master()) member_slots |= n.slots;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      // pods on their way out (removed shards, ordinals beyond the replica count) stay out
      if (!c.wanted(s.index) || m.p->ordinal > c.replicas) continue;
      if (m.observed == nullptr || !m.p->ready || known.count(m.observed->id)) continue;
      if (m.node != nullptr && !(m.node->slots & member_slots).empty()) {
        // a node that was given up (its slots now served by others) came back with its
        // nodes.conf: meeting it would let the higher config epoch pick whose copy survives
        r.status = plan_status::blocked;
        r.note(severity::error, "reconcile.conflicting_claims", m.observed->id.value,
               "pod " + m.p->name + " runs node " + short_id(m.observed->id) + ", which claims slots " +
                   to_string(m.node->slots & member_slots) +
                   " the cluster serves elsewhere; flush and reset it, or restore it, before it may join");
        continue;
      }
      r.add(0, "introduce " + m.p->name + " (node " + short_id(m.observed->id) + ") to the cluster",
            meet{m.observed->id, m.observed->addr, via->id});
    }
  if (r.status == plan_status::blocked) {
    r.steps.clear();  // a person decides first; meeting the others can wait for that
    return r;
  }
  if (!r.steps.empty()) {
    r.add(1, "wait until the new nodes are known everywhere", wait_until{wait_condition::views_agree, "", 0});
    r.status = plan_status::actions_planned;
  }
  return r;
}

[[nodiscard]] inline phase_result roles(const reconcile_context& c) {
  phase_result r;
  std::set<std::string> replicating;  // pod names
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index)) continue;
    const shard_member* m = s.master();
    if (m == nullptr || m->node->failed()) continue;
    for (const shard_member& x : s.members) {
      if (&x == m || x.node == nullptr || x.node->failed()) continue;
      // pods beyond the replica count are on their way out: remove_extra_replicas owns them
      if (x.p->ordinal > c.replicas) continue;
      const bool empty_master = x.node->is_master() && x.node->slots.empty();
      const bool elsewhere = !x.node->is_master() && x.node->master_id != m->node->id;
      if (!empty_master && !elsewhere) continue;
      if (x.node->is_master() && !x.node->slots.empty()) continue;
      r.add(0, x.p->name + " replicates " + m->p->name + ", the master of shard " + std::to_string(s.index),
            replicate{x.node->id, m->node->id});
      replicating.insert(x.p->name);
    }
  }
  // A pod rescheduled while a host was away can sit beside its master: a replica there still
  // beats none, and the plan says so (design §6) with the placement finding about that pod.
  if (!replicating.empty())
    for (diagnostic& d : placement_findings(c.layout, c.desired.spec.placement))
      if (d.code.rfind("placement.replica_on_master_", 0) == 0 && replicating.count(d.subject))
        r.diagnostics.push_back(std::move(d));
  if (!r.steps.empty()) {
    r.add(1, "wait until the new roles are known everywhere", wait_until{wait_condition::views_agree, "", 0});
    r.status = plan_status::actions_planned;
  }
  return r;
}

// --- scaling -------------------------------------------------------------------------------

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
/// member has forgotten.
inline void remove_or_finish(const reconcile_context& c, phase_result& r, const cluster_node& n, const std::string& why) {
  if (c.member(n.id) || known_by_members(c, n)) remove_node(r, n, why, 0);
  else if (still_knows_cluster(c, n))
    r.add(0, why + ": " + short_id(n.id) + " was forgotten; it forgets the cluster", reset{n.id, reset_mode::hard});
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

/// Replicas of shards the spec no longer wants leave first, before their masters are drained:
/// Redis would otherwise migrate them to other masters once theirs lost its last slot.
[[nodiscard]] inline phase_result remove_replicas_of_removed_shards(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (c.wanted(s.index)) continue;
    for (const shard_member& m : s.members) {
      if (m.node == nullptr) continue;
      // a drained master whose FORGET was cut short leaves views disagreeing, and the slot
      // phase (before the removal of drained shards) would wait on them for ever: finish it here
      const bool finish = m.node->is_master() && drained(c, *m.node) && forget_started(c, *m.node);
      if (!m.node->is_master() || finish) remove_or_finish(c, r, *m.node, "shard " + std::to_string(s.index) + " is removed");
    }
  }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

/// Shards beyond masterSize whose masters hold no slot and no key: remove the nodes, then the
/// StatefulSet, then (with deleteClaim) the volumes.
[[nodiscard]] inline phase_result remove_drained_shards(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (c.wanted(s.index)) continue;
    bool empty = true;
    for (const shard_member& m : s.members) {
      if (m.node == nullptr) continue;
      const node_observation* o = c.t.observation(m.node->id);
      const bool no_keys = o != nullptr && o->keys_per_slot && o->keys_per_slot->empty();
      if (!m.node->slots.empty() || !no_keys) empty = false;
    }
    if (!empty) {
      r.status = plan_status::waiting;
      r.note(severity::info, "reconcile.shard_not_empty", statefulset_name(c.name, s.index),
             "shard " + std::to_string(s.index) + " still holds slots or keys (or its key counts are unknown)");
      continue;
    }
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
          r.note(severity::warning, "reconcile.no_replica_to_promote", m.p->name,
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

// --- slots ---------------------------------------------------------------------------------

[[nodiscard]] inline plan rebalance(const reconcile_context& c) {
  rebalance_options o;
  o.use_empty_masters = c.desired.spec.rebalance.use_empty_masters;
  o.threshold_percent = c.desired.spec.rebalance.threshold_percent;
  o.max_concurrent_migrations = static_cast<std::size_t>(std::max(0, c.desired.spec.migration.max_concurrent_migrations));
  o.balance = c.desired.spec.rebalance.balance_by == balance_metric::keys ? balance_mode::keys : balance_mode::slots;
  for (const cluster_node& n : c.nodes) {
    if (!n.is_master() || c.t.pods.empty()) continue;  // without pods, every master serves
    const auto [s, m] = c.layout.find(n.id);
    // only the masters of wanted shards serve slots; removed shards and strangers drain
    const bool serves = s != nullptr && c.wanted(s->index) && s->master() == m;
    o.weights[n.id] = serves ? shard_weight(c.desired.spec, s->index) : 0.0;
  }
  return plan_rebalance(c.cluster_only, o);
}

// --- placement -----------------------------------------------------------------------------

/// After failovers left masters sharing a host (or zone), the fewest planned failovers that
/// spread them again; only once everything else is done, so they never race a migration.
[[nodiscard]] inline phase_result spread_masters(const reconcile_context& c) {
  phase_result r;
  placement_plan pp = plan_spread_failovers(c.layout, c.desired.spec.placement);
  r.diagnostics = std::move(pp.diagnostics);
  for (const failover& f : pp.failovers) {
    r.add(0, "spread masters over " + std::string(c.desired.spec.placement.spread_by == spread_domain::zone ? "zones" : "hosts") +
                 ": promote " + short_id(f.replica),
          f);
    r.add(1, "wait for the handover to " + short_id(f.replica), wait_until{wait_condition::failover_done, f.replica.value, 0});
  }
  r.status = pp.failovers.empty() ? plan_status::converged : plan_status::actions_planned;
  return r;
}

}  // namespace rcplan::detail
