#pragma once

// The local node agent: a stand-in for the kubelet and the scheduler, and the only stand-in in
// rcplan's Kubernetes stack. Against a real API server it
//   - registers Node objects for the local runtime's virtual hosts (hostname and zone labels),
//   - provisions a hostPath PersistentVolume for every pending claim (so claims show Bound) and
//     removes it, with its directory, once its claim is gone,
//   - binds pending pods that have a container named `redis` (as rcplan renders them) to those
//     nodes (the binding subresource), spreading each cluster's pods over the nodes; other
//     pods stay Pending,
//   - runs each bound pod's redis container as a real redis-server process with the pod's
//     redis.conf from its ConfigMap and its password from its Secret, its data in the claim's
//     directory, on a pod IP of its own in 127.0.0.0/8 at the container's port (a recreated pod
//     gets a new IP, as on a cluster network),
//   - reports pod status: phase, podIP, Ready from a real probe of the process (the rendered
//     readiness probe's rule: cluster_state:ok, or a lone node not met yet), restart counts,
//   - restarts a process that died, and for a pod being deleted runs the pre-stop step (a
//     master hands over to a healthy replica first), stops the process and removes the pod,
//   - runs containers whose command is `rcplan` with this machine's rcplan binary (when
//     `rcplan` is set): a pod's init containers before its redis-server (a restore's), and pods
//     made only of such a container (a backup Job's), reporting Succeeded or Failed with the
//     log's tail as termination message; env, envFrom and $(VAR) as the kubelet resolves them,
//     volume mounts mapped to this machine's directories in the arguments.
//
// It does not pull images (every pod runs this machine's redis-server or rcplan, whatever its
// image says), run other containers (a monitor sidecar is reported but not run), enforce
// resources or run liveness probes. What it shows is the operator's behaviour against the real
// controllers; what only a real cluster shows (image pulls, scheduling constraints, network
// policies, node failures) it does not.

#include <rcplan/kubernetes/config.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace rcplan::local {

struct agent_options {
  /// Pods' files (DIR/pods/<pod uid>/) and volumes (DIR/volumes/<claim uid>/).
  std::filesystem::path dir;
  std::string redis_server = "redis-server";
  /// The rcplan binary that runs `rcplan` containers; empty: pods needing one are not run.
  std::filesystem::path rcplan;
  /// The only namespace whose pods and claims it serves; empty: every namespace.
  std::string namespace_name;
  /// One Node per host, in the zone of the same position (round robin when fewer zones).
  std::vector<std::string> hosts = {"local-a", "local-b", "local-c"};
  std::vector<std::string> zones = {"zone-1", "zone-2", "zone-3"};
  /// cluster-node-timeout of every pod (small, so failovers happen quickly on one machine).
  std::uint32_t node_timeout_ms = 3000;
  /// Pause between two passes over the API server's objects.
  std::chrono::milliseconds period{300};
};

class agent {
 public:
  /// Throws rcplan::error (`rcplan.local.redis_server`) when redis-server is missing.
  agent(kubernetes::cluster_access access, agent_options options);
  ~agent();
  agent(const agent&) = delete;
  agent& operator=(const agent&) = delete;

  /// Registers the nodes and makes one pass: claims, scheduling, pods. Throws rcplan::error
  /// from the API server's client.
  void sync();
  /// Passes until `stop` is set; a pass that fails (the API server restarting) is logged to
  /// stderr and retried after the period. Pods being deleted are finished before it returns.
  void run(const std::atomic<bool>& stop);

  /// The pod network's first three octets (127.N.M.) this agent hands IPs out of.
  [[nodiscard]] const std::string& pod_network() const noexcept;

  /// Stops every redis-server process the agents on `dir` started (the pods stay as the API
  /// server has them, as when a machine is switched off).
  static void stop_pods(const std::filesystem::path& dir);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::local
