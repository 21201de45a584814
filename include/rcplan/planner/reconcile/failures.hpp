#pragma once

// Failures: dead masters (wait for Redis' failover, force it, take over, or write the master
// off when the spec allows), ghost nodes without a pod, and pods that came back at a new address.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace rcplan::planner_detail {

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
    r.note(severity::error, reconcile_code::no_master_to_adopt, dead.id.value,
           "master " + who + " is lost and no live master can take over its slots");
    return;
  }
  r.note(severity::warning, reconcile_code::data_loss, dead.id.value,
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
        c.down_for_ms(*m) > 2 * c.node_timeout_ms) {
      write_off(c, *m, r);
      continue;
    }
    if (rep == nullptr) {
      r.status = plan_status::waiting;
      r.note(severity::warning, reconcile_code::master_down_no_replica, m->id.value,
             "master " + who + " is down with no replica; waiting for its pod to return with its data "
             "(its slots are not reassigned: that would lose their keys)");
      continue;
    }
    if (c.down_for_ms(*m) <= 2 * c.node_timeout_ms) {
      r.status = plan_status::waiting;
      r.note(severity::info, reconcile_code::failover_pending, m->id.value,
             "master " + who + " is down; Redis should promote replica " + short_id(rep->id));
      r.add(0, "let Redis promote a replica of " + who, wait_until{wait_condition::failover_done, rep->id.value, 0});
      continue;
    }
    if (majority) {
      r.add(0, "master " + who + " is down and no replica took over within the node timeout; force the most "
               "up-to-date replica",
            failover{rep->id, failover_mode::force});
    } else if (c.desired.spec.failover.allow_takeover) {
      r.note(severity::warning, reconcile_code::takeover, m->id.value,
             "no majority of masters is up: taking over without a vote, as the spec allows");
      r.add(0, "no majority to elect a replica of " + who + "; take over (allowed by spec.failover)",
            failover{rep->id, failover_mode::takeover});
    } else {
      r.status = plan_status::blocked;
      r.note(severity::error, reconcile_code::no_majority, m->id.value,
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

[[nodiscard]] inline phase_result handle_failures(const reconcile_context& c) {
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

}  // namespace rcplan::planner_detail
