#pragma once

// The rolling update: pods on an old revision restart one at a time, replicas first, the master
// last after handing its role to an updated, synced replica.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <string>
#include <vector>

namespace rcplan::planner_detail {

[[nodiscard]] inline bool outdated(const shard_view& s, const shard_member& m) {
  return s.sts != nullptr && !s.sts->update_revision.empty() && !m.p->revision.empty() &&
         m.p->revision != s.sts->update_revision;
}

/// One shard at a time, lowest index first: outdated replicas restart first (each waits until
/// it is back in sync), then the master hands over to an updated replica with the highest
/// offset (the default, handshake failover: no write is lost), then the old master restarts.
[[nodiscard]] inline phase_result restart_outdated_pods(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards) {
    if (!c.wanted(s.index)) continue;
    const shard_member* master = s.master();
    std::vector<const shard_member*> old_replicas;
    bool master_old = false;
    for (const shard_member& m : s.members) {
      if (!outdated(s, m)) continue;
      if (&m == master) master_old = true;
      else old_replicas.push_back(&m);
    }
    if (old_replicas.empty() && !master_old) continue;
    const std::string shard = "shard " + std::to_string(s.index);
    if (!old_replicas.empty()) {
      const shard_member& m = *old_replicas.front();
      r.add(0, shard + ": restart replica " + m.p->name + " on the new revision", delete_pod{m.p->name});
      r.add(1, shard + ": wait for " + m.p->name + " to be back", wait_until{wait_condition::pods_ready, s.sts->name, 0});
      if (m.node != nullptr)
        r.add(2, shard + ": wait until " + m.p->name + " has caught up",
              wait_until{wait_condition::replica_synced, m.node->id.value, 0});
    } else if (const cluster_node* to = master->node ? best_replica(c, master->node->id, true) : nullptr) {
      r.add(0, shard + ": hand the master role to an updated, synced replica before restarting " + master->p->name,
            failover{to->id, failover_mode::default_mode});
      r.add(1, shard + ": wait for the handover", wait_until{wait_condition::failover_done, to->id.value, 0});
    } else if (c.replicas == 0) {
      r.note(severity::warning, reconcile_code::restart_without_replica, master->p->name,
             "the shard has no replica: restarting its master makes its slots unavailable until it is back "
             "(its data stays on its volume)");
      r.add(0, shard + ": restart master " + master->p->name + " (no replica to hand over to)", delete_pod{master->p->name});
      r.add(1, shard + ": wait for " + master->p->name + " to be back", wait_until{wait_condition::pods_ready, s.sts->name, 0});
    } else {
      r.status = plan_status::waiting;
      r.note(severity::info, reconcile_code::waiting_for_synced_replica, master->p->name,
             "no synced replica to hand the master role to yet");
      return r;
    }
    r.status = plan_status::actions_planned;
    return r;  // one shard at a time
  }
  return r;
}

}  // namespace rcplan::planner_detail
