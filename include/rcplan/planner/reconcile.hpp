#pragma once

// reconcile(): the next safe steps that bring an observed cluster closer to its resource, the
// planner a controller calls on every loop. The phases it composes live in planner/reconcile/.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/reconcile/config.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/reconcile/failures.hpp>
#include <rcplan/planner/reconcile/membership.hpp>
#include <rcplan/planner/reconcile/objects.hpp>
#include <rcplan/planner/reconcile/placement.hpp>
#include <rcplan/planner/reconcile/removal.hpp>
#include <rcplan/planner/reconcile/restore.hpp>
#include <rcplan/planner/reconcile/rolling_update.hpp>
#include <rcplan/planner/reconcile/slots.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

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

namespace planner_detail {

/// A phase: a pure function of the context; it acts when its result has steps or a status.
using phase = phase_result (*)(const reconcile_context&);

/// reconcile()'s phases in the order they are tried (see reconcile() for what each does).
inline constexpr phase reconcile_phases[] = {
    apply_objects,
    handle_failures,
    wait_for_pods,
    change_password,
    create_or_restore_cluster,
    join_nodes,
    assign_roles,
    give_shards_masters,
    finish_interrupted_removals,
    remove_extra_replicas,
    balance_slots,
    remove_drained_shards,
    restart_outdated_pods,
    set_live_config,
    spread_masters,
};

}  // namespace planner_detail

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
[[nodiscard]] inline plan reconcile(const topology& t, const cluster_resource& desired,
                                    const reconcile_options& options = {}) {
  cluster_resource r = desired;
  apply_defaults(r);
  std::vector<diagnostic> problems = validate(r);
  if (has_errors(problems)) {
    plan p;
    p.status = plan_status::blocked;
    p.diagnostics = std::move(problems);
    return p;
  }
  // validation warnings travel with whatever plan comes out
  const auto with_warnings = [&problems](plan p) {
    p.diagnostics.insert(p.diagnostics.begin(), problems.begin(), problems.end());
    return p;
  };
  const bool restoring = options.restore && !planner_detail::cluster_formed(t);
  if (restoring)
    r.spec.master_size = std::max(master_count(r.spec), static_cast<std::int32_t>(options.restore->shards.size()));
  const planner_detail::reconcile_context c(t, r, options.node_timeout_ms, restoring ? &*options.restore : nullptr);
  for (const planner_detail::phase f : planner_detail::reconcile_phases)
    if (planner_detail::phase_result x = f(c); x.acts()) return with_warnings(planner_detail::to_plan(std::move(x)));
  plan done;
  done.status = plan_status::converged;
  done.diagnostics = placement_findings(c.layout, c.desired.spec.placement);
  return with_warnings(std::move(done));
}

}  // namespace rcplan
