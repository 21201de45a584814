#pragma once

// Where a plan's nodes are. Plans name nodes by Redis node id, or by pod name for nodes created
// after the observation (plan/action.hpp); the directory finds an address for either, from the
// observed topology, its pods, and, for pods created since, the platform.

#include "connection.hpp"

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/platform.hpp>

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace rcplan::redis::detail {

struct endpoint {
  std::string host;
  std::uint16_t port = 0;
};

class directory {
 public:
  directory(const topology& observed, redis::platform* platform, connect_options options);

  /// Thread-safe. nullopt when neither the topology nor the platform knows the node.
  [[nodiscard]] std::optional<endpoint> find(const node_id& id_or_pod);
  /// The Redis node id behind `id_or_pod`: itself when it is a node id, else asked of the pod's
  /// node (CLUSTER MYID). Throws transport_error when it cannot be learnt.
  [[nodiscard]] node_id real_id(const node_id& id_or_pod);
  /// Where the node is now, when it no longer answers where it was: a pod recreated since the
  /// observation has a new IP on Kubernetes. Asks the platform's pods which of them is the node
  /// (CLUSTER MYID), or, without a platform, the reachable nodes' views. Remembers and returns
  /// the new address; nullopt when nobody knows one.
  [[nodiscard]] std::optional<endpoint> relocate(const node_id& id_or_pod);
  /// Every node observed reachable, by id.
  [[nodiscard]] const std::map<node_id, endpoint>& reachable() const noexcept { return reachable_; }
  [[nodiscard]] const connect_options& options() const noexcept { return options_; }

 private:
  std::mutex mutex_;
  std::map<node_id, endpoint> reachable_;
  std::map<std::string, endpoint> known_;  ///< by node id or pod name
  std::map<std::string, node_id> ids_;     ///< pod name -> node id, learnt
  redis::platform* platform_;
  connect_options options_;
};

/// A worker's connections, one per node, opened on first use and reopened after a failure.
class node_pool {
 public:
  explicit node_pool(directory& d) : dir_(d) {}
  node_pool(const node_pool&) = delete;
  node_pool& operator=(const node_pool&) = delete;

  /// Throws transport_error (unknown node, refused, ...) or auth_error.
  connection& get(const node_id& id);
  /// Drops the connection to `id` (after a failure) so that the next get() reconnects.
  void drop(const node_id& id);
  /// Commands sent on every connection this pool opened.
  [[nodiscard]] std::size_t commands_sent() const;

 private:
  directory& dir_;
  std::map<node_id, connection> open_;
  std::size_t closed_sent_ = 0;
};

}  // namespace rcplan::redis::detail
