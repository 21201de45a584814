#pragma once

// The resource's `status`, computed from what was observed and what the next plan will do, in
// the original operator's vocabulary (cluster_status in plan/kube_objects.hpp).
//
// The status is decided in this order, the first that applies wins:
//
// 1. Failed: the plan is blocked (reason: its first error diagnostic), or a master holding
//    slots is down and no healthy replica of it is left to promote.
// 2. Creating: no master holds a slot yet.
// 3. Scaling: the number of shards (masters holding slots, StatefulSets) or of pods per shard
//    differs from the spec, or the plan adds or removes members (meet, forget, scale, delete).
// 4. Rebalancing: the plan moves slots.
// 5. ResetPassword: the plan sets requirepass/masterauth.
// 6. RollingUpdate: pods run an old revision or a StatefulSet's template (image, config hash,
//    password Secret) is not the desired one, or the plan replaces pods or sets config.
// 7. Healthy when the plan is converged; otherwise the plan repairs something that fits none of
//    the above (open slots, replica links), reported as Rebalancing when it touches slots and
//    Scaling when it changes replication. A plan that waits is never Healthy: it reports the
//    stage that waits (Rebalancing while views settle or a failover holds slot moves back,
//    RollingUpdate while a restart waits on a replica, Scaling otherwise), with its reason.
//
// "Calculating Rebalancing" is the original's state while it computes a reshard; rcplan plans in
// one pure call, so it never reports it (the constant exists for bindings that want it).

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/detail/status.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace rcplan {

/// `slots` as the original writes them: "0-5460,5462,10000-16383"; empty for no slots.
[[nodiscard]] inline std::string slots_text(const slot_set& slots) { return to_string(slots); }

/// The status to write for `resource` given topology `t` and the plan `next` that was computed
/// for them. Pure; nodes are sorted by pod name, then id (nodes no pod runs come first).
[[nodiscard]] RCPLAN_ENTRY cluster_status compute_status(const topology& t, const cluster_resource& resource, const plan& next);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/status.hpp>
#endif
