#pragma once

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/reconcile_context.hpp>
#include <rcplan/planner/reconcile_phases.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace rcplan {
namespace detail {

// --- Kubernetes objects ------------------------------------------------------------------

/// StatefulSets (with their Services and PDBs) that are missing, too small or out of date. An
/// update only changes the pod template: with the OnDelete strategy, pods restart when the
/// rolling update phase deletes them, one at a time.
[[nodiscard]] inline phase_result objects(const reconcile_context& c) {
  phase_result r;
  const kube_objects want = desired_objects(c.desired);
  const bool first = c.t.statefulsets.empty();
  if (first) {
    r.add(0, "redis.conf for every pod", apply_configmap{want.configmap});
    for (const service_description& s : want.services)
      if (s.shard_index < 0) r.add(0, "the client Service spanning all shards", apply_service{s});
  }
  bool config_changed = false;
  for (const statefulset_description& d : want.statefulsets) {
    const shard_view* have = c.layout.shard(d.shard_index);
    const statefulset* sts = have != nullptr ? have->sts : nullptr;
    const std::string shard = "shard " + std::to_string(d.shard_index);
    if (sts == nullptr) {
      for (const service_description& s : want.services)
        if (s.shard_index == d.shard_index) r.add(0, shard + ": its headless Service", apply_service{s});
      for (const pdb_description& p : want.pdbs)
        if (p.shard_index == d.shard_index) r.add(0, shard + ": at most one pod down at a time", apply_pdb{p});
      r.add(0, shard + ": create its StatefulSet of " + std::to_string(d.replicas) + " pods", apply_statefulset{d});
      continue;
    }
    if (template_outdated(*sts, d)) {
      config_changed = config_changed || sts->config_hash != template_config_hash(d);
      r.add(0, shard + ": update the pod template (" + (sts->image != d.image ? "image " + d.image : "redis.conf") +
                   "); pods restart one by one later",
            apply_statefulset{d});
    } else if (sts->replicas < d.replicas) {
      r.add(0, shard + ": grow to " + std::to_string(d.replicas) + " pods", scale_statefulset{sts->name, d.replicas});
    }
  }
  // restarted pods read redis.conf from the ConfigMap: it changes with the templates
  if (config_changed && !first)
    r.steps.insert(r.steps.begin(), step{0, "redis.conf changed: the ConfigMap pods restart from", apply_configmap{want.configmap}});
  if (!r.steps.empty()) {
    r.add(1, "wait for the pods to start", wait_until{wait_condition::pods_ready, "", 0});
    r.status = plan_status::actions_planned;
  }
  return r;
}

// --- rolling update ----------------------------------------------------------------------

[[nodiscard]] inline bool outdated(const shard_view& s, const shard_member& m) {
  return s.sts != nullptr && !s.sts->update_revision.empty() && !m.p->revision.empty() &&
         m.p->revision != s.sts->update_revision;
}

/// One shard at a time, lowest index first: outdated replicas restart first (each waits until
/// it is back in sync), then the master hands over to an updated replica with the highest
/// offset (the default, handshake failover: no write is lost), then the old master restarts.
[[nodiscard]] inline phase_result rolling_update(const reconcile_context& c) {
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
      r.note(severity::warning, "reconcile.restart_without_replica", master->p->name,
             "the shard has no replica: restarting its master makes its slots unavailable until it is back "
             "(its data stays on its volume)");
      r.add(0, shard + ": restart master " + master->p->name + " (no replica to hand over to)", delete_pod{master->p->name});
      r.add(1, shard + ": wait for " + master->p->name + " to be back", wait_until{wait_condition::pods_ready, s.sts->name, 0});
    } else {
      r.status = plan_status::waiting;
      r.note(severity::info, "reconcile.waiting_for_synced_replica", master->p->name,
             "no synced replica to hand the master role to yet");
      return r;
    }
    r.status = plan_status::actions_planned;
    return r;  // one shard at a time
  }
  return r;
}

// --- live configuration ------------------------------------------------------------------

/// redis.conf parameters that differ from the spec on a running node and that Redis accepts
/// at runtime. The others come with the pod-template update and its rolling restart.
[[nodiscard]] inline phase_result live_config(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      if (m.observed == nullptr || m.node == nullptr) continue;
      for (const auto& [key, want] : c.desired.spec.config) {
        const auto have = m.observed->config.find(key);
        if (have == m.observed->config.end() || have->second == want || needs_restart(key)) continue;
        r.add(0, m.p->name + ": " + key + " " + have->second + " -> " + want + " (settable at runtime)",
              config_set{m.node->id, key, want, false});
      }
    }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

