#pragma once

// The desired state: every field of the DistributedRedisCluster spec (redis.kun/v1alpha1)
// plus rcplan's own extensions, and the RedisClusterBackup resource a restore refers to.
//
// Fields the core does not interpret (affinity, tolerations, env, security contexts) are
// carried as opaque `value`s. Fields nobody knows go to `unknown_fields` so that reading and
// writing a resource written for a newer operator loses nothing.
//
// Scalars follow the original's `omitempty` convention: an empty string, false or an empty
// container means "not set". The two sizes are optional because an explicit 0 is meaningful
// (0 replicas) and must not be confused with "use the default".

#include <rcplan/spec/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rcplan {

/// The API group/version both resources are served under.
inline constexpr const char* api_version_v1alpha1 = "redis.kun/v1alpha1";
inline constexpr const char* cluster_kind = "DistributedRedisCluster";
inline constexpr const char* backup_kind = "RedisClusterBackup";

/// The two storage types the original operator knows.
inline constexpr const char* storage_persistent_claim = "persistent-claim";
inline constexpr const char* storage_ephemeral = "ephemeral";

/// The part of Kubernetes ObjectMeta rcplan reads; uid, resourceVersion and the rest are kept
/// in `unknown_fields`.
struct object_meta {
  std::string name;
  std::string namespace_;  ///< `namespace` on the wire
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  value unknown_fields;

  friend bool operator==(const object_meta&, const object_meta&) = default;
};

/// A reference to an object in the same namespace (Kubernetes LocalObjectReference).
struct local_object_reference {
  std::string name;
  value unknown_fields;

  friend bool operator==(const local_object_reference&, const local_object_reference&) = default;
};

/// Quantities stay as written ("10Gi", "500m") so that output matches input; see
/// <rcplan/spec/quantity.hpp> to compare them.
struct resource_requirements {
  std::map<std::string, std::string> requests;
  std::map<std::string, std::string> limits;
  value unknown_fields;  ///< e.g. `claims` of newer Kubernetes versions

  friend bool operator==(const resource_requirements&, const resource_requirements&) = default;
};

struct storage_spec {
  std::string type;        ///< `persistent-claim` or `ephemeral`; checked by validate()
  std::string size;        ///< a quantity, e.g. "10Gi"
  std::string class_name;  ///< `class` on the wire: the StorageClass
  bool delete_claim = false;
  value unknown_fields;

  friend bool operator==(const storage_spec&, const storage_spec&) = default;
};

struct prometheus_spec {
  std::optional<std::int32_t> port;
  std::string namespace_;  ///< `namespace` on the wire
  std::map<std::string, std::string> labels;
  std::string interval;
  value unknown_fields;

  friend bool operator==(const prometheus_spec&, const prometheus_spec&) = default;
};

/// The exporter side car (`monitor`).
struct monitor_spec {
  std::string image;
  std::optional<prometheus_spec> prometheus;
  std::vector<std::string> args;
  value env;  ///< []EnvVar
  std::optional<resource_requirements> resources;
  value security_context;  ///< SecurityContext
  value unknown_fields;

  friend bool operator==(const monitor_spec&, const monitor_spec&) = default;
};

struct backup_source {
  std::string name;
  std::string namespace_;  ///< `namespace` on the wire
  std::vector<std::string> args;
  value unknown_fields;

  friend bool operator==(const backup_source&, const backup_source&) = default;
};

/// `init`: how a new cluster gets its first data.
struct init_spec {
  std::optional<rcplan::backup_source> backup_source;
  value unknown_fields;

  friend bool operator==(const init_spec&, const init_spec&) = default;
};

// --- rcplan's extensions -------------------------------------------------------------------

/// The failure domain masters and their replicas are kept apart by.
enum class spread_domain : std::uint8_t { none, host, zone, host_and_zone };
/// Whether the spreading must hold (pods stay Pending otherwise) or is best effort.
enum class placement_mode : std::uint8_t { preferred, required };

