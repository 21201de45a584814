#pragma once

// The Kubernetes-level phases: objects that are missing or out of date, and pods that are not
// ready yet (nothing else can be planned for a shard whose pods are still starting).

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace rcplan::planner_detail {

/// StatefulSets (with their Services and PDBs) that are missing, too small or out of date. An
/// update only changes the pod template: with the OnDelete strategy, pods restart when the
/// rolling update phase deletes them, one at a time.
[[nodiscard]] inline phase_result apply_objects(const reconcile_context& c) {
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

[[nodiscard]] inline phase_result wait_for_pods(const reconcile_context& c) {
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

}  // namespace rcplan::planner_detail
