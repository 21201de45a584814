#include <rcplan/json/spec.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include "json/json_errors.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <variant>

namespace {

using nlohmann::json;

// The path of the json_error `f` throws (the test fails when it throws none).
template <typename F>
std::string error_path(F&& f) {
  return rcplan::json_test::error_from(f).path();
}

std::string load_error_path(const json& j) {
  return error_path([&] { (void)rcplan::load_cluster_resource(j); });
}

json resource_with_spec(json spec) {
  return json{{"apiVersion", "redis.kun/v1alpha1"},
              {"kind", "DistributedRedisCluster"},
              {"metadata", {{"name", "c"}}},
              {"spec", std::move(spec)}};
}

}  // namespace

TEST_CASE("generated resources survive a JSON round trip") {
  rc::prop("to_json then from_json is the identity; dump is stable", [] {
    const auto r = *rcplan::testing::gen_cluster_resource();
    const json j = r;
    const auto back = rcplan::load_cluster_resource(j);
    RC_ASSERT(back == r);
    const json again = back;
    RC_ASSERT(again.dump() == j.dump());
    RC_ASSERT(json::parse(j.dump()) == j);
  });
  rc::prop("a bare spec round trips too", [] {
    const auto s = *rcplan::testing::gen_cluster_spec();
    const json j = s;
    const auto back = rcplan::load_cluster_resource(j);
    RC_ASSERT(back.spec == s);
    RC_ASSERT(back.metadata == rcplan::object_meta{});
  });
}

TEST_CASE("spec JSON names") {
  rcplan::cluster_spec s;
  s.master_size = 4;
  s.cluster_replicas = 0;
  s.image_pull_policy = "Always";
  s.tolerations = rcplan::value(rcplan::value::array{rcplan::value("t")});
  s.storage = rcplan::storage_spec{"persistent-claim", "1Gi", "fast", true, {}};
  s.password_secret = rcplan::local_object_reference{"pw", {}};
  s.username = "app";
  s.shard_weights = {{0, 2.0}, {10, 0.5}};
  s.placement.spread_by = rcplan::spread_domain::host_and_zone;
  s.placement.mode = rcplan::placement_mode::required;
  s.rebalance.balance_by = rcplan::balance_metric::keys;
  s.migration.key_batch_size = 100;
  s.failover.allow_takeover = true;
  const json j = s;
  CHECK(j.at("masterSize") == 4);
  CHECK(j.at("clusterReplicas") == 0);  // an explicit 0 is kept, unlike omitempty
  CHECK(j.at("imagePullPolicy") == "Always");
  CHECK(j.at("toleRations") == json::array({"t"}));
  CHECK_FALSE(j.contains("tolerations"));
  CHECK(j.at("storage") == json{{"type", "persistent-claim"}, {"size", "1Gi"}, {"class", "fast"}, {"deleteClaim", true}});
  CHECK(j.at("passwordSecret") == json{{"name", "pw"}});
  CHECK(j.at("username") == "app");
  CHECK(j.get<rcplan::cluster_spec>().username == "app");
  CHECK(j.at("shardWeights") == json{{"0", 2.0}, {"10", 0.5}});
  CHECK(j.at("placement") == json{{"spreadBy", "hostAndZone"}, {"mode", "required"}});
  CHECK(j.at("rebalance").at("balanceBy") == "keys");
  CHECK(j.at("rebalance").at("thresholdPercent") == 2.0);
  CHECK(j.at("migration").at("keyBatchSize") == 100);
  CHECK(j.at("migration").at("latencyBudgetMs") == 5.0);  // the default, written out
  CHECK(j.at("migration").at("maxKeysPerSecond") == 0);
  CHECK(j.at("failover") == json{{"allowTakeover", true}, {"allowDataLoss", false}});
  // unset fields and default extensions are left out
  CHECK_FALSE(j.contains("image"));
  CHECK_FALSE(j.contains("monitor"));
  CHECK(json(rcplan::cluster_spec{}) == json::object());  // no username either
}