/// JSON `placement`: {"spreadBy": "none|host|zone|hostAndZone", "mode": "preferred|required"}.
struct placement_policy {
  spread_domain spread_by = spread_domain::host;
  placement_mode mode = placement_mode::preferred;
  value unknown_fields;

  friend bool operator==(const placement_policy&, const placement_policy&) = default;
};

enum class balance_metric : std::uint8_t { slots, keys };

/// JSON `rebalance`: {"thresholdPercent": 2, "balanceBy": "slots|keys", "useEmptyMasters": true}.
struct rebalance_settings {
  /// Masters whose share is off by less than this percentage of their quota are left alone,
  /// as redis-cli's `--cluster-threshold` (default 2).
  double threshold_percent = 2.0;
  balance_metric balance_by = balance_metric::slots;
  /// Unlike redis-cli's default, true: a master the spec asks for is meant to serve slots.
  bool use_empty_masters = true;
  value unknown_fields;

  friend bool operator==(const rebalance_settings&, const rebalance_settings&) = default;
};

/// The defaults of `migration`, defined once: lowering (lower_context), the Redis executor
/// (redis::execute_options) and rebalance_options start from them too, so a spec that leaves a
/// field out behaves as one that spells out its default.
inline constexpr std::int32_t default_max_concurrent_migrations = 1;
inline constexpr std::int32_t default_max_migrations_per_node = 4;
inline constexpr std::int32_t default_key_batch_size = 1000;
inline constexpr std::int32_t default_migrate_timeout_ms = 60000;
inline constexpr std::int32_t default_step_timeout_seconds = 60;
/// Chosen from measurements: bench/README.md, "Rebalance with a latency budget".
inline constexpr double default_latency_budget_ms = 5.0;
inline constexpr double max_latency_budget_ms = 60000.0;

/// JSON `migration`: {"maxConcurrentMigrations": 1, "maxMigrationsPerNode": 4,
/// "keyBatchSize": 1000, "migrateTimeoutMs": 60000, "stepTimeoutSeconds": 60,
/// "latencyBudgetMs": 5.0, "maxKeysPerSecond": 0}. reconcile() reads the first two; the executor
/// that runs the plan (redis::run_until_converged) the rest.
struct migration_settings {
  /// Migrations that may run in one wave.
  std::int32_t max_concurrent_migrations = default_max_concurrent_migrations;
  /// Migrations of one wave a master may take part in, as source or target (above 1, a new
  /// master imports from several donors at once).
  std::int32_t max_migrations_per_node = default_max_migrations_per_node;
  /// Keys per `CLUSTER GETKEYSINSLOT` / `MIGRATE ... KEYS` call (redis-cli's
  /// `--cluster-pipeline`, which defaults to 10: larger batches mean fewer round trips).
  std::int32_t key_batch_size = default_key_batch_size;
  /// The MIGRATE timeout, as redis-cli's `--cluster-timeout` (default 60000).
  std::int32_t migrate_timeout_ms = default_migrate_timeout_ms;
  /// How long a `wait_until` step may wait before execution stops and the loop re-plans.
  std::int32_t step_timeout_seconds = default_step_timeout_seconds;
  /// The p99 latency, in milliseconds, that the executor's probes may see on a migrating node
  /// before it slows down (redis::execute_options::latency_budget); 0: unpaced.
  double latency_budget_ms = default_latency_budget_ms;
  /// A cap on the keys MIGRATE moves per second over the whole execution; 0: none.
  std::int64_t max_keys_per_second = 0;
  value unknown_fields;

  friend bool operator==(const migration_settings&, const migration_settings&) = default;
};

/// JSON `failover`: {"allowTakeover": false, "allowDataLoss": false}. Both default to false
/// because both can lose acknowledged writes.
struct failover_policy {
  /// `CLUSTER FAILOVER TAKEOVER` skips the majority vote; two masters can end up owning a slot.
  bool allow_takeover = false;
  /// Lets a plan promote a replica that is behind or drop a shard with no replica left.
  bool allow_data_loss = false;
  value unknown_fields;

  friend bool operator==(const failover_policy&, const failover_policy&) = default;
};

