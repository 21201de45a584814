#pragma once

// An RDB snapshot of one Redis node, taken over the replication protocol the way a new replica
// gets its first copy (and `redis-cli --rdb` gets its file): the node forks and streams its
// dataset, which goes to a file next to the target and is renamed into place only once it is
// complete, checked and on disk. A failed snapshot leaves no file behind.

#include <rcplan/model/node.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace rcplan::backup {

/// How the node sends its snapshot.
enum class snapshot_transfer : unsigned char {
  /// Diskless when the node starts those at once (`repl-diskless-sync-delay 0`), else from disk.
  automatic,
  /// Streamed as the node forks, nothing written on its disk, after the node's
  /// `repl-diskless-sync-delay` (5 s by default: it waits for replicas to share the fork).
  diskless,
  /// Saved to the node's RDB file first (as a replica's full sync from disk does), then sent.
  disk,
};

struct snapshot_options {
  snapshot_transfer transfer = snapshot_transfer::automatic;
  /// Sent with AUTH when not empty; never printed.
  redis::secret password;
  std::chrono::milliseconds connect_timeout{5000};
  /// The longest silence tolerated. A node may fork and save for a while before its first
  /// byte; it sends a keepalive about once a second meanwhile, and each of them restarts this
  /// timer, so anything much below two seconds risks failing a healthy node.
  std::chrono::milliseconds io_timeout{60000};
  /// How to reach a node that speaks TLS only; the replication stream then comes over TLS.
  redis::tls_options tls;
  /// Told the bytes written so far and the size when the node announced it (a node streaming
  /// without a disk copy does not know it until the end). Called at most about ten times a
  /// second and once more, with the final size as total, when the snapshot is complete and
  /// before it is renamed into place; an exception it throws fails the snapshot. May be empty.
  std::function<void(std::uint64_t bytes_so_far, std::optional<std::uint64_t> total)> progress;
};

struct snapshot_result {
  std::uint64_t bytes = 0;  ///< size of the RDB file
  std::string sha256;       ///< of the file, 64 lowercase hex digits
  /// Keys the RDB announces (its RESIZEDB records) before its first key: all of them on a
  /// cluster node, whose data lives in database 0 only; on a standalone node with several
  /// non-empty databases, those of the first one.
  std::uint64_t keys = 0;
  std::string redis_version;  ///< the RDB's `redis-ver` field; empty when it has none
};

/// Streams an RDB snapshot of `node` (master or replica) to `file`, replacing it when the
/// snapshot is complete. Throws rcplan::error: `rcplan.backup.auth` when the node refuses the
/// password, `rcplan.backup.snapshot` for everything else (unreachable, an error reply,
/// silence beyond the timeout, a connection closed early, not an RDB, the file not writable,
/// the progress callback throwing), naming the node and what happened, never the password.
/// On failure neither `file` nor `file.partial` is left (an older `file` stays as it was).
[[nodiscard]] snapshot_result take_snapshot(const address& node, const std::filesystem::path& file,
                                            const snapshot_options& o);

}  // namespace rcplan::backup
