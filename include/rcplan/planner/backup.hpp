#pragma once

// Backups, planned: which node each shard's snapshot comes from, and what a backup is (its
// manifest) and must be to be restored. Pure; taking the snapshots is the bindings' job.
//
// A backup is one RDB file per shard (the slots one master holds), each taken from one node of
// that shard: a replica in sync with its master when there is one (the snapshot then costs the
// master nothing), the master otherwise. Each file is consistent in itself; across shards the
// snapshots are taken at slightly different moments, as with every Redis Cluster backup.

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
[[nodiscard]] inline backup_plan plan_backup(const topology& t, const backup_planning& options = {}) {
  backup_plan out;
  const auto block = [&](const char* code, std::string subject, std::string message) {
    out.diagnostics.push_back({severity::error, code, std::move(subject), std::move(message)});
  };
  if (!views_agree(t))
    block(backup_code::views_disagree, {}, "the nodes disagree about the cluster: wait until they agree");
  const std::vector<cluster_node> nodes = merged_nodes(t);
  slot_set open;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots) open.insert(o.number);
  if (!open.empty())
    block(backup_code::open_slots, to_string(open), "slots " + to_string(open) + " are being migrated: finish or repair that first");
  const slot_set uncovered = uncovered_slots(nodes);
  if (!uncovered.empty())
    block(backup_code::uncovered_slots, to_string(uncovered), "slots " + to_string(uncovered) + " are served by no master");

  std::vector<const cluster_node*> masters;
  slot_set claimed, contested;
  for (const cluster_node& n : nodes)
    if (n.is_master() && !n.slots.empty()) {
      masters.push_back(&n);
      contested |= claimed & n.slots;
      claimed |= n.slots;
    }
  if (!contested.empty())
    block(backup_code::contested_slots, to_string(contested),
          "slots " + to_string(contested) + " are claimed by more than one master: repair that first");
  std::sort(masters.begin(), masters.end(),
            [](const cluster_node* a, const cluster_node* b) { return *a->slots.first() < *b->slots.first(); });
  for (std::size_t i = 0; i < masters.size(); ++i) {
    const cluster_node& m = *masters[i];
    snapshot_source s;
    s.shard = static_cast<int>(i);
    s.slots = m.slots;
    s.master = m.id;
    if (const cluster_node* r = planner_detail::synced_replica(t, nodes, m, options.max_replica_lag_bytes)) {
      s.node = r->id;
      s.addr = r->addr;
      s.replica = true;
    } else if (const node_observation* o = t.observation(m.id); !m.failed() && o != nullptr && o->reachable) {
      s.node = m.id;
      s.addr = m.addr;
      out.diagnostics.push_back({severity::info, backup_code::from_master, "shard " + std::to_string(i),
                                 "no replica of " + short_id(m.id) + " is in sync: the snapshot is taken from the master"});
    } else {
      block(backup_code::shard_unavailable, "shard " + std::to_string(i),
            "shard " + std::to_string(i) + " (slots " + to_string(m.slots) + ") has no healthy node to take a snapshot from");
      continue;
    }
    out.sources.push_back(std::move(s));
  }
  if (has_errors(out.diagnostics)) {
    out.sources.clear();
    out.status = plan_status::blocked;
  } else {
    out.status = plan_status::actions_planned;
  }
  return out;
}

/// Why a manifest cannot be restored (errors), empty when it can: at least one shard, indices
/// 0..n-1 once each, every slot in exactly one shard, a well-formed SHA-256 and a plain file
/// name per shard. Whether the files match their checksums is the binding's check.
[[nodiscard]] inline std::vector<diagnostic> check_manifest(const backup_manifest& m) {
  std::vector<diagnostic> out;
  const auto error = [&](const char* code, std::string subject, std::string message) {
    out.push_back({severity::error, code, std::move(subject), std::move(message)});
  };
  if (m.shards.empty()) error(backup_code::no_shards, "shards", "the manifest lists no shard");
  std::vector<int> seen(m.shards.size(), 0);
  slot_set covered;
  for (std::size_t i = 0; i < m.shards.size(); ++i) {
    const backup_shard& s = m.shards[i];
    const std::string at = "shards[" + std::to_string(i) + "]";
    if (s.index < 0 || static_cast<std::size_t>(s.index) >= m.shards.size() || seen[static_cast<std::size_t>(s.index)]++ != 0)
      error(backup_code::shard_index, at + ".index",
            "index " + std::to_string(s.index) + " is out of 0.." + std::to_string(m.shards.size() - 1) + " or repeated");
    const slot_set twice = covered & s.slots;
    if (!twice.empty()) error(backup_code::slots_overlap, at + ".slots", "slots " + to_string(twice) + " are in more than one shard");
    covered |= s.slots;
    if (s.sha256.size() != 64 || !planner_detail::is_lower_hex(s.sha256))
      error(backup_code::checksum_malformed, at + ".sha256", "not a SHA-256 (64 lowercase hex digits)");
    if (s.file.empty() || s.file.find('/') != std::string::npos || s.file == "." || s.file == "..")
      error(backup_code::file_name, at + ".file", "\"" + s.file + "\" is not a plain file name");
  }
  const slot_set missing = covered.complement();
  if (!m.shards.empty() && !missing.empty())
    error(backup_code::slots_missing, "shards", "slots " + to_string(missing) + " are in no shard: a shard is missing");
  return out;
}

/// A RedisClusterBackup's status once its backup `m` is complete in `location`.
[[nodiscard]] inline backup_status backup_succeeded(const backup_manifest& m, std::string start_time,
                                                    std::string completion_time, std::string location) {
  backup_status s;
  s.phase = phase_succeeded;
  s.start_time = std::move(start_time);
  s.completion_time = std::move(completion_time);
  s.master_size = static_cast<int>(m.shards.size());
  for (const backup_shard& x : m.shards) {
    s.keys += x.keys;
    s.size_bytes += x.rdb_bytes;
  }
  s.location = std::move(location);
  return s;
}

/// A RedisClusterBackup's status when its backup failed (`reason`: why, without secrets).
[[nodiscard]] inline backup_status backup_failed(std::string reason, std::string start_time,
                                                 std::string completion_time) {
  backup_status s;
  s.phase = phase_failed;
  s.reason = std::move(reason);
  s.start_time = std::move(start_time);
  s.completion_time = std::move(completion_time);
  return s;
}

}  // namespace rcplan
