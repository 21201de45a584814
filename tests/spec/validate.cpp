#include <rcplan/spec/validate.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

namespace {

using rcplan::diagnostic;
using rcplan::severity;

const diagnostic* find(const std::vector<diagnostic>& diags, const std::string& subject, const std::string& code) {
  const auto it = std::find_if(diags.begin(), diags.end(),
                               [&](const diagnostic& d) { return d.subject == subject && d.code == code; });
  return it == diags.end() ? nullptr : &*it;
}

bool has(const std::vector<diagnostic>& diags, severity s, const std::string& subject, const std::string& code) {
  const auto* d = find(diags, subject, code);
  return d != nullptr && d->severity == s && !d->message.empty();
}

std::string describe(const std::vector<diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += d.code + " @ " + d.subject + ": " + d.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("an empty spec is valid: every default is usable") {
  const auto diags = rcplan::validate(rcplan::cluster_spec{});
  INFO(describe(diags));
  CHECK_FALSE(rcplan::has_errors(diags));
  CHECK(diags.empty());
}

TEST_CASE("validate: spec.username is an ACL user name and needs a password") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.password_secret = rcplan::local_object_reference{"pw", {}};
  s.username = "rcplan-operator";
  CHECK_FALSE(rcplan::has_errors(rcplan::validate(s)));
  for (const char* bad : {"two words", "tab\there", "line\nbreak", "del\x7f", "quo\"te", "it's"}) {
    s.username = bad;
    const auto diags = rcplan::validate(s);
    INFO(describe(diags));
    CHECK(has(diags, severity::error, "spec.username", code::username_invalid));
    for (const auto& d : diags) CHECK(d.message.find(bad) == std::string::npos);  // quoted nowhere
  }
  s.username = "app";
  s.password_secret.reset();
  CHECK(has(rcplan::validate(s), severity::error, "spec.username", code::username_without_password));
  CHECK(rcplan::acl_user_name_ok("default"));
  CHECK_FALSE(rcplan::acl_user_name_ok(""));
}

TEST_CASE("validate reports every error at once, each at its field") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.master_size = 4;
  s.cluster_replicas = -1;
  s.image_pull_secrets = {{"", {}}};
  s.storage = rcplan::storage_spec{"pvc", "10GB", "", false, {}};
  s.resources = rcplan::resource_requirements{{{"cpu", "2"}, {"memory", "3Gi"}, {"gpu", "x"}},
                                              {{"cpu", "1500m"}, {"memory", "4Gi"}},
                                              {}};
  s.password_secret = rcplan::local_object_reference{};
  s.monitor = rcplan::monitor_spec{};
  s.monitor->prometheus = rcplan::prometheus_spec{};
  s.monitor->prometheus->port = 70000;
  s.monitor->resources = rcplan::resource_requirements{{{"memory", "-1Mi"}}, {}, {}};
  s.init = rcplan::init_spec{rcplan::backup_source{}, {}};
  s.config = {{"port", "7000"}, {"Cluster-Enabled", "no"}, {"maxmemory", "1gb"}};
  s.shard_weights = {{0, -1.0}, {4, 2.0}};
  s.rebalance.threshold_percent = 101;
  s.migration.max_concurrent_migrations = 0;
  s.migration.max_migrations_per_node = 0;
  s.migration.key_batch_size = -3;
  s.migration.migrate_timeout_ms = 0;
  s.migration.step_timeout_seconds = 0;
  s.migration.latency_budget_ms = -0.5;
  s.migration.max_keys_per_second = -1;

