#pragma once

// Backups, planned: which node each shard's snapshot comes from, and what a backup is (its
// manifest) and must be to be restored. Pure; taking the snapshots is the bindings' job.
//
// A backup is one RDB file per shard (the slots one master holds), each taken from one node of
// that shard: a replica in sync with its master when there is one (the snapshot then costs the
// master nothing), the master otherwise. Each file is consistent in itself; across shards the
// snapshots are taken at slightly different moments, as with every Redis Cluster backup.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace rcplan {

/// Where one shard's snapshot comes from.
struct snapshot_source {
  int shard = 0;      ///< shards are numbered by their lowest slot, from 0
  slot_set slots;     ///< what the shard's master holds
  node_id master;
  node_id node;       ///< the node to take the snapshot from
  address addr;
  bool replica = false;

  friend bool operator==(const snapshot_source&, const snapshot_source&) = default;
};

struct backup_plan {
  /// actions_planned with a source per shard, or blocked (diagnostics say why; no sources).
  plan_status status = plan_status::blocked;
  std::vector<snapshot_source> sources;
  std::vector<diagnostic> diagnostics;

  friend bool operator==(const backup_plan&, const backup_plan&) = default;
};

/// One shard of a taken backup.
struct backup_shard {
  int index = 0;
  slot_set slots;
  std::string source;       ///< the node id the snapshot came from
  bool from_replica = false;
  std::uint64_t keys = 0;
  std::uint64_t rdb_bytes = 0;
  std::string sha256;       ///< of the RDB file, 64 lowercase hex digits
  std::string file;         ///< the RDB file's name beside the manifest (no directory)

  friend bool operator==(const backup_shard&, const backup_shard&) = default;
};

/// What a backup holds: written beside the RDB files, read before anything is restored.
struct backup_manifest {
  int format = 1;
  std::string cluster;
  std::string taken_at;       ///< RFC 3339, UTC
  std::string redis_version;  ///< of the source nodes
  std::vector<backup_shard> shards;

  friend bool operator==(const backup_manifest&, const backup_manifest&) = default;
};

struct backup_planning {
  /// How far behind its master (replication offset, bytes) a replica may be and still count as
  /// in sync. The master's and the replica's offsets are read a moment apart, so under writes
  /// an exact match is rare even for a replica that keeps up; 0 demands one.
  std::uint64_t max_replica_lag_bytes = 1024 * 1024;
};

namespace planner_detail {

/// The replica of `master` to snapshot: healthy, its link up and not syncing, and caught up
/// with what the master reported (within `max_lag` bytes of its offset). The highest offset
/// wins, then the lowest id. Null when there is none, or the master's offset is not known.
[[nodiscard]] inline const cluster_node* synced_replica(const topology& t, const std::vector<cluster_node>& nodes,
                                                        const cluster_node& master, std::uint64_t max_lag) {
  const node_observation* mo = t.observation(master.id);
  if (mo == nullptr || !mo->reachable || !mo->replication) return nullptr;
  const cluster_node* best = nullptr;
  std::uint64_t best_offset = 0;
  for (const cluster_node& n : nodes) {
    if (n.master_id != master.id || n.failed()) continue;
    const node_observation* o = t.observation(n.id);
    if (o == nullptr || !o->reachable || !o->replication) continue;
    const replication_info& r = *o->replication;
    if (!r.master_link_up || r.master_sync_in_progress || r.replica_repl_offset + max_lag < mo->replication->master_repl_offset)
      continue;
    if (best == nullptr || r.replica_repl_offset > best_offset) {
      best = &n;
      best_offset = r.replica_repl_offset;
    }
  }
  return best;
}

[[nodiscard]] inline bool is_lower_hex(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace planner_detail

/// The source of every shard's snapshot. Blocked — nothing to take — when the nodes' views
/// disagree, a slot is migrating or importing, served by nobody or claimed by two masters, or
/// a shard has no healthy node: a backup taken then would not match one slot layout.
[[nodiscard]] RCPLAN_ENTRY backup_plan plan_backup(const topology& t, const backup_planning& options = {});

/// Why a manifest cannot be restored (errors), empty when it can: at least one shard, indices
/// 0..n-1 once each, every slot in exactly one shard, a well-formed SHA-256 and a plain file
/// name per shard. Whether the files match their checksums is the binding's check.
[[nodiscard]] RCPLAN_ENTRY std::vector<diagnostic> check_manifest(const backup_manifest& m);

/// A RedisClusterBackup's status once its backup `m` is complete in `location`.
[[nodiscard]] RCPLAN_ENTRY backup_status backup_succeeded(const backup_manifest& m, std::string start_time,
                                                          std::string completion_time, std::string location);

/// A RedisClusterBackup's status when its backup failed (`reason`: why, without secrets).
[[nodiscard]] RCPLAN_ENTRY backup_status backup_failed(std::string reason, std::string start_time,
                                                       std::string completion_time);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/backup.hpp>
#endif
