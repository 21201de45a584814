#pragma once

// What `INFO replication` says about a node: its role, its master link and the replicas a
// master lists, which the planners use to tell synced replicas from lagging ones.

#include <rcplan/model/node.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rcplan {

/// A replica as its master lists it in `INFO replication` (`slaveN:` lines).
struct replica_link {
  std::string host;
  std::uint16_t port = 0;
  std::string state;  ///< online, wait_bgsave, send_bulk, ...
  std::uint64_t offset = 0;
  std::uint64_t lag = 0;

  friend bool operator==(const replica_link&, const replica_link&) = default;
};

/// The `# Replication` section of `INFO`.
struct replication_info {
  node_role role = node_role::master;
  // replica side
  std::string master_host;
  std::uint16_t master_port = 0;
  bool master_link_up = false;
  std::optional<std::int64_t> master_last_io_seconds_ago;
  bool master_sync_in_progress = false;
  std::uint64_t replica_repl_offset = 0;
  int replica_priority = 100;
  bool replica_read_only = true;
  // master side
  std::vector<replica_link> replicas;
  // both
  std::string master_replid;
  std::uint64_t master_repl_offset = 0;

  /// The offset to compare when choosing the most up-to-date replica.
  [[nodiscard]] std::uint64_t offset() const noexcept {
    return role == node_role::replica ? replica_repl_offset : master_repl_offset;
  }

  friend bool operator==(const replication_info&, const replication_info&) = default;
};

}  // namespace rcplan