  const auto diags = rcplan::validate(s);
  INFO(describe(diags));
  CHECK(rcplan::has_errors(diags));
  const auto e = severity::error;
  CHECK(has(diags, e, "spec.clusterReplicas", code::cluster_replicas_invalid));
  CHECK(has(diags, e, "spec.imagePullSecrets[0].name", code::secret_name_empty));
  CHECK(has(diags, e, "spec.storage.type", code::storage_type_invalid));
  CHECK(has(diags, e, "spec.storage.size", code::quantity_invalid));
  CHECK(has(diags, e, "spec.resources.requests.cpu", code::requests_exceed_limits));
  CHECK(has(diags, e, "spec.resources.requests.gpu", code::quantity_invalid));
  CHECK(has(diags, e, "spec.passwordSecret.name", code::secret_name_empty));
  CHECK(has(diags, e, "spec.monitor.prometheus.port", code::port_invalid));
  CHECK(has(diags, e, "spec.monitor.resources.requests.memory", code::quantity_negative));
  CHECK(has(diags, e, "spec.init.backupSource.name", code::backup_source_name_empty));
  CHECK(has(diags, e, "spec.config.port", code::config_key_reserved));
  CHECK(has(diags, e, "spec.config.Cluster-Enabled", code::config_key_reserved));
  CHECK(has(diags, e, "spec.shardWeights[0]", code::shard_weight_invalid));
  CHECK(has(diags, e, "spec.shardWeights[4]", code::shard_weight_out_of_range));
  CHECK(has(diags, e, "spec.rebalance.thresholdPercent", code::rebalance_threshold_invalid));
  CHECK(has(diags, e, "spec.migration.maxConcurrentMigrations", code::migration_concurrency_invalid));
  CHECK(has(diags, e, "spec.migration.maxMigrationsPerNode", code::migration_concurrency_invalid));
  CHECK(has(diags, e, "spec.migration.keyBatchSize", code::migration_batch_size_invalid));
  CHECK(has(diags, e, "spec.migration.migrateTimeoutMs", code::migration_timeout_invalid));
  CHECK(has(diags, e, "spec.migration.stepTimeoutSeconds", code::migration_timeout_invalid));
  CHECK(has(diags, e, "spec.migration.latencyBudgetMs", code::migration_pace_invalid));
  CHECK(has(diags, e, "spec.migration.maxKeysPerSecond", code::migration_pace_invalid));
  // requests within limits and keys rcplan does not own are fine
  CHECK(find(diags, "spec.resources.requests.memory", code::requests_exceed_limits) == nullptr);
  CHECK(find(diags, "spec.config.maxmemory", code::config_key_reserved) == nullptr);
  CHECK(find(diags, "spec.masterSize", code::master_size_invalid) == nullptr);
}

TEST_CASE("config: a directive redis-server does not know is refused, naming it") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.master_size = 3;
  s.config = {{"maxmemory", "1gb"},           {"MaxMemory-Policy", "allkeys-lru"}, {"slave-read-only", "yes"},
              {"maxmemroy", "1gb"},           {"tls-port", "6380"},              {"mymodule.setting", "1"},
              {"cluster-slot-stats", "yes"}};
  const auto diags = rcplan::validate(s);
  INFO(describe(diags));
  CHECK(has(diags, severity::error, "spec.config.maxmemroy", code::config_key_unknown));
  CHECK(has(diags, severity::error, "spec.config.cluster-slot-stats", code::config_key_unknown));
  for (const char* fine : {"maxmemory", "MaxMemory-Policy", "slave-read-only", "tls-port", "mymodule.setting"})
    CHECK(find(diags, "spec.config." + std::string(fine), code::config_key_unknown) == nullptr);
  // a reserved key is reported as such, not twice
  s.config = {{"port", "7000"}};
  const auto reserved = rcplan::validate(s);
  CHECK(has(reserved, severity::error, "spec.config.port", code::config_key_reserved));
  CHECK(find(reserved, "spec.config.port", code::config_key_unknown) == nullptr);
}

TEST_CASE("masterSize and clusterReplicas limits") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.master_size = 0;
  CHECK(has(rcplan::validate(s), severity::error, "spec.masterSize", code::master_size_invalid));
  s.master_size = -2;
  CHECK(has(rcplan::validate(s), severity::error, "spec.masterSize", code::master_size_invalid));
  s.master_size = 2;
  auto diags = rcplan::validate(s);
  CHECK(has(diags, severity::warning, "spec.masterSize", code::master_size_no_majority));
  CHECK_FALSE(rcplan::has_errors(diags));
  s.master_size = 11;
  CHECK(has(rcplan::validate(s), severity::warning, "spec.masterSize", code::master_size_above_original_limit));
  s.master_size = 10;
  CHECK(rcplan::validate(s).empty());
  s.cluster_replicas = 4;
  CHECK(has(rcplan::validate(s), severity::warning, "spec.clusterReplicas",
            code::cluster_replicas_above_original_limit));
}

