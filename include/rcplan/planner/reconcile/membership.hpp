#pragma once

// Who is in the cluster and in which role: creating it from fresh nodes, meeting nodes it does
// not know, and making every other member of a shard replicate the shard's master.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/detail/placement.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace rcplan::planner_detail {

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

/// Creating a cluster, first: the node chosen for `shard` gets a config epoch of its own while
/// it still knows only itself (SET-CONFIG-EPOCH refuses otherwise), unless it has one.
inline void give_own_epoch(const reconcile_context& c, const shard_member& m, int shard, phase_result& r) {
  const cluster_node* n = c.node(m.observed->id);
  if (n != nullptr && n->config_epoch == 0)
    r.add(0, "give " + m.p->name + " its own config epoch before it meets the others",
          set_config_epoch{m.observed->id, static_cast<std::uint64_t>(shard) + 1});
}

/// Creating a cluster, last: every wanted pod's node (on its way out: not) meets `via` in wave 1,
/// and wave 2 waits until all know all.
inline void introduce_everyone(const reconcile_context& c, const node_id& via, phase_result& r) {
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      if (!c.wanted(s.index) || m.p->ordinal > c.replicas) continue;
      if (m.observed == nullptr || m.observed->id == via) continue;
      r.add(1, "introduce " + m.p->name + " to the cluster", meet{m.observed->id, m.observed->addr, via});
    }
  r.add(2, "wait until every node knows every other", wait_until{wait_condition::views_agree, "", 0});
  r.status = plan_status::actions_planned;
}

/// A cluster with no slot anywhere: give each shard's chosen master a contiguous range and a
/// distinct config epoch (while it still knows only itself, as SET-CONFIG-EPOCH requires),
/// then introduce every node to shard 0's master.
[[nodiscard]] inline phase_result create_cluster(const reconcile_context& c) {
  phase_result r;
  if (!c.slot_masters().empty()) return r;
  const auto chosen = creation_masters(c);
  if (static_cast<int>(chosen.size()) < c.masters) {
    r.status = plan_status::waiting;
    r.note(severity::info, reconcile_code::waiting_for_nodes, "",
           "creating the cluster needs a reachable node in every shard");
    return r;
  }
  for (const auto& [shard, m] : chosen) {
    const node_id& id = m->observed->id;
    give_own_epoch(c, *m, shard, r);
    const slot_range range = shard_range(shard, c.masters);
    r.add(0, "shard " + std::to_string(shard) + " serves slots " + std::to_string(range.first) + "-" +
                 std::to_string(range.last),
          add_slots{id, slot_set{range}});
  }
  introduce_everyone(c, chosen.begin()->second->observed->id, r);
  return r;
}

[[nodiscard]] inline const cluster_node* seed(const reconcile_context& c) {
  for (const cluster_node& n : c.nodes)
    if (n.is_master() && !n.slots.empty() && !n.failed()) return &n;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members)
      if (m.node != nullptr && !m.node->failed()) return m.node;
  return nullptr;
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

/// A member that lists only itself although the cluster lists it: a replica turned into its
/// shard's empty master (give_shards_masters) whose MEET did not run. It holds no slot, so
/// meeting it again is all it needs.
[[nodiscard]] inline bool forgot_cluster(const reconcile_context& c, const cluster_node* n) {
  if (n == nullptr || !c.member(n->id) || !n->is_master() || !n->slots.empty() || n->failed()) return false;
  for (const cluster_view& v : c.t.views)
    if (v.observer == n->id) return v.nodes.size() == 1;
  return false;
}

