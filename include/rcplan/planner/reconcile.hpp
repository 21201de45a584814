#pragma once

// reconcile(): the next safe steps that bring an observed cluster closer to its resource, the
// planner a controller calls on every loop. The phases it composes live in planner/reconcile/,
// and reconcile() itself in planner/impl/reconcile.hpp (compiled into rcplan::compiled under
// RCPLAN_SEPARATE_COMPILATION, see config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/spec/spec.hpp>

#include <cstdint>
#include <optional>

namespace rcplan {

/// Knobs of the loop that are not part of the resource.
struct reconcile_options {
  /// `cluster-node-timeout` the nodes run with: how long Redis takes to mark a master failed
  /// and promote a replica. A failed master not replaced within twice this is helped along.
  std::uint64_t node_timeout_ms = 15000;
  /// The backup a new cluster starts from (the manifest of `spec.init.backupSource`, read by
  /// the caller, its files checked and placed: see plan_restore()). Used only until the
  /// cluster is formed; a caller that has recorded the restore as done leaves it empty.
  std::optional<backup_manifest> restore;
};

/// The next steps that bring the observed cluster `t` closer to `desired`. Called on every loop
/// of a controller; each call returns only what is safe to do now, in phases:
///
///  1. apply_objects: missing StatefulSets, Services, PDBs, ConfigMap; templates to update
///  2. handle_failures: a dead master (wait for Redis' failover; force it after twice the node
///     timeout; take over only if the spec allows; with no replica, wait for the pod), ghost
///     nodes without a pod, pods that came back at a new address
///  3. wait_for_pods: pods not ready yet
///  4. change_password: `masterauth` on every node, then `requirepass` (no restarts)
///  5. create_cluster: slots and config epochs for fresh nodes, then MEET; when restoring a
///     backup (options.restore, until the cluster is formed), max(K, masterSize) shards, and
///     the restored shards' first pods get their backup shards' slots
///  6. join_nodes: MEET nodes the cluster does not know, and members that forgot it
///  7. assign_roles: every other member of a shard replicates the shard's master
///  8. give_shards_masters: a wanted shard with no master (drained by hand, its pods follow
///     another shard's master) gets one of its replicas back as an empty master (RESET SOFT,
///     MEET), taken from a master that keeps another replica
///  9. finish_interrupted_removals: a drained master's removal cut short is finished
/// 10. remove_extra_replicas: extra replicas leave (a master among them hands over first)
/// 11. balance_slots: repair, then rebalance with the shards' weights (removed shards drain to 0)
/// 12. remove_drained_shards: drained shards (their masters hold nothing) are forgotten, their
///     replicas first, and their StatefulSets (and volumes) deleted; a replica that is the last
///     of a master holding slots waits for that master's own
/// 13. restart_outdated_pods: rolling update, one pod at a time, replicas first, master last
///     after a handover
/// 14. set_live_config: runtime configuration with CONFIG SET
/// 15. spread_masters: the fewest failovers that spread masters over hosts (zones) again
///
/// The first phase with something to do gives the plan; a converged cluster gets an empty plan
/// with status `converged`, carrying the placement findings (a spread that cannot be met is a
/// `placement.best_effort` diagnostic). An invalid spec gives its diagnostics, status `blocked` and no steps.
[[nodiscard]] RCPLAN_ENTRY plan reconcile(const topology& t, const cluster_resource& desired,
                                          const reconcile_options& options = {});

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/reconcile.hpp>
#endif