TEST_CASE("alternative spellings are read") {
  const auto r = rcplan::load_cluster_resource(json{
      {"tolerations", json::array({json{{"key", "k"}}})},
      {"shardWeights", json::array({1, 0, 2.5})},
      {"config", {{"maxmemory-samples", 5}, {"appendonly", "yes"}, {"lazyfree-lazy-eviction", false}}},
      {"storage", {{"type", "persistent-claim"}, {"size", 1073741824}}},
      {"resources", {{"limits", {{"cpu", 2}, {"memory", "1Gi"}}}}}});
  REQUIRE(r.spec.tolerations.is_array());
  CHECK(r.spec.tolerations.as_array().size() == 1);
  CHECK(r.spec.shard_weights == std::map<std::int32_t, double>{{0, 1.0}, {1, 0.0}, {2, 2.5}});
  CHECK(r.spec.config.at("maxmemory-samples") == "5");
  CHECK(r.spec.config.at("lazyfree-lazy-eviction") == "false");
  CHECK(r.spec.storage->size == "1073741824");
  CHECK(r.spec.resources->limits.at("cpu") == "2");
  CHECK(json(r.spec).at("toleRations").at(0).at("key") == "k");
  CHECK(load_error_path(json{{"toleRations", json::array()}, {"tolerations", json::array()}}) == "tolerations");
}

TEST_CASE("wrong types name the exact path") {
  CHECK(load_error_path(resource_with_spec({{"masterSize", "3"}})) == "spec.masterSize");
  CHECK(load_error_path(resource_with_spec({{"masterSize", 3.5}})) == "spec.masterSize");
  CHECK(load_error_path(resource_with_spec({{"masterSize", true}})) == "spec.masterSize");
  CHECK(load_error_path(resource_with_spec({{"masterSize", 4294967296}})) == "spec.masterSize");
  CHECK(load_error_path(resource_with_spec({{"storage", {{"deleteClaim", "true"}}}})) == "spec.storage.deleteClaim");
  CHECK(load_error_path(resource_with_spec({{"storage", {{"size", true}}}})) == "spec.storage.size");
  CHECK(load_error_path(resource_with_spec({{"storage", 5}})) == "spec.storage");
  CHECK(load_error_path(resource_with_spec({{"resources", {{"limits", {{"memory", json::array()}}}}}})) ==
        "spec.resources.limits.memory");
  CHECK(load_error_path(resource_with_spec({{"command", json::array({"redis-server", 1})}})) == "spec.command[1]");
  CHECK(load_error_path(resource_with_spec({{"imagePullSecrets", json::array({json{{"name", "a"}}, json{{"name", 2}}})}})) ==
        "spec.imagePullSecrets[1].name");
  CHECK(load_error_path(resource_with_spec({{"monitor", {{"prometheus", {{"port", "9121"}}}}}})) ==
        "spec.monitor.prometheus.port");
  CHECK(load_error_path(resource_with_spec({{"monitor", {{"args", "x"}}}})) == "spec.monitor.args");
  CHECK(load_error_path(resource_with_spec({{"init", {{"backupSource", {{"namespace", 1}}}}}})) ==
        "spec.init.backupSource.namespace");
  CHECK(load_error_path(resource_with_spec({{"config", {{"maxmemory", {{"a", 1}}}}}})) == "spec.config.maxmemory");
  CHECK(load_error_path(resource_with_spec({{"affinity", json::array()}})) == "spec.affinity");
  CHECK(load_error_path(resource_with_spec({{"env", json::object()}})) == "spec.env");
  CHECK(load_error_path(resource_with_spec({{"shardWeights", {{"x", 1}}}})) == "spec.shardWeights.x");
  CHECK(load_error_path(resource_with_spec({{"shardWeights", {{"01", 1}}}})) == "spec.shardWeights.01");
  CHECK(load_error_path(resource_with_spec({{"shardWeights", {{"2", "1"}}}})) == "spec.shardWeights.2");
  CHECK(load_error_path(resource_with_spec({{"shardWeights", json::array({1, false})}})) == "spec.shardWeights[1]");
  CHECK(load_error_path(resource_with_spec({{"placement", {{"spreadBy", "rack"}}}})) == "spec.placement.spreadBy");
  CHECK(load_error_path(resource_with_spec({{"rebalance", {{"thresholdPercent", "2"}}}})) ==
        "spec.rebalance.thresholdPercent");
  CHECK(load_error_path(resource_with_spec({{"migration", {{"keyBatchSize", 1.5}}}})) == "spec.migration.keyBatchSize");
  CHECK(load_error_path(resource_with_spec({{"migration", {{"latencyBudgetMs", "2ms"}}}})) ==
        "spec.migration.latencyBudgetMs");
  CHECK(load_error_path(resource_with_spec({{"migration", {{"maxKeysPerSecond", 2.5}}}})) ==
        "spec.migration.maxKeysPerSecond");
  CHECK(load_error_path(resource_with_spec({{"failover", {{"allowTakeover", 1}}}})) == "spec.failover.allowTakeover");
  CHECK(load_error_path(json{{"kind", "DistributedRedisCluster"}, {"metadata", {{"labels", {{"a", 1}}}}}}) ==
        "metadata.labels.a");
  CHECK(load_error_path(json{{"kind", "DistributedRedisCluster"}, {"spec", json::array()}}) == "spec");
  // a bare spec has no `spec.` in front: paths name the document as written
  CHECK(load_error_path(json{{"storage", {{"deleteClaim", "yes"}}}}) == "storage.deleteClaim");
  CHECK(load_error_path(json::array()).empty());
}

