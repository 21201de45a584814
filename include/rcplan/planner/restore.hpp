#pragma once

// Restores, planned: a backup of K shards comes back as a cluster of the spec's masterSize M,
// more or fewer masters than the backup had.
//
// The cluster starts with max(K, M) shards. The first pod of shard i < K starts on backup
// shard i's RDB file (placing it is the binding's job: the local runtime writes it into the
// pod's data directory, Kubernetes' init container fetches it), so Redis loads the keys and
// claims the slots that hold them. reconcile() then gives that node the rest of the shard's
// slots from the manifest, and the cluster is formed; from there on it is an ordinary cluster
// of masterSize M: more masters take slots by the normal rebalance, fewer drain the extra shards
// and remove them, and replicas join as they always do.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rcplan {

/// Where one backup shard's file goes: the first pod of the shard's StatefulSet.
struct restore_placement {
  int shard = 0;
  std::string file;    ///< the manifest's file name
  std::string sha256;  ///< what the file must hash to before it is placed
  std::uint64_t keys = 0;
  std::string statefulset;
  std::string pod;

  friend bool operator==(const restore_placement&, const restore_placement&) = default;
};

struct restore_plan {
  /// actions_planned, or blocked with the diagnostics saying why (nothing may start then).
  plan_status status = plan_status::blocked;
  int shards_at_start = 0;  ///< max(K, M): the StatefulSets the cluster starts with
  int masters = 0;          ///< M: what the cluster ends with
  std::vector<restore_placement> placements;  ///< by shard
  std::vector<diagnostic> diagnostics;

  friend bool operator==(const restore_plan&, const restore_plan&) = default;
};

/// Where each shard's file goes when `m` is restored as `resource`. Blocked when the manifest
/// cannot be restored (check_manifest) or the spec is invalid; whether the files match their
/// checksums is checked by the binding before it places any.
[[nodiscard]] RCPLAN_ENTRY restore_plan plan_restore(const backup_manifest& m, const cluster_resource& resource);

/// `status.restore` of a cluster being created from `backup` ("namespace/name"), given what
/// was observed and the plan reconcile() made from it: Running until the cluster is formed
/// and converged, Succeeded then, Failed while the plan is blocked before the cluster formed
/// (a restored node holding the wrong data: someone must look).
[[nodiscard]] RCPLAN_ENTRY restore_status restore_progress(const topology& t, const plan& next, std::string backup);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/restore.hpp>
#endif
