#pragma once

// A cluster's Kubernetes half, read from and written to the API server: observe_kubernetes()
// fills a topology's pods and StatefulSets; `platform` carries out a plan's Kubernetes actions
// for the Redis binding's executor (redis::execute, redis::run_until_converged) and answers
// its waits, so the same loop that runs against local processes runs against Kubernetes.

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/platform.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rcplan::kubernetes {

/// A DistributedRedisCluster: its namespace and name.
struct cluster_ref {
  std::string namespace_name = "default";
  std::string name;
};

/// The pods and StatefulSets of `cluster` (selected by the labels rcplan renders), sorted by
/// name: each pod's shard and ordinal, node and the node's `topology.kubernetes.io/zone`, IP,
/// readiness, deletion and controller revision; each StatefulSet's replicas, ready replicas,
/// revisions, image, config hash and password Secret. Replaces `t.pods` and `t.statefulsets`.
void observe_kubernetes(client& c, const cluster_ref& cluster, topology& t);

/// The resource's owner reference data, when the resource exists.
[[nodiscard]] std::optional<owner> owner_of(client& c, const cluster_ref& cluster);

class platform final : public redis::platform {
 public:
  /// Objects it applies are owned by the resource when it exists (looked up once, here).
  platform(client& c, cluster_ref cluster);

  /// apply_* as server-side apply of the rendered object; scale_statefulset as a patch of the
  /// scale subresource; delete_pod, delete_statefulset (its pods with it) and delete_pvc;
  /// update_status through the status subresource. Throws rcplan::error from the client.
  void apply(const action& a) override;
  void observe(topology& t) override;
  /// Pods that have an IP (running), at the Redis client port.
  [[nodiscard]] std::vector<address> seeds() override;
  /// Every pod the StatefulSet(s) should have exists, runs the update revision and is Ready.
  [[nodiscard]] bool pods_ready(const std::string& name) override;

 private:
  client& c_;
  cluster_ref cluster_;
  render_options render_;
};

}  // namespace rcplan::kubernetes
