#pragma once

// Typed descriptions of the Kubernetes objects a cluster consists of, and of the status written
// back to the resource. Kubernetes actions carry them; rendering them to manifests is a
// binding's job, so they hold what the manifests need and nothing of a manifest's shape.
//
// The shape (the original operator's): one StatefulSet per shard `drc-<name>-<i>` with
// clusterReplicas + 1 pods and update strategy OnDelete (rcplan decides when a pod restarts, so
// that a master is failed over before its pod goes away), a headless Service per shard, one
// client Service, a PodDisruptionBudget per shard (maxUnavailable 1) and one ConfigMap holding
// redis.conf.
//
// Secrets: only the *name* of the password Secret appears here. The executing binding hands the
// password to redis-server without it ever entering redis.conf's ConfigMap, a plan or its JSON:
// on Kubernetes the Secret becomes an environment variable of the pod; the local runtime writes
// it into the pod's own redis.conf, readable by its owner only (a command line would show it to
// every user of the machine).
//
// Kubernetes fields rcplan does not interpret (affinity, tolerations, env, security contexts)
// are opaque `value`s, written to JSON as the JSON they hold.

#include <rcplan/spec/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

inline constexpr int redis_client_port = 6379;
inline constexpr int redis_bus_port = 16379;

/// Labels every object of a cluster carries; pods are selected by them.
inline constexpr const char* label_app_name = "app.kubernetes.io/name";
inline constexpr const char* label_cluster_name = "redis.kun/name";
inline constexpr const char* label_shard = "shard";
/// The value of `app.kubernetes.io/name`.
inline constexpr const char* app_name = "redis-cluster";

/// Pod template annotation holding `config_hash()` of the redis.conf the pods were started with:
/// a change rolls the StatefulSet (its template changes) and tells rcplan which pods are stale.
inline constexpr const char* config_hash_annotation = "rcplan.io/config-hash";
/// The ConfigMap key holding redis.conf.
inline constexpr const char* redis_conf_key = "redis.conf";
inline constexpr const char* update_strategy_on_delete = "OnDelete";

/// Requests and limits, quantities as written ("500m", "2Gi").
struct kube_resources {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
  friend bool operator==(const kube_resources&, const kube_resources&) = default;
};

/// `persistent-claim` gives each pod a PVC from a volumeClaimTemplate; `ephemeral` an emptyDir.
struct storage_description {
  std::string type = "ephemeral";
  std::string size;        ///< a quantity, e.g. "10Gi"; empty for ephemeral without a limit
  std::string class_name;  ///< StorageClass; empty: the cluster's default
  bool delete_claim = false;  ///< delete the PVCs when the cluster is deleted or shrinks
  friend bool operator==(const storage_description&, const storage_description&) = default;
};

/// The exporter side car.
struct monitor_description {
  std::string image;
  std::vector<std::string> args;
  value env;  ///< []EnvVar
  kube_resources resources;
  value security_context;
  int port = 9100;  ///< where it serves /metrics
  friend bool operator==(const monitor_description&, const monitor_description&) = default;
};

struct statefulset_description {
  std::string name;     ///< `drc-<cluster>-<shard>`
  std::string cluster;  ///< the resource's name
  int shard_index = 0;
  int replicas = 0;            ///< clusterReplicas + 1
  std::string service_name;    ///< the governing headless Service (this shard's)
  std::string image;
  std::string image_pull_policy;
  std::vector<std::string> image_pull_secrets;  ///< Secret names
  std::vector<std::string> command;
  value env;  ///< []EnvVar
  kube_resources resources;
  storage_description storage;
  value affinity;     ///< the spec's, plus the anti-affinity of the placement policy
  value tolerations;  ///< []Toleration
  std::map<std::string, std::string> node_selector;
  std::map<std::string, std::string> labels;       ///< of the StatefulSet and its pods
  std::map<std::string, std::string> annotations;  ///< of the pods; includes config_hash_annotation
  value security_context;            ///< PodSecurityContext
  value container_security_context;  ///< SecurityContext of the redis container
  std::string password_secret;       ///< Secret name; empty: no password
  std::optional<monitor_description> monitor;
  std::string update_strategy = update_strategy_on_delete;
  std::string config_map;  ///< the ConfigMap mounted as redis.conf
  /// A cluster created from a backup (`spec.init.backupSource`): the name of the ConfigMap and
  /// Secret its pods' restore step reads (restore_config_name()); empty: not restored. The
  /// step places the pod's shard file on a new volume only while they exist: the binding
  /// writes them before the pods start and removes them once the restore has succeeded, so a
  /// volume recreated later starts empty and the template never changes.
  std::string restore_config;
  friend bool operator==(const statefulset_description&, const statefulset_description&) = default;
};