TEST_CASE("counts are bounded: more masters than slots and oversized clusters are errors, above 1000 nodes a warning") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.cluster_replicas = 1;
  s.master_size = 16385;
  CHECK(has(rcplan::validate(s), severity::error, "spec.masterSize", code::master_size_too_large));
  s.master_size = 1000000;
  CHECK(has(rcplan::validate(s), severity::error, "spec.masterSize", code::master_size_too_large));
  s.master_size = 16384;  // one slot each, one replica each: the largest cluster planned
  auto diags = rcplan::validate(s);
  CHECK_FALSE(rcplan::has_errors(diags));
  CHECK(has(diags, severity::warning, "spec.masterSize", code::cluster_above_recommended_size));
  s.cluster_replicas = 2;
  CHECK(has(rcplan::validate(s), severity::error, "spec.clusterReplicas", code::cluster_too_large));
  s.master_size = 3;
  s.cluster_replicas = 2147483647;  // the product must not wrap into something small
  CHECK(has(rcplan::validate(s), severity::error, "spec.clusterReplicas", code::cluster_too_large));
  s.cluster_replicas = 1;
  s.master_size = 501;  // 1002 nodes
  CHECK(has(rcplan::validate(s), severity::warning, "spec.masterSize", code::cluster_above_recommended_size));
  s.master_size = 500;  // 1000 nodes
  CHECK(find(rcplan::validate(s), "spec.masterSize", code::cluster_above_recommended_size) == nullptr);
  s.shard_weights[0] = 1.7e308;
  CHECK(has(rcplan::validate(s), severity::error, "spec.shardWeights[0]", code::shard_weight_invalid));
  s.shard_weights[0] = rcplan::max_weight;
  CHECK(find(rcplan::validate(s), "spec.shardWeights[0]", code::shard_weight_invalid) == nullptr);
}

TEST_CASE("risky but legal settings are warnings") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.cluster_replicas = 0;
  s.storage = rcplan::storage_spec{"ephemeral", "", "", false, {}};
  s.failover.allow_takeover = true;
  s.failover.allow_data_loss = true;
  const auto diags = rcplan::validate(s);
  INFO(describe(diags));
  CHECK_FALSE(rcplan::has_errors(diags));
  CHECK(has(diags, severity::warning, "spec.clusterReplicas", code::no_replicas));
  CHECK(has(diags, severity::warning, "spec.storage", code::ephemeral_without_replicas));
  CHECK(has(diags, severity::warning, "spec.failover.allowTakeover", code::takeover_allowed));
  CHECK(has(diags, severity::warning, "spec.failover.allowDataLoss", code::data_loss_allowed));

  s.storage->type = "persistent-claim";
  s.storage->size = "1Gi";
  CHECK(find(rcplan::validate(s), "spec.storage", code::ephemeral_without_replicas) == nullptr);
  s.storage.reset();  // no storage at all is an emptyDir in the original: just as ephemeral
  CHECK(has(rcplan::validate(s), severity::warning, "spec.storage", code::ephemeral_without_replicas));
}

TEST_CASE("storage needs a size only when persistent") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.storage = rcplan::storage_spec{"persistent-claim", "", "fast", true, {}};
  CHECK(has(rcplan::validate(s), severity::error, "spec.storage.size", code::storage_size_missing));
  s.storage->type = "ephemeral";
  CHECK(rcplan::validate(s).empty());
  s.storage->type = "";
  CHECK(has(rcplan::validate(s), severity::error, "spec.storage.type", code::storage_type_invalid));
}

