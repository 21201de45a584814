#pragma once

// The umbrella header: the whole header-only core. JSON support lives in
// <rcplan/json/json.hpp> (target rcplan::json) so that the core does not need nlohmann/json.
//
// Where to start:
// - a controller calls `reconcile(observed, desired)` (<rcplan/planner/reconcile.hpp>) on every
//   loop and runs the plan's first wave; `compute_status()` (<rcplan/planner/status.hpp>) gives
//   the resource's status;
// - a rebalance alone is `plan_rebalance()` (<rcplan/planner/rebalance.hpp>), a repair of open
//   or uncovered slots `plan_repair()` (<rcplan/planner/repair.hpp>), where each shard's backup
//   snapshot comes from `plan_backup()` and whether a backup can be restored `check_manifest()`
//   (<rcplan/planner/backup.hpp>), and where a restore puts each shard's file `plan_restore()`
//   (<rcplan/planner/restore.hpp>);
// - observations come from the parsers (<rcplan/parse/cluster_nodes.hpp>) or the Redis binding;
// - plans are tested in the simulator (<rcplan/sim/world.hpp>, not included here: a controller
//   does not need it) with the testing kit (<rcplan/testing/converge.hpp>, target
//   rcplan::testing).
// Each layer's public headers sit in include/rcplan/<layer>/; what is under a `detail/` folder
// (namespaces `*_detail` or `*::detail`) is machinery that may change without notice.

#include <rcplan/diagnostic.hpp>
#include <rcplan/error.hpp>
#include <rcplan/loop/loop.hpp>
#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/parse/cluster_shards.hpp>
#include <rcplan/parse/info_replication.hpp>
#include <rcplan/parse/resp.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/restore.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/planner/slot_quota.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/planner/waves.hpp>
#include <rcplan/spec/codes.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/quantity.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/spec/value.hpp>
