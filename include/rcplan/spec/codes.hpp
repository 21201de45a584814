#pragma once

// The codes of the spec's diagnostics (validate()): stable strings that callers and tests match
// on, one named constant each.

namespace rcplan {

/// Stable diagnostic codes of validate(). Subjects are spec field paths in the resource's
/// JSON names (`spec.storage.size`, `spec.shardWeights[4]`, `spec.config.port`).
namespace spec_code {
// errors
inline constexpr const char* master_size_invalid = "spec.master_size_invalid";            // < 1
inline constexpr const char* cluster_replicas_invalid = "spec.cluster_replicas_invalid";  // < 0
inline constexpr const char* master_size_too_large = "spec.master_size_too_large";          // > 16384
inline constexpr const char* cluster_too_large = "spec.cluster_too_large";  // more nodes than max_cluster_nodes
inline constexpr const char* storage_type_invalid = "spec.storage_type_invalid";
inline constexpr const char* storage_size_missing = "spec.storage_size_missing";
inline constexpr const char* quantity_invalid = "spec.quantity_invalid";    // does not parse
inline constexpr const char* quantity_negative = "spec.quantity_negative";  // parses, below 0
inline constexpr const char* requests_exceed_limits = "spec.requests_exceed_limits";
inline constexpr const char* secret_name_empty = "spec.secret_name_empty";
inline constexpr const char* backup_source_name_empty = "spec.backup_source_name_empty";
inline constexpr const char* port_invalid = "spec.port_invalid";
inline constexpr const char* shard_weight_invalid = "spec.shard_weight_invalid";  // < 0 or not finite
inline constexpr const char* shard_weight_out_of_range = "spec.shard_weight_out_of_range";
inline constexpr const char* shard_weights_all_zero = "spec.shard_weights_all_zero";
inline constexpr const char* rebalance_threshold_invalid = "spec.rebalance_threshold_invalid";
inline constexpr const char* migration_concurrency_invalid = "spec.migration_concurrency_invalid";
inline constexpr const char* migration_batch_size_invalid = "spec.migration_batch_size_invalid";
inline constexpr const char* migration_timeout_invalid = "spec.migration_timeout_invalid";
inline constexpr const char* migration_pace_invalid = "spec.migration_pace_invalid";
inline constexpr const char* config_key_reserved = "spec.config_key_reserved";
inline constexpr const char* config_value_invalid = "spec.config_value_invalid";  // a line break
inline constexpr const char* config_key_unknown = "spec.config_key_unknown";      // redis-server would not start
inline constexpr const char* username_invalid = "spec.username_invalid";  // a space, quote or control character
inline constexpr const char* username_without_password = "spec.username_without_password";
inline constexpr const char* name_invalid = "spec.name_invalid";  // metadata.name missing or not a DNS label
// warnings
inline constexpr const char* master_size_no_majority = "spec.master_size_no_majority";
inline constexpr const char* master_size_above_original_limit = "spec.master_size_above_original_limit";
inline constexpr const char* cluster_above_recommended_size = "spec.cluster_above_recommended_size";  // > 1000 nodes
inline constexpr const char* cluster_replicas_above_original_limit =
    "spec.cluster_replicas_above_original_limit";
inline constexpr const char* no_replicas = "spec.no_replicas";
inline constexpr const char* ephemeral_without_replicas = "spec.ephemeral_without_replicas";
inline constexpr const char* takeover_allowed = "spec.takeover_allowed";
inline constexpr const char* data_loss_allowed = "spec.data_loss_allowed";
inline constexpr const char* unknown_field = "spec.unknown_field";  // warning in rcplan's own
                                                                     // objects, info elsewhere
// RedisClusterBackup
inline constexpr const char* backup_cluster_name_missing = "spec.backup_cluster_name_missing";
inline constexpr const char* backup_storage_missing = "spec.backup_storage_missing";
}  // namespace spec_code

}  // namespace rcplan