/// The spec of a DistributedRedisCluster. JSON names are the original camelCase ones; the
/// rcplan extensions are `shardWeights`, `placement`, `rebalance`, `migration`, `failover`.
struct cluster_spec {
  std::string image;
  std::string image_pull_policy;
  std::vector<local_object_reference> image_pull_secrets;
  std::vector<std::string> command;
  value env;  ///< []EnvVar
  std::optional<std::int32_t> master_size;
  std::optional<std::int32_t> cluster_replicas;
  std::string service_name;
  std::map<std::string, std::string> config;  ///< written to redis.conf
  bool required_anti_affinity = false;
  value affinity;
  std::map<std::string, std::string> node_selector;
  value tolerations;  ///< `toleRations` on the wire (the original tag); `tolerations` also read
  value security_context;            ///< PodSecurityContext
  value container_security_context;  ///< SecurityContext
  std::map<std::string, std::string> annotations;  ///< for the pods
  std::optional<storage_spec> storage;
  std::optional<resource_requirements> resources;
  std::optional<local_object_reference> password_secret;
  /// rcplan extension: the Redis ACL user the password belongs to (empty: the default user).
  /// The pods define the user with every permission and replicate as it; rcplan authenticates
  /// as it (AUTH user password, MIGRATE ... AUTH2). Needs passwordSecret.
  std::string username;
  std::optional<monitor_spec> monitor;
  std::optional<init_spec> init;

  /// Shard index → relative weight; shards not listed weigh 1. JSON `shardWeights`: an object
  /// keyed by the decimal index ({"0": 2, "3": 0.5}); an array of weights is read too.
  std::map<std::int32_t, double> shard_weights;
  placement_policy placement;
  rebalance_settings rebalance;
  migration_settings migration;
  failover_policy failover;

  value unknown_fields;

  friend bool operator==(const cluster_spec&, const cluster_spec&) = default;
};

/// A whole DistributedRedisCluster. `unknown_fields` keeps top-level members such as `status`.
struct cluster_resource {
  std::string api_version = api_version_v1alpha1;
  object_meta metadata;
  cluster_spec spec;
  value unknown_fields;

  friend bool operator==(const cluster_resource&, const cluster_resource&) = default;
};

// --- RedisClusterBackup --------------------------------------------------------------------

struct s3_spec {
  std::string endpoint;
  std::string bucket;
  std::string prefix;
  value unknown_fields;

  friend bool operator==(const s3_spec&, const s3_spec&) = default;
};

/// The spec of a RedisClusterBackup. Other storage backends (gcs, azure, swift, local) are
/// kept in `unknown_fields`.
struct backup_spec {
  std::string image;
  std::string redis_cluster_name;
  std::string storage_secret_name;
  std::optional<s3_spec> s3;
  std::optional<storage_spec> storage;
  value unknown_fields;

  friend bool operator==(const backup_spec&, const backup_spec&) = default;
};

struct backup_resource {
  std::string api_version = api_version_v1alpha1;
  object_meta metadata;
  backup_spec spec;
  value unknown_fields;

  friend bool operator==(const backup_resource&, const backup_resource&) = default;
};

// --- effective values ----------------------------------------------------------------------

inline constexpr std::int32_t default_master_size = 3;
inline constexpr std::int32_t default_cluster_replicas = 1;

/// The number of masters the spec asks for, with the default when absent.
[[nodiscard]] inline std::int32_t master_count(const cluster_spec& s) noexcept {
  return s.master_size.value_or(default_master_size);
}

/// Replicas per master, with the default when absent.
[[nodiscard]] inline std::int32_t replica_count(const cluster_spec& s) noexcept {
  return s.cluster_replicas.value_or(default_cluster_replicas);
}

/// The weight of shard `shard` (1 when not listed).
[[nodiscard]] inline double shard_weight(const cluster_spec& s, std::int32_t shard) {
  const auto it = s.shard_weights.find(shard);
  return it == s.shard_weights.end() ? 1.0 : it->second;
}

}  // namespace rcplan
