#pragma once

// What one node says about itself and the cluster, read over one connection: the building block
// of observe() and of the executor's waits.

#include "connection.hpp"

#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/observe.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace rcplan::redis::detail {

struct node_probe {
  std::string host;
  std::uint16_t port = 0;
  bool reachable = false;
  bool auth_failed = false;
  bool tls_failed = false;  ///< the handshake failed or the certificate was refused
  std::string error;  ///< why not reachable; free of the password
  cluster_view view;  ///< nodes sorted by id
  std::optional<replication_info> replication;
  std::optional<std::map<slot, std::uint64_t>> keys_per_slot;
  std::map<std::string, std::string> config;
  std::optional<password_state> password;  ///< set when observe_options::password is
};

[[nodiscard]] connect_options connect_options_of(const observe_options& o);

/// Connects to host:port and reads everything observe() needs. Never throws for the node's
/// failures: they end up in `reachable` and `error`.
[[nodiscard]] node_probe probe_node(const std::string& host, std::uint16_t port, const observe_options& o);

/// Keys per slot held by the node (only slots with keys). `likely` are the slots to count first
/// (owned and open ones); every slot is counted when they do not account for DBSIZE.
[[nodiscard]] std::map<slot, std::uint64_t> count_keys(connection& c, const slot_set& likely);

/// The CLUSTER NODES view of the node behind `c`, nodes sorted by id.
[[nodiscard]] cluster_view read_view(connection& c);

}  // namespace rcplan::redis::detail
