#pragma once

// Installing what rcplan needs in a cluster: its CustomResourceDefinitions
// (DistributedRedisCluster, RedisClusterBackup), the manifests of deploy/crds/ compiled in,
// applied idempotently and waited for until the API server serves them.

#include <rcplan/kubernetes/client.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace rcplan::kubernetes {

/// The CRDs as shipped in deploy/crds/, as JSON objects.
[[nodiscard]] std::vector<nlohmann::json> crd_manifests();

/// Where and what the operator runs.
struct operator_options {
  std::string namespace_name = "rcplan-system";
  std::string image = "rcplan:latest";  ///< built from the operator's Dockerfile
};

/// The operator's Namespace, ServiceAccount, ClusterRole, ClusterRoleBinding and Deployment as
/// shipped in deploy/operator/, moved to `o.namespace_name` (the Namespace, the ServiceAccount,
/// the binding's subject, the Deployment) and running `o.image`.
[[nodiscard]] std::vector<nlohmann::json> operator_manifests(const operator_options& o = {});

/// The user the operator acts as: its ServiceAccount in `namespace_name`.
[[nodiscard]] std::string operator_user(const std::string& namespace_name = "rcplan-system");

struct install_options {
  /// How long to wait for every CRD to be Established.
  std::chrono::seconds timeout{60};
};

struct install_result {
  std::vector<std::string> applied;  ///< "CustomResourceDefinition distributedredisclusters.redis.kun", ...
};

/// Applies the CRDs (server-side apply: a second install changes nothing) and waits until each
/// is Established. Throws rcplan::error from the client, or `rcplan.kubernetes.timeout` naming
/// the CRD that did not become Established and its conditions' messages.
install_result install_crds(client& c, const install_options& o = {});

/// Applies operator_manifests(o) in order (idempotent).
install_result install_operator(client& c, const operator_options& o = {});

}  // namespace rcplan::kubernetes