TEST_CASE("json_error messages say what was expected") {
  try {
    (void)rcplan::load_cluster_resource(resource_with_spec({{"storage", {{"deleteClaim", "true"}}}}));
    FAIL("no error");
  } catch (const rcplan::json_error& e) {
    CHECK(e.id() == "rcplan.json");
    CHECK(std::string(e.what()).find("spec.storage.deleteClaim") != std::string::npos);
    CHECK(e.detail().find("true or false") != std::string::npos);
  }
}

TEST_CASE("kind is checked") {
  const json backup{{"apiVersion", "redis.kun/v1alpha1"}, {"kind", "RedisClusterBackup"}, {"spec", json::object()}};
  CHECK(load_error_path(backup) == "kind");
  CHECK(load_error_path(json{{"kind", 3}}) == "kind");
  CHECK(error_path([&] { (void)rcplan::load_resource(json{{"kind", "Pod"}}); }) == "kind");
  CHECK(error_path([&] { (void)rcplan::load_resource(json{{"spec", json::object()}}); }) == "kind");
  CHECK(error_path([&] { (void)rcplan::load_backup_resource(resource_with_spec(json::object())); }) == "kind");

  const auto any = rcplan::load_resource(backup);
  CHECK(std::holds_alternative<rcplan::backup_resource>(any));
  const auto cluster = rcplan::load_resource(resource_with_spec({{"masterSize", 5}}));
  REQUIRE(std::holds_alternative<rcplan::cluster_resource>(cluster));
  CHECK(std::get<rcplan::cluster_resource>(cluster).spec.master_size == 5);
  CHECK(json(cluster).at("kind") == "DistributedRedisCluster");
}

