#pragma once

// The codes of the diagnostics the planners emit, one namespace per planner, as spec_code is
// for validate(). Callers match on these; their text is part of the plan JSON and never changes.

#include <rcplan/plan/plan.hpp>

namespace rcplan {

/// plan_repair(): a broken slot it will not touch because keys could be lost (all errors;
/// the subject is the slot set).
namespace repair_code {
inline constexpr const char* several_importers = "repair.several_importers";
inline constexpr const char* migrating_to_unknown = "repair.migrating_to_unknown";
inline constexpr const char* foreign_importer = "repair.foreign_importer";
inline constexpr const char* uncovered_unknown_keys = "repair.uncovered_unknown_keys";
inline constexpr const char* uncovered_many_holders = "repair.uncovered_many_holders";
inline constexpr const char* half_finished_migration = "repair.half_finished_migration";
inline constexpr const char* contested_slot = "repair.contested_slot";
inline constexpr const char* importer_not_master = "repair.importer_not_master";
}  // namespace repair_code

/// plan_rebalance().
namespace rebalance_code {
inline constexpr const char* failover_settling = "rebalance.failover_settling";      // info, waiting
inline constexpr const char* failover_pending = "rebalance.failover_pending";        // warning, waiting
inline constexpr const char* failed_master_no_replica = "rebalance.failed_master_no_replica";  // error
inline constexpr const char* unclaimed_slots = "rebalance.unclaimed_slots";          // error
inline constexpr const char* stuck_imports = "rebalance.stuck_imports";              // warning
inline constexpr const char* keys_unknown = "rebalance.keys_unknown";                // error
inline constexpr const char* views_disagree = "rebalance.views_disagree";            // warning, waiting
inline constexpr const char* all_weights_zero = "rebalance.all_weights_zero";        // error
inline constexpr const char* weight_invalid = "rebalance.weight_invalid";            // error
inline constexpr const char* strategy_invalid = "rebalance.strategy_invalid";        // error
inline constexpr const char* node_unreachable = "rebalance.node_unreachable";        // warning, waiting
inline constexpr const char* migration_peer_down = "rebalance.migration_peer_down";  // warning, waiting
}  // namespace rebalance_code

/// plan_backup() (errors: nothing would be backed up) and check_manifest() (errors: the backup
/// cannot be restored). The subject is the slot set, the shard or the manifest field.
namespace backup_code {
inline constexpr const char* views_disagree = "backup.views_disagree";
inline constexpr const char* open_slots = "backup.open_slots";
inline constexpr const char* uncovered_slots = "backup.uncovered_slots";
inline constexpr const char* contested_slots = "backup.contested_slots";
inline constexpr const char* shard_unavailable = "backup.shard_unavailable";
inline constexpr const char* from_master = "backup.from_master";  // info: no replica in sync
inline constexpr const char* no_shards = "backup.no_shards";
inline constexpr const char* slots_overlap = "backup.slots_overlap";
inline constexpr const char* slots_missing = "backup.slots_missing";
inline constexpr const char* shard_index = "backup.shard_index";
inline constexpr const char* checksum_malformed = "backup.checksum_malformed";
inline constexpr const char* file_name = "backup.file_name";
// the backup binding's checks of the stored files
inline constexpr const char* file_missing = "backup.file_missing";
inline constexpr const char* size_mismatch = "backup.size_mismatch";
inline constexpr const char* checksum_mismatch = "backup.checksum_mismatch";
}  // namespace backup_code

/// plan_restore() and reconcile() restoring a backup (errors: nothing may start, or the
/// restored nodes hold what the backup does not).
namespace restore_code {
inline constexpr const char* fewer_masters = "restore.fewer_masters";  // info: extra shards drain after
inline constexpr const char* foreign_slots = "restore.foreign_slots";  // error
inline constexpr const char* data_missing = "restore.data_missing";    // error
inline constexpr const char* waiting_for_pods = "restore.waiting_for_pods";  // info, waiting
}  // namespace restore_code

/// placement_findings() and plan_spread_failovers(): error under a required policy, warning
/// under a preferred one, info when nothing could do better.
namespace placement_code {
inline constexpr const char* masters_share_host = "placement.masters_share_host";
inline constexpr const char* masters_share_zone = "placement.masters_share_zone";
inline constexpr const char* replica_on_master_host = "placement.replica_on_master_host";
inline constexpr const char* replica_on_master_zone = "placement.replica_on_master_zone";
inline constexpr const char* best_effort = "placement.best_effort";
}  // namespace placement_code

/// reconcile(), besides the codes of the planners it composes.
namespace reconcile_code {
inline constexpr const char* data_loss = data_loss_code;  // warning: see plan/plan.hpp
inline constexpr const char* no_master_to_adopt = "reconcile.no_master_to_adopt";
inline constexpr const char* master_down_no_replica = "reconcile.master_down_no_replica";
inline constexpr const char* failover_pending = "reconcile.failover_pending";
inline constexpr const char* takeover = "reconcile.takeover";
inline constexpr const char* no_majority = "reconcile.no_majority";
inline constexpr const char* waiting_for_nodes = "reconcile.waiting_for_nodes";
inline constexpr const char* conflicting_claims = "reconcile.conflicting_claims";
inline constexpr const char* no_replica_to_promote = "reconcile.no_replica_to_promote";
inline constexpr const char* shard_not_empty = "reconcile.shard_not_empty";
inline constexpr const char* last_replica_kept = "reconcile.last_replica_kept";
inline constexpr const char* shard_without_master = "reconcile.shard_without_master";
inline constexpr const char* restart_without_replica = "reconcile.restart_without_replica";
inline constexpr const char* waiting_for_synced_replica = "reconcile.waiting_for_synced_replica";
inline constexpr const char* acl_password_change = "reconcile.acl_password_change";
}  // namespace reconcile_code

}  // namespace rcplan
