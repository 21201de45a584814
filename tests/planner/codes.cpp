// The planners' diagnostic codes are part of the plan JSON users match on: each family's wire
// text is pinned here once; the other tests use the constants.

#include <rcplan/planner/codes.hpp>

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

namespace {

/// Every code of every family, for the uniqueness check.
const std::vector<std::string>& all_codes() {
  namespace rep = rcplan::repair_code;
  namespace reb = rcplan::rebalance_code;
  namespace pl = rcplan::placement_code;
  namespace rec = rcplan::reconcile_code;
  namespace bak = rcplan::backup_code;
  namespace res = rcplan::restore_code;
  static const std::vector<std::string> codes = {
      rep::several_importers, rep::migrating_to_unknown, rep::foreign_importer, rep::uncovered_unknown_keys,
      rep::uncovered_many_holders, rep::half_finished_migration, rep::contested_slot, rep::importer_not_master,
      reb::failover_settling, reb::failover_pending, reb::failed_master_no_replica, reb::unclaimed_slots,
      reb::stuck_imports, reb::weight_invalid,
      reb::keys_unknown, reb::views_disagree, reb::all_weights_zero, reb::strategy_invalid, reb::node_unreachable,
      reb::migration_peer_down,
      pl::masters_share_host, pl::masters_share_zone, pl::replica_on_master_host, pl::replica_on_master_zone,
      pl::best_effort,
      rec::data_loss, rec::no_master_to_adopt, rec::master_down_no_replica, rec::failover_pending, rec::takeover,
      rec::no_majority, rec::waiting_for_nodes, rec::conflicting_claims, rec::no_replica_to_promote,
      rec::shard_not_empty, rec::last_replica_kept, rec::shard_without_master, rec::restart_without_replica, rec::waiting_for_synced_replica,
      rec::acl_password_change,
      bak::views_disagree, bak::open_slots, bak::uncovered_slots, bak::contested_slots, bak::shard_unavailable,
      bak::from_master, bak::no_shards, bak::slots_overlap, bak::slots_missing, bak::shard_index,
      bak::checksum_malformed, bak::file_name, bak::file_missing, bak::size_mismatch, bak::checksum_mismatch,
      res::fewer_masters, res::foreign_slots, res::data_missing, res::waiting_for_pods,
  };
  return codes;
}

}  // namespace

TEST_CASE("repair codes keep their wire text") {
  namespace c = rcplan::repair_code;
  CHECK(std::string(c::several_importers) == "repair.several_importers");
  CHECK(std::string(c::migrating_to_unknown) == "repair.migrating_to_unknown");
  CHECK(std::string(c::foreign_importer) == "repair.foreign_importer");
  CHECK(std::string(c::uncovered_unknown_keys) == "repair.uncovered_unknown_keys");
  CHECK(std::string(c::uncovered_many_holders) == "repair.uncovered_many_holders");
  CHECK(std::string(c::half_finished_migration) == "repair.half_finished_migration");
  CHECK(std::string(c::contested_slot) == "repair.contested_slot");
  CHECK(std::string(c::importer_not_master) == "repair.importer_not_master");
}

TEST_CASE("rebalance codes keep their wire text") {
  namespace c = rcplan::rebalance_code;
  CHECK(std::string(c::failover_settling) == "rebalance.failover_settling");
  CHECK(std::string(c::failover_pending) == "rebalance.failover_pending");
  CHECK(std::string(c::failed_master_no_replica) == "rebalance.failed_master_no_replica");
  CHECK(std::string(c::unclaimed_slots) == "rebalance.unclaimed_slots");
  CHECK(std::string(c::stuck_imports) == "rebalance.stuck_imports");
  CHECK(std::string(c::node_unreachable) == "rebalance.node_unreachable");
  CHECK(std::string(c::migration_peer_down) == "rebalance.migration_peer_down");
  CHECK(std::string(c::weight_invalid) == "rebalance.weight_invalid");
  CHECK(std::string(c::keys_unknown) == "rebalance.keys_unknown");
  CHECK(std::string(c::views_disagree) == "rebalance.views_disagree");
  CHECK(std::string(c::strategy_invalid) == "rebalance.strategy_invalid");
  CHECK(std::string(c::all_weights_zero) == "rebalance.all_weights_zero");
}