// --- password change -----------------------------------------------------------------------

/// A new password reaches running nodes without restarts. Every node first learns it as
/// `masterauth` (what it authenticates to its master with), and only once all have it does
/// any node require it: the other order cuts replicas off their masters until they catch up,
/// and a failover in that window promotes a stale copy. Pods that restart read the new
/// password from the Secret at start.
[[nodiscard]] inline phase_result password_change(const reconcile_context& c) {
  phase_result r;
  std::vector<const cluster_node*> no_auth, no_require;
  for (const cluster_node& n : c.nodes) {
    const node_observation* o = c.t.observation(n.id);
    if (o == nullptr || !o->reachable || !o->password) continue;
    if (!o->password->masterauth_current) no_auth.push_back(&n);
    if (!o->password->requirepass_current) no_require.push_back(&n);
  }
  const bool first_step = !no_auth.empty();
  for (const cluster_node* n : first_step ? no_auth : no_require) {
    const std::string who = short_id(n->id);
    if (first_step)
      r.add(0, who + ": authenticate to masters with the new password before any node requires it",
            config_set{n->id, "masterauth", std::string(secret_placeholder), true});
    else
      r.add(0, who + ": require the new password (every node already authenticates with it)",
            config_set{n->id, "requirepass", std::string(secret_placeholder), true});
  }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

[[nodiscard]] inline plan to_plan(phase_result r) {
  plan p;
  p.status = r.status == plan_status::converged && !r.steps.empty() ? plan_status::actions_planned : r.status;
  p.diagnostics = std::move(r.diagnostics);
  p.steps = std::move(r.steps);
  return p;
}

}  // namespace detail

/// The next steps that bring the observed cluster `t` closer to `desired`. Called on every loop
/// of a controller; each call returns only what is safe to do now, in phases:
///
///  1. Kubernetes objects: missing StatefulSets, Services, PDBs, ConfigMap; templates to update
///  2. failures: a dead master (wait for Redis' failover; force it after twice the node
///     timeout; take over only if the spec allows; with no replica, wait for the pod), ghost
///     nodes without a pod, pods that came back at a new address
///  3. pods not ready yet: wait
///     a changed password: `masterauth` on every node, then `requirepass` (no restarts)
///  4. creation: slots and config epochs for fresh nodes, then MEET
///  5. joining: MEET nodes the cluster does not know
///  6. roles: every other member of a shard replicates the shard's master
///  7. removed shards lose their replicas first
///  8. extra replicas leave (a master among them hands over first)
///  9. slots: repair, then rebalance with the shards' weights (removed shards drain to 0)
/// 10. drained shards are forgotten and their StatefulSets (and volumes) deleted
/// 11. rolling update, one pod at a time, replicas first, master last after a handover
/// 12. runtime configuration with CONFIG SET
/// 13. placement: the fewest failovers that spread masters over hosts (zones) again
///
/// The first phase with something to do gives the plan; a converged cluster gets an empty plan
/// with status `converged`, carrying the placement findings (a spread that cannot be met is a
/// `placement.best_effort` diagnostic). An invalid spec gives its diagnostics, status `blocked` and no steps.
[[nodiscard]] inline plan reconcile(const topology& t, const cluster_resource& desired,
                                    const reconcile_options& options = {}) {
  cluster_resource r = desired;
  apply_defaults(r);
  std::vector<diagnostic> problems = validate(r.spec);
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
  const detail::reconcile_context c(t, r, options);
  using phase = std::function<detail::phase_result(const detail::reconcile_context&)>;
  const phase before_slots[] = {detail::objects, detail::failures, detail::pods_ready,
                                detail::password_change, detail::create,
                                detail::join, detail::roles, detail::remove_replicas_of_removed_shards,
                                detail::remove_extra_replicas};
  for (const phase& f : before_slots)
    if (detail::phase_result x = f(c); x.acts()) return with_warnings(detail::to_plan(std::move(x)));
  if (plan slots = detail::rebalance(c); slots.status != plan_status::converged) return with_warnings(std::move(slots));
  const phase after_slots[] = {detail::remove_drained_shards, detail::rolling_update, detail::live_config};
  for (const phase& f : after_slots)
    if (detail::phase_result x = f(c); x.acts()) return with_warnings(detail::to_plan(std::move(x)));
  detail::phase_result spread = detail::spread_masters(c);
  if (spread.acts()) return with_warnings(detail::to_plan(std::move(spread)));
  plan done;
  done.status = plan_status::converged;
  done.diagnostics = placement_findings(c.layout, c.desired.spec.placement);
  return with_warnings(std::move(done));
}

}  // namespace rcplan
