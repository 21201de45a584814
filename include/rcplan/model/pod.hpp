#pragma once

// The Kubernetes side of an observation: pods and StatefulSets, as much of them as the
// planners read (names, shards, ordinals, hosts, zones, readiness, revisions).

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace rcplan {

/// A Kubernetes pod running one Redis node. Shard `i` is StatefulSet `drc-<name>-<i>`; the
/// pod's ordinal is its index inside that StatefulSet.
struct pod {
  std::string name;
  int shard_index = 0;
  int ordinal = 0;
  std::string kube_node;  ///< the Kubernetes node (host) it is scheduled on
  std::string zone;       ///< topology.kubernetes.io/zone of that host, if known
  std::string ip;
  std::uint16_t port = 6379;
  bool ready = false;
  bool terminating = false;
  std::string revision;  ///< controller-revision-hash label

  friend bool operator==(const pod&, const pod&) = default;
  friend auto operator<=>(const pod&, const pod&) = default;
};

/// A StatefulSet as observed: one per shard.
struct statefulset {
  std::string name;
  int shard_index = 0;
  int replicas = 0;
  int ready_replicas = 0;
  std::string current_revision;
  std::string update_revision;
  // What the StatefulSet's pod template says, to tell whether it must be updated.
  std::string image;
  std::string config_hash;      ///< rcplan's annotation: hash of the redis.conf it renders
  std::string password_secret;  ///< name of the Secret holding the password, if any

  friend bool operator==(const statefulset&, const statefulset&) = default;
  friend auto operator<=>(const statefulset&, const statefulset&) = default;
};

}  // namespace rcplan
