#pragma once

// Backups and restores carried out: a cluster's backup taken into a store (every shard's
// snapshot in parallel, from the node plan_backup() chose), a backup checked without starting
// anything, and a backup fetched for a restore, every file checked against its SHA-256.
//
// Store layout: `manifest.json` and one RDB per shard named after the cluster, the time, a
// token of the run and the shard. A new backup into the same place writes new file names and replaces the manifest last,
// so the previous backup stays whole until the new one is complete.

#include <rcplan/backup/store.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::backup {

inline constexpr const char* manifest_name = "manifest.json";

/// How far one shard's transfer is.
struct transfer_progress {
  int shard = 0;
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> total;  ///< when known
  bool done = false;
};

struct backup_options {
  redis::secret password;  ///< of the cluster's nodes
  std::string cluster;     ///< written to the manifest and into the file names
  /// Snapshots taken at once (each forks its node and streams its dataset).
  std::size_t max_parallel = 4;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds io_timeout{60000};
  /// How to reach nodes that speak TLS only: observation and snapshots both use it.
  redis::tls_options tls;
  /// Where snapshots bound for a remote store are written first; empty: the system's temp dir.
  std::filesystem::path scratch_dir;
  /// Sees the plan before any snapshot is taken.
  std::function<void(const backup_plan&)> on_plan;
  /// Told of every shard's transfer, from several threads (calls are serialized).
  std::function<void(const transfer_progress&)> progress;
};

/// Observes the cluster the seeds belong to, plans the backup, takes every shard's snapshot
/// and writes the manifest last. Throws rcplan::error: `rcplan.backup.blocked` with the plan's
/// reasons when the cluster is in no state to be backed up, the snapshot's and the store's
/// errors otherwise (then no manifest is written; files already stored stay, unreferenced).
[[nodiscard]] backup_manifest take_backup(const std::vector<address>& seeds, store& to, const backup_options& o);

struct verify_options {
  /// Check every file's SHA-256 (a remote store's files are downloaded to `scratch_dir` for
  /// it). Without it, only the manifest and the files' sizes are checked.
  bool checksums = true;
  std::filesystem::path scratch_dir;
  std::size_t max_parallel = 4;
  std::function<void(const transfer_progress&)> progress;
};

struct verify_report {
  backup_manifest manifest;
  /// Errors: what makes the backup unrestorable (check_manifest's, missing files, sizes and
  /// checksums that do not match). Empty: the backup can be restored.
  std::vector<diagnostic> problems;
};

/// Reads and checks the backup in `from`. Throws rcplan::error only when there is no manifest
/// to read (`rcplan.backup.manifest`, also for a manifest that is not valid JSON, naming the
/// field), or the store cannot be reached or refuses to hand out a file (rclone refuses an
/// object whose bytes do not match the MD5 the S3 service recorded).
[[nodiscard]] verify_report verify_backup(store& from, const verify_options& o = {});

/// Downloads the backup in `from` to `dir` (its manifest and every file under the manifest's
/// names) and checks every file, before anything starts from it. Throws rcplan::error
/// (`rcplan.backup.unrestorable`) listing every problem verify_backup() would report, and
/// removes the files it fetched.
[[nodiscard]] backup_manifest fetch_backup(store& from, const std::filesystem::path& dir, const verify_options& o = {});

/// Puts `rdb` where a Redis node starting in `data_dir` loads it: as `dump.rdb`, and as the
/// base of a Redis 7 append-only file (`appendonlydir/appendonly.aof.1.base.rdb` and its
/// manifest), because a node with `appendonly yes` ignores dump.rdb; loaded either way, the keys
/// are then in the node's own persistence and survive its restarts. Throws rcplan::error
/// (`rcplan.backup.place`) when `data_dir` already holds data: a restore starts on empty
/// volumes.
void place_rdb(const std::filesystem::path& rdb, const std::filesystem::path& data_dir);

/// Whether `data_dir` holds what a Redis node leaves once it has run (an RDB, an append-only
/// file, nodes.conf): such a volume is not new.
[[nodiscard]] bool holds_redis_data(const std::filesystem::path& data_dir);

}  // namespace rcplan::backup