[[nodiscard]] inline phase_result join_nodes(const reconcile_context& c) {
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
      if (m.observed == nullptr || !m.p->ready) continue;
      if (known.count(m.observed->id) && !forgot_cluster(c, m.node)) continue;
      if (m.node != nullptr && !(m.node->slots & member_slots).empty()) {
        // a node that was given up (its slots now served by others) came back with its
        // nodes.conf: meeting it would let the higher config epoch pick whose copy survives
        r.status = plan_status::blocked;
        r.note(severity::error, reconcile_code::conflicting_claims, m.observed->id.value,
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

/// Healthy members following `master`, other than `except`.
[[nodiscard]] inline int other_replicas(const reconcile_context& c, const node_id& master, const node_id& except) {
  int n = 0;
  for (const cluster_node& x : c.nodes)
    if (!x.is_master() && x.master_id == master && x.id != except && !x.failed() && !x.flags.handshake && c.member(x.id))
      ++n;
  return n;
}

/// `x` follows another master holding slots as its only replica, and the shard's own master
/// holds none yet: moving it now would leave that master alone for the whole time the slot
/// phase fills the empty one.
[[nodiscard]] inline bool last_replica_elsewhere(const reconcile_context& c, const cluster_node& x, const cluster_node& own) {
  if (x.is_master() || !x.master_id || c.replicas == 0 || !own.slots.empty()) return false;
  const cluster_node* m = c.node(*x.master_id);
  return m != nullptr && m->is_master() && !m->slots.empty() && !m->failed() && other_replicas(c, m->id, x.id) == 0;
}

[[nodiscard]] inline phase_result assign_roles(const reconcile_context& c) {
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
      if (last_replica_elsewhere(c, *x.node, *m->node)) continue;
      r.add(0, x.p->name + " replicates " + m->p->name + ", the master of shard " + std::to_string(s.index),
            replicate{x.node->id, m->node->id});
      replicating.insert(x.p->name);
    }
  }
  // A pod rescheduled while a host was away can sit beside its master: a replica there still
  // beats none, and the plan says so (design §6) with the placement finding about that pod.
  if (!replicating.empty())
    for (placement_finding& f : placement_issues(c.layout, c.desired.spec.placement))
      if (f.replica_beside_master() && replicating.count(f.diagnostic.subject))
        r.diagnostics.push_back(std::move(f.diagnostic));
  if (!r.steps.empty()) {
    r.add(1, "wait until the new roles are known everywhere", wait_until{wait_condition::views_agree, "", 0});
    r.status = plan_status::actions_planned;
  }
  return r;
}

/// Whether replica `x` may leave its master: the master is alive and, when it holds slots and
/// replicas are wanted, keeps another replica besides those already leaving in this plan.
[[nodiscard]] inline bool can_leave_master(const reconcile_context& c, const cluster_node& x,
                                           const std::map<node_id, int>& leaving) {
  if (x.is_master() || !x.master_id || x.failed() || x.flags.handshake || !c.member(x.id)) return false;
  const node_observation* o = c.t.observation(x.id);
  const cluster_node* m = c.node(*x.master_id);
  if (o == nullptr || !o->reachable || m == nullptr || !m->is_master() || m->failed()) return false;
  if (m->slots.empty() || c.replicas == 0) return true;
  const auto it = leaving.find(m->id);
  return other_replicas(c, m->id, x.id) - (it == leaving.end() ? 0 : it->second) >= 1;
}

/// A wanted shard none of whose pods is a master: its master was drained by hand, and Redis
/// made it (and the shard's replicas) follow the master that took its last slot. One of its
/// pods whose master keeps another replica leaves that master (CLUSTER RESET SOFT: it forgets
/// the cluster and drops its copy of the data, its node id stays) and meets the cluster again
/// as the shard's empty master, which the slot phase then fills. A failover would move no data,
/// but it takes the master role from whichever shard the pod follows, which may be a wanted one.
[[nodiscard]] inline phase_result give_shards_masters(const reconcile_context& c) {
  phase_result r;
  const cluster_node* via = seed(c);
  if (via == nullptr) return r;
  std::map<node_id, int> leaving;  // replicas each master gives up in this plan
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index) || s.master() != nullptr) continue;
    const shard_member* chosen = nullptr;
    bool running = false;
    for (const shard_member& m : s.members) {
      if (m.node == nullptr || m.observed == nullptr || m.node->failed() || m.p->ordinal > c.replicas) continue;
      running = true;
      if (can_leave_master(c, *m.node, leaving)) {
        chosen = &m;
        break;
      }
    }
    if (!running) continue;  // nothing of the shard runs yet: the pod phases wait for it
    if (chosen == nullptr) {
      r.note(severity::warning, reconcile_code::shard_without_master, statefulset_name(c.name, s.index),
             "shard " + std::to_string(s.index) +
                 " has no master, and each of its pods is the last replica of a master holding slots (or its "
                 "master is down)");
      continue;
    }
    const cluster_node& x = *chosen->node;
    ++leaving[*x.master_id];
    r.add(0, "shard " + std::to_string(s.index) + " has no master: " + chosen->p->name + " stops following " +
                 short_id(*x.master_id) + " and forgets the cluster",
          reset{x.id, reset_mode::soft});
    r.add(1, chosen->p->name + " rejoins as the empty master of shard " + std::to_string(s.index),
          meet{x.id, chosen->observed->addr, via->id});
  }
  if (!r.steps.empty()) {
    r.add(2, "wait until the new masters are known everywhere", wait_until{wait_condition::views_agree, "", 0});
    r.status = plan_status::actions_planned;
  } else if (!r.diagnostics.empty()) {
    r.status = plan_status::waiting;
  }
  return r;
}

}  // namespace rcplan::planner_detail