TEST_CASE("placement codes keep their wire text") {
  namespace c = rcplan::placement_code;
  CHECK(std::string(c::masters_share_host) == "placement.masters_share_host");
  CHECK(std::string(c::masters_share_zone) == "placement.masters_share_zone");
  CHECK(std::string(c::replica_on_master_host) == "placement.replica_on_master_host");
  CHECK(std::string(c::replica_on_master_zone) == "placement.replica_on_master_zone");
  CHECK(std::string(c::best_effort) == "placement.best_effort");
}

TEST_CASE("reconcile codes keep their wire text") {
  namespace c = rcplan::reconcile_code;
  CHECK(std::string(c::data_loss) == "reconcile.data_loss");
  CHECK(std::string(c::no_master_to_adopt) == "reconcile.no_master_to_adopt");
  CHECK(std::string(c::master_down_no_replica) == "reconcile.master_down_no_replica");
  CHECK(std::string(c::failover_pending) == "reconcile.failover_pending");
  CHECK(std::string(c::takeover) == "reconcile.takeover");
  CHECK(std::string(c::no_majority) == "reconcile.no_majority");
  CHECK(std::string(c::waiting_for_nodes) == "reconcile.waiting_for_nodes");
  CHECK(std::string(c::conflicting_claims) == "reconcile.conflicting_claims");
  CHECK(std::string(c::no_replica_to_promote) == "reconcile.no_replica_to_promote");
  CHECK(std::string(c::shard_not_empty) == "reconcile.shard_not_empty");
  CHECK(std::string(c::last_replica_kept) == "reconcile.last_replica_kept");
  CHECK(std::string(c::shard_without_master) == "reconcile.shard_without_master");
  CHECK(std::string(c::restart_without_replica) == "reconcile.restart_without_replica");
  CHECK(std::string(c::waiting_for_synced_replica) == "reconcile.waiting_for_synced_replica");
  CHECK(std::string(c::acl_password_change) == "reconcile.acl_password_change");
}

TEST_CASE("backup and restore codes keep their wire text") {
  namespace b = rcplan::backup_code;
  CHECK(std::string(b::views_disagree) == "backup.views_disagree");
  CHECK(std::string(b::open_slots) == "backup.open_slots");
  CHECK(std::string(b::uncovered_slots) == "backup.uncovered_slots");
  CHECK(std::string(b::contested_slots) == "backup.contested_slots");
  CHECK(std::string(b::shard_unavailable) == "backup.shard_unavailable");
  CHECK(std::string(b::from_master) == "backup.from_master");
  CHECK(std::string(b::no_shards) == "backup.no_shards");
  CHECK(std::string(b::slots_overlap) == "backup.slots_overlap");
  CHECK(std::string(b::slots_missing) == "backup.slots_missing");
  CHECK(std::string(b::shard_index) == "backup.shard_index");
  CHECK(std::string(b::checksum_malformed) == "backup.checksum_malformed");
  CHECK(std::string(b::file_name) == "backup.file_name");
  CHECK(std::string(b::file_missing) == "backup.file_missing");
  CHECK(std::string(b::size_mismatch) == "backup.size_mismatch");
  CHECK(std::string(b::checksum_mismatch) == "backup.checksum_mismatch");
  namespace r = rcplan::restore_code;
  CHECK(std::string(r::fewer_masters) == "restore.fewer_masters");
  CHECK(std::string(r::foreign_slots) == "restore.foreign_slots");
  CHECK(std::string(r::data_missing) == "restore.data_missing");
  CHECK(std::string(r::waiting_for_pods) == "restore.waiting_for_pods");
}

TEST_CASE("no two planner codes share a text") {
  const std::vector<std::string>& codes = all_codes();
  CHECK(std::set<std::string>(codes.begin(), codes.end()).size() == codes.size());
}