/// The ConfigMap and Secret a restored cluster's pods read while they are restored.
[[nodiscard]] inline std::string restore_config_name(const std::string& cluster) {
  return "drc-" + cluster + "-restore";
}

/// The config hash a StatefulSet's pods are (to be) started with; empty when none.
[[nodiscard]] inline std::string template_config_hash(const statefulset_description& s) {
  const auto it = s.annotations.find(config_hash_annotation);
  return it == s.annotations.end() ? std::string{} : it->second;
}

struct service_port {
  std::string name;
  int port = 0;
  friend bool operator==(const service_port&, const service_port&) = default;
};

struct service_description {
  std::string name;
  std::string cluster;
  bool headless = false;
  int shard_index = -1;  ///< -1: the client Service spanning all shards
  std::vector<service_port> ports;  ///< client 6379, and cluster bus 16379 for headless ones
  std::map<std::string, std::string> selector;
  std::map<std::string, std::string> labels;
  friend bool operator==(const service_description&, const service_description&) = default;
};

struct pdb_description {
  std::string name;
  std::string cluster;
  int shard_index = 0;
  int max_unavailable = 1;  ///< one pod of a shard at a time, so a shard keeps a copy of its data
  std::map<std::string, std::string> selector;
  std::map<std::string, std::string> labels;
  friend bool operator==(const pdb_description&, const pdb_description&) = default;
};

struct configmap_description {
  std::string name;
  std::string cluster;
  std::map<std::string, std::string> data;  ///< `redis.conf` → its text
  std::map<std::string, std::string> labels;
  friend bool operator==(const configmap_description&, const configmap_description&) = default;
};

/// Every object a cluster consists of, each list sorted by shard index (the client Service
/// first among the Services).
struct kube_objects {
  std::vector<statefulset_description> statefulsets;
  std::vector<service_description> services;
  std::vector<pdb_description> pdbs;
  configmap_description configmap;
  friend bool operator==(const kube_objects&, const kube_objects&) = default;
};

// --- the resource's status ------------------------------------------------------------------

// The original operator's status values, exactly.
inline constexpr const char* status_healthy = "Healthy";
inline constexpr const char* status_failed = "Failed";
inline constexpr const char* status_creating = "Creating";
inline constexpr const char* status_scaling = "Scaling";
inline constexpr const char* status_calculating_rebalancing = "Calculating Rebalancing";
inline constexpr const char* status_rebalancing = "Rebalancing";
inline constexpr const char* status_rolling_update = "RollingUpdate";
inline constexpr const char* status_reset_password = "ResetPassword";

/// One Redis node as the status lists it (the original's `RedisClusterNode`).
struct status_node {
  std::string id;
  std::string role;  ///< "Master" or "Slave", as the original writes them
  std::string ip;
  std::string port;  ///< a string in the original
  std::string slots;  ///< "0-5460,5462" like the original; empty for replicas
  std::string master_ref;  ///< the master's id, for replicas
  std::string pod_name;
  std::string node_name;  ///< the Kubernetes node it runs on
  std::string statefulset;
  friend bool operator==(const status_node&, const status_node&) = default;
};

// The phases of a restore and of a backup, the original's words.
inline constexpr const char* phase_running = "Running";
inline constexpr const char* phase_succeeded = "Succeeded";
inline constexpr const char* phase_failed = "Failed";

/// `status.restore` of a cluster created from a backup (`spec.init.backupSource`).
struct restore_status {
  std::string phase;   ///< Running, Succeeded or Failed
  std::string backup;  ///< the RedisClusterBackup, "namespace/name" (the original embeds it whole)
  friend bool operator==(const restore_status&, const restore_status&) = default;
};

/// The resource's `status` (the original's `DistributedRedisClusterStatus`).
/// It lives in the plan layer because `update_status` carries it; planner/status.hpp computes it.
struct cluster_status {
  std::string status;
  std::string reason;
  int number_of_master = 0;
  int min_replication_factor = 0;
  int max_replication_factor = 0;
  std::vector<status_node> nodes;
  std::optional<restore_status> restore;
  friend bool operator==(const cluster_status&, const cluster_status&) = default;
};

/// A RedisClusterBackup's `status` (the original's, with what the manifest says besides).
struct backup_status {
  std::string phase;  ///< Running, Succeeded or Failed
  std::string reason;
  std::string start_time;       ///< RFC 3339
  std::string completion_time;  ///< RFC 3339, once Succeeded or Failed
  int master_size = 0;          ///< shards in the backup
  std::uint64_t keys = 0;
  std::uint64_t size_bytes = 0;  ///< all RDB files together
  std::string location;          ///< where the files are (a URL, never credentials)
  friend bool operator==(const backup_status&, const backup_status&) = default;
};

}  // namespace rcplan