TEST_CASE("shard weights") {
  namespace code = rcplan::spec_code;
  rcplan::cluster_spec s;
  s.master_size = 3;
  s.shard_weights = {{0, 0.0}, {1, 0.0}};
  CHECK(rcplan::validate(s).empty());  // shard 2 keeps its default weight 1
  s.shard_weights[2] = 0.0;
  CHECK(has(rcplan::validate(s), severity::error, "spec.shardWeights", code::shard_weights_all_zero));
  s.shard_weights = {{-1, 1.0}, {3, 1.0}};
  const auto diags = rcplan::validate(s);
  CHECK(has(diags, severity::error, "spec.shardWeights[-1]", code::shard_weight_out_of_range));
  CHECK(has(diags, severity::error, "spec.shardWeights[3]", code::shard_weight_out_of_range));
  s.shard_weights = {{1, std::numeric_limits<double>::infinity()}};
  CHECK(has(rcplan::validate(s), severity::error, "spec.shardWeights[1]", code::shard_weight_invalid));
}

TEST_CASE("rebalance threshold bounds are inclusive") {
  rcplan::cluster_spec s;
  s.rebalance.threshold_percent = 0;
  CHECK(rcplan::validate(s).empty());
  s.rebalance.threshold_percent = 100;
  CHECK(rcplan::validate(s).empty());
  s.rebalance.threshold_percent = -0.01;
  CHECK(rcplan::has_errors(rcplan::validate(s)));
  s.rebalance.threshold_percent = std::numeric_limits<double>::quiet_NaN();
  CHECK(rcplan::has_errors(rcplan::validate(s)));
}

TEST_CASE("messages never quote a password") {
  rcplan::cluster_spec s;
  const std::string secret = "s3cr3t-Pa55word";
  s.config = {{"requirepass", secret}, {"MasterAuth", secret}};
  const auto diags = rcplan::validate(s);
  REQUIRE(diags.size() == 2);
  for (const auto& d : diags) {
    CHECK(d.code == rcplan::spec_code::config_key_reserved);
    CHECK(d.message.find(secret) == std::string::npos);
    CHECK(d.message.find("passwordSecret") != std::string::npos);
  }
}

TEST_CASE("unknown fields are reported, louder in rcplan's own objects") {
  rcplan::cluster_spec s;
  s.unknown_fields.set("futureField", 1);
  s.migration.unknown_fields.set("maxConcurrent", 4);  // a misspelling
  const auto diags = rcplan::validate(s);
  CHECK(has(diags, severity::info, "spec.futureField", rcplan::spec_code::unknown_field));
  CHECK(has(diags, severity::warning, "spec.migration.maxConcurrent", rcplan::spec_code::unknown_field));
  CHECK_FALSE(rcplan::has_errors(diags));
}

TEST_CASE("has_errors looks at severity only") {
  std::vector<diagnostic> diags{{severity::warning, "a", "b", "c"}, {severity::info, "a", "b", "c"}};
  CHECK_FALSE(rcplan::has_errors(diags));
  diags.push_back({severity::error, "a", "b", "c"});
  CHECK(rcplan::has_errors(diags));
  CHECK_FALSE(rcplan::has_errors({}));
}

TEST_CASE("backup specs") {
  rcplan::backup_spec b;
  auto diags = rcplan::validate(b);
  CHECK(has(diags, severity::error, "spec.redisClusterName", rcplan::spec_code::backup_cluster_name_missing));
  CHECK(has(diags, severity::error, "spec", rcplan::spec_code::backup_storage_missing));
  b.redis_cluster_name = "c";
  b.unknown_fields.set("gcs", rcplan::value::make_object());
  CHECK(rcplan::validate(b).empty());
}

TEST_CASE("generated specs") {
  rc::prop("valid specs have no errors", [] {
    const auto s = *rcplan::testing::gen_cluster_spec();
    const auto diags = rcplan::validate(s);
    RC_ASSERT(!rcplan::has_errors(diags));
  });
  rc::prop("a broken spec is reported at the broken field", [] {
    const auto b = *rcplan::testing::gen_broken_cluster_spec();
    const auto diags = rcplan::validate(b.spec);
    RC_ASSERT(rcplan::has_errors(diags));
    const auto* d = find(diags, b.subject, b.code);
    RC_ASSERT(d != nullptr);
    RC_ASSERT(d->severity == severity::error);
  });
}
