#pragma once

// The API resources rcplan reads and writes, as the API server names them: group, version,
// plural (the URL segment), kind, and whether they live in a namespace.

#include <string>

namespace rcplan::kubernetes {

struct resource_kind {
  std::string group;  ///< empty for the core group
  std::string version;
  std::string plural;
  std::string kind;
  bool namespaced = true;

  [[nodiscard]] std::string api_version() const { return group.empty() ? version : group + "/" + version; }
  friend bool operator==(const resource_kind&, const resource_kind&) = default;
};

/// The original operator's API group and version, kept so that its resources work unchanged.
inline constexpr const char* rcplan_group = "redis.kun";
inline constexpr const char* rcplan_version = "v1alpha1";

namespace kinds {
inline const resource_kind namespace_kind{"", "v1", "namespaces", "Namespace", false};
inline const resource_kind pod{"", "v1", "pods", "Pod", true};
inline const resource_kind service{"", "v1", "services", "Service", true};
inline const resource_kind configmap{"", "v1", "configmaps", "ConfigMap", true};
inline const resource_kind secret{"", "v1", "secrets", "Secret", true};
inline const resource_kind pvc{"", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true};
inline const resource_kind persistent_volume{"", "v1", "persistentvolumes", "PersistentVolume", false};
inline const resource_kind node{"", "v1", "nodes", "Node", false};
inline const resource_kind event{"", "v1", "events", "Event", true};
inline const resource_kind service_account{"", "v1", "serviceaccounts", "ServiceAccount", true};
inline const resource_kind statefulset{"apps", "v1", "statefulsets", "StatefulSet", true};
inline const resource_kind controller_revision{"apps", "v1", "controllerrevisions", "ControllerRevision", true};
inline const resource_kind deployment{"apps", "v1", "deployments", "Deployment", true};
inline const resource_kind job{"batch", "v1", "jobs", "Job", true};
inline const resource_kind pdb{"policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true};
inline const resource_kind lease{"coordination.k8s.io", "v1", "leases", "Lease", true};
inline const resource_kind crd{"apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition",
                               false};
inline const resource_kind cluster_role{"rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false};
inline const resource_kind cluster_role_binding{"rbac.authorization.k8s.io", "v1", "clusterrolebindings",
                                                "ClusterRoleBinding", false};
inline const resource_kind role{"rbac.authorization.k8s.io", "v1", "roles", "Role", true};
inline const resource_kind role_binding{"rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true};
inline const resource_kind distributed_redis_cluster{rcplan_group, rcplan_version, "distributedredisclusters",
                                                     "DistributedRedisCluster", true};
inline const resource_kind redis_cluster_backup{rcplan_group, rcplan_version, "redisclusterbackups",
                                                "RedisClusterBackup", true};
}  // namespace kinds

/// The kind of `api_version`/`kind` among those above; throws rcplan::error
/// (`rcplan.kubernetes.kind`) for one rcplan does not know.
[[nodiscard]] const resource_kind& kind_of(const std::string& api_version, const std::string& kind);

}  // namespace rcplan::kubernetes