TEST_CASE("unknown fields survive a round trip at every level") {
  const json in{{"apiVersion", "redis.kun/v1beta9"},
                {"kind", "DistributedRedisCluster"},
                {"metadata", {{"name", "c"}, {"uid", "1234"}, {"generation", 3}}},
                {"status", {{"status", "Healthy"}, {"numberOfMaster", 3}}},
                {"spec",
                 {{"masterSize", 3},
                  {"rootPasswordSecret", {{"name", "old-style"}}},
                  {"enableTLS", true},
                  {"storage", {{"type", "ephemeral"}, {"volumeMode", "Filesystem"}}},
                  {"resources", {{"claims", json::array({json{{"name", "gpu"}}})}}},
                  {"passwordSecret", {{"name", "pw"}, {"optional", true}}},
                  {"monitor", {{"agent", "prometheus.io/builtin"}, {"prometheus", {{"scrapeTimeout", "5s"}}}}},
                  {"init", {{"restoreFrom", "x"}, {"backupSource", {{"name", "b"}, {"extra", nullptr}}}}},
                  {"placement", {{"spreadBy", "zone"}, {"topologyKey", "rack"}}},
                  {"failover", {{"allowTakeover", false}, {"note", 1.5}}}}}};
  const auto r = rcplan::load_cluster_resource(in);
  CHECK(r.api_version == "redis.kun/v1beta9");
  CHECK(r.metadata.unknown_fields.find("uid") != nullptr);
  CHECK(r.unknown_fields.find("status") != nullptr);
  CHECK(r.spec.unknown_fields.find("enableTLS") != nullptr);
  CHECK(r.spec.storage->unknown_fields.find("volumeMode") != nullptr);
  CHECK(r.spec.placement.spread_by == rcplan::spread_domain::zone);
  CHECK(r.spec.failover.unknown_fields.find("note")->as_double() == 1.5);
  const json out = r;
  // rcplan's own objects are written complete (defaults filled in); everything else as read
  auto expected = in;
  expected["spec"]["placement"]["mode"] = "preferred";
  expected["spec"]["failover"]["allowDataLoss"] = false;
  CHECK(out == expected);
  CHECK(rcplan::load_cluster_resource(out) == r);
}

TEST_CASE("values keep integers and doubles apart") {
  const json in = json::parse(R"({"env":[{"a":1,"b":1.0,"c":-9223372036854775808,"d":"1","e":[true,null]}]})");
  const auto r = rcplan::load_cluster_resource(in);
  const auto& e = r.spec.env.as_array().at(0);
  CHECK(e.find("a")->is_int());
  CHECK(e.find("b")->is_double());
  CHECK(e.find("c")->as_int() == std::numeric_limits<std::int64_t>::min());
  CHECK(json(r.spec).dump() == in.dump());
}

TEST_CASE("output is deterministic byte for byte") {
  rcplan::cluster_resource r;
  r.metadata.name = "c";
  r.spec.config = {{"b", "2"}, {"a", "1"}};
  r.spec.unknown_fields.set("zz", 1);
  r.spec.unknown_fields.set("aa", 2);
  const auto d1 = json(r).dump();
  const auto d2 = json(rcplan::load_cluster_resource(json::parse(d1))).dump();
  CHECK(d1 == d2);
  CHECK(d1 == R"({"apiVersion":"redis.kun/v1alpha1","kind":"DistributedRedisCluster","metadata":{"name":"c"},)"
              R"("spec":{"aa":2,"config":{"a":"1","b":"2"},"zz":1}})");
}

TEST_CASE("backup resources round trip") {
  rcplan::backup_resource b;
  b.metadata.name = "bk";
  b.spec.image = "tools:1";
  b.spec.redis_cluster_name = "c";
  b.spec.storage_secret_name = "s3-secret";
  b.spec.s3 = rcplan::s3_spec{"http://h:8080", "bucket", "", {}};
  b.spec.unknown_fields.set("local", rcplan::value::make_object());
  const json j = b;
  CHECK(j.at("kind") == "RedisClusterBackup");
  CHECK(j.at("spec").at("s3") == json{{"endpoint", "http://h:8080"}, {"bucket", "bucket"}});
  CHECK(rcplan::load_backup_resource(j) == b);
  CHECK(error_path([&] { (void)rcplan::load_backup_resource(json{{"spec", {{"s3", {{"bucket", 1}}}}}}); }) ==
        "spec.s3.bucket");
}
