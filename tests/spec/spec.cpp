#include <rcplan/spec/spec.hpp>

#include <catch2/catch.hpp>

TEST_CASE("effective sizes use the defaults only when absent") {
  rcplan::cluster_spec s;
  CHECK(rcplan::master_count(s) == 3);
  CHECK(rcplan::replica_count(s) == 1);
  s.master_size = 7;
  s.cluster_replicas = 0;
  CHECK(rcplan::master_count(s) == 7);
  CHECK(rcplan::replica_count(s) == 0);
}

TEST_CASE("shard weights default to 1") {
  rcplan::cluster_spec s;
  s.shard_weights = {{1, 0.0}, {2, 2.5}};
  CHECK(rcplan::shard_weight(s, 0) == 1.0);
  CHECK(rcplan::shard_weight(s, 1) == 0.0);
  CHECK(rcplan::shard_weight(s, 2) == 2.5);
}

TEST_CASE("extension defaults match the documented ones") {
  const rcplan::cluster_spec s;
  CHECK(s.rebalance.threshold_percent == 2.0);
  CHECK(s.rebalance.balance_by == rcplan::balance_metric::slots);
  CHECK_FALSE(s.failover.allow_takeover);
  CHECK_FALSE(s.failover.allow_data_loss);
  CHECK(s.migration.max_concurrent_migrations >= 1);
  CHECK(s.migration.key_batch_size >= 1);
  CHECK(s.placement.mode == rcplan::placement_mode::preferred);
  const rcplan::cluster_resource r;
  CHECK(r.api_version == "redis.kun/v1alpha1");
}
