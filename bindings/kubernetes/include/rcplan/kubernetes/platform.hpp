#pragma once

// A cluster's Kubernetes half, read from and written to the API server: observe_kubernetes()
// fills a topology's pods and StatefulSets; `platform` carries out a plan's Kubernetes actions
// for the Redis binding's executor (redis::execute, redis::run_until_converged) and answers
// its waits, so the same loop that runs against local processes runs against Kubernetes.

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/platform.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::kubernetes {

/// A DistributedRedisCluster: its namespace and name.
struct cluster_ref {
  std::string namespace_name = "default";
  std::string name;
};

/// A pod as the API server reports it: what the planners read, and what they do not.
struct observed_pod {
  pod summary;        ///< shard, ordinal, node, zone, IP, readiness, deletion, revision
  std::string phase;  ///< Pending, Running, Succeeded, Failed, Unknown
  std::map<std::string, std::string> labels;
};

struct observed_claim {
  std::string name;  ///< `data-<pod>`
  std::string phase;  ///< Pending, Bound, Lost
  std::string storage;  ///< requested size
  std::string storage_class;
  bool terminating = false;
};

struct observed_node {
  std::string name;
  std::string zone;      ///< `topology.kubernetes.io/zone`
  std::string hostname;  ///< `kubernetes.io/hostname`
};

/// Everything of one cluster the API server holds, each list sorted by name.
struct cluster_objects {
  std::optional<nlohmann::json> resource;  ///< the DistributedRedisCluster, when it exists
  std::vector<statefulset> statefulsets;
  std::vector<observed_pod> pods;
  std::vector<observed_claim> claims;
  std::vector<observed_node> nodes;  ///< the nodes its pods are bound to
};

/// Reads `cluster`: the resource, and its StatefulSets, pods and claims (selected by the
/// labels rcplan renders), and the nodes its pods run on.
[[nodiscard]] cluster_objects read_cluster(client& c, const cluster_ref& cluster);

/// The topology's Kubernetes half from read_cluster(): each pod's shard and ordinal, node and
/// the node's zone, IP, readiness, deletion and controller revision; each StatefulSet's
/// replicas, ready replicas, revisions, image, config hash and password Secret. Replaces
/// `t.pods` and `t.statefulsets`; Redis nodes are joined to pods by IP.
void observe_kubernetes(client& c, const cluster_ref& cluster, topology& t);

/// The resource's owner reference data, when the resource exists.
[[nodiscard]] std::optional<owner> owner_of(client& c, const cluster_ref& cluster);

class platform final : public redis::platform {
 public:
  /// Objects it applies are owned by the resource when it exists (looked up once, here);
  /// `tools_image` is the restore init container's (render_options).
  platform(client& c, cluster_ref cluster, std::string tools_image = default_tools_image);

  /// apply_* as server-side apply of the rendered object; scale_statefulset as a patch of the
  /// scale subresource; delete_pod, delete_statefulset (its pods with it) and delete_pvc;
  /// update_status through the status subresource. Throws rcplan::error from the client.
  void apply(const action& a) override;
  void observe(topology& t) override;
  /// Pods that have an IP (running), at the Redis client port.
  [[nodiscard]] std::vector<address> seeds() override;
  /// Every pod the StatefulSet(s) should have exists, is Ready and not terminating, and the
  /// StatefulSet controller has reported its update revision (pods still on an older one count:
  /// a rolling update restarts them one at a time).
  [[nodiscard]] bool pods_ready(const std::string& name) override;

 private:
  client& c_;
  cluster_ref cluster_;
  render_options render_;
};

}  // namespace rcplan::kubernetes
