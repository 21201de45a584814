#pragma once

// The Kubernetes objects a simulated `world` keeps around its Redis nodes: hosts with zones,
// StatefulSets with their revisions, and pods with the Redis process each one runs.

#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>

#include <optional>
#include <string>

namespace rcplan::sim {

/// A Kubernetes node (host) pods can be scheduled on.
struct kube_host {
  std::string name;
  std::string zone;
};

/// A StatefulSet as the world keeps it.
struct statefulset_state {
  statefulset observed;  ///< what to_topology() reports
  bool ephemeral = false;  ///< emptyDir storage: a restarted pod starts empty
  int revision = 0;        ///< bumped when the pod template (image, config hash) changes
};

/// A pod and the Redis process in it.
struct pod_state {
  pod observed;
  std::optional<node_id> node;  ///< the Redis node the process runs
  bool running = false;         ///< the process is up
  int down_ticks = 0;           ///< a killed process restarts when this reaches 0
  int ip_generation = 0;        ///< bumped by each address change
  /// With emptyDir storage, the node whose data survives a container restart (not the pod).
  std::optional<node_id> empty_dir;
};

}  // namespace rcplan::sim
