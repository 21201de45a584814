#pragma once

// One Redis Cluster node as a `CLUSTER NODES` line describes it: id, address, flags, master,
// slots and open slots, plus `short_id()` for naming a node to people.

#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

/// A Redis Cluster node id: 40 lowercase hex characters, assigned by the node itself.
struct node_id {
  std::string value;

  [[nodiscard]] bool empty() const noexcept { return value.empty(); }
  /// True when `value` has the shape Redis gives node ids.
  [[nodiscard]] bool well_formed() const noexcept {
    if (value.size() != 40) return false;
    for (char c : value)
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
  }
  /// Whether `prefix` abbreviates this id, as redis-cli accepts for `--weight`.
  [[nodiscard]] bool starts_with(std::string_view prefix) const noexcept {
    return std::string_view{value}.substr(0, prefix.size()) == prefix;
  }

  friend bool operator==(const node_id&, const node_id&) = default;
  friend auto operator<=>(const node_id&, const node_id&) = default;
};

/// The first 8 characters of an id: how messages, logs and runbooks name a node.
[[nodiscard]] inline std::string short_id(const node_id& id) { return id.value.substr(0, 8); }

/// Where a node listens: client port, cluster bus port and (Redis 7) announced hostname.
struct address {
  std::string host;
  std::uint16_t port = 0;
  std::uint16_t bus_port = 0;
  std::string hostname;

  friend bool operator==(const address&, const address&) = default;
  friend auto operator<=>(const address&, const address&) = default;
};

enum class node_role : std::uint8_t { master, replica };

/// The flags a node reports about itself or a peer in `CLUSTER NODES`.
struct node_flags {
  bool myself = false;
  bool master = false;
  bool replica = false;  ///< `slave` on the wire
  bool pfail = false;    ///< `fail?` on the wire: this observer cannot reach it
  bool fail = false;     ///< a majority of masters agreed it is down
  bool handshake = false;
  bool noaddr = false;
  bool nofailover = false;

  friend bool operator==(const node_flags&, const node_flags&) = default;
};

enum class link_state : std::uint8_t { connected, disconnected };

/// A slot in the middle of a migration, as seen on one node.
struct open_slot {
  enum class direction : std::uint8_t {
    migrating,  ///< this node owns the slot and sends its keys to `peer`
    importing,  ///< this node receives the slot's keys from `peer`
  };
  slot number = 0;
  direction dir = direction::migrating;
  node_id peer;

  friend bool operator==(const open_slot&, const open_slot&) = default;
  friend auto operator<=>(const open_slot&, const open_slot&) = default;
};

/// One node as described by one observer's `CLUSTER NODES` line.
struct cluster_node {
  node_id id;
  address addr;
  node_flags flags;
  std::optional<node_id> master_id;  ///< set for replicas
  std::uint64_t ping_sent = 0;
  std::uint64_t pong_received = 0;
  std::uint64_t config_epoch = 0;
  link_state link = link_state::connected;
  slot_set slots;
  /// Only the observer's own line carries its open slots (Redis prints them for `myself`).
  std::vector<open_slot> open_slots;

  [[nodiscard]] node_role role() const noexcept {
    return flags.replica ? node_role::replica : node_role::master;
  }
  [[nodiscard]] bool is_master() const noexcept { return role() == node_role::master; }
  /// A node that must not be trusted with data right now.
  [[nodiscard]] bool failed() const noexcept { return flags.fail || flags.pfail; }

  friend bool operator==(const cluster_node&, const cluster_node&) = default;
};

}  // namespace rcplan
