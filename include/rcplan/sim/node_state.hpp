#pragma once

// One simulated Redis node as the simulator keeps it (its own view of claims, open slots,
// peers and keys), and how a simulated cluster reports those views as a topology.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>

#include <cstdint>
#include <map>
#include <optional>

namespace rcplan::sim {

/// One node as the simulator keeps it: its own claims and open slots, and its keys per slot.
struct node_state {
  node_id id;
  address addr;
  bool master = true;
  std::optional<node_id> master_id;
  bool failed = false;
  std::uint64_t config_epoch = 0;
  slot_set claims;
  std::map<slot, node_id> migrating;
  std::map<slot, node_id> importing;
  std::map<slot, std::uint64_t> keys;
  /// The process runs. A dead node keeps its claims and keys (they are on its disk, and its
  /// replicas hold copies) and is flagged `fail` by the others.
  bool alive = true;
  /// The peers this node knows, with the address it last heard for each. A fresh node knows
  /// no one; MEET and gossip fill it, FORGET and RESET empty it.
  std::map<node_id, address> known;
  std::uint64_t offset = 0;  ///< replication offset
  bool synced = true;        ///< a replica whose initial sync completed
  std::uint64_t pong_ms = 0;  ///< last time the others heard from it
  bool joined = false;        ///< came from an observed cluster; cleared by RESET
  /// Runs with the password now in force (see `cluster::rotate_password`).
  bool requirepass_current = true;
  bool masterauth_current = true;
};

/// How `cluster::to_topology` reports views.
enum class view_mode : std::uint8_t {
  merged,    ///< one view holding every member's own line (cheap)
  per_node,  ///< one view per reachable member, each listing what that node knows
};

}  // namespace rcplan::sim
