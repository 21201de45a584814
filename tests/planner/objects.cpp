#include <rcplan/yaml/yaml.hpp>

#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

namespace {

rcplan::cluster_resource fixture(const char* name) {
  return rcplan::load_cluster_resource(
      rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/") + name));
}

std::string dump(const rcplan::kube_objects& o) { return nlohmann::ordered_json(o).dump(); }

/// The pod anti-affinity terms of `s` under `list` (required or preferred).
const rcplan::value::array& anti_terms(const rcplan::statefulset_description& s, const char* list) {
  static const rcplan::value::array none;
  const rcplan::value* anti = s.affinity.find("podAntiAffinity");
  if (anti == nullptr) return none;
  const rcplan::value* l = anti->find(list);
  return l == nullptr ? none : l->as_array();
}

constexpr const char* required = "requiredDuringSchedulingIgnoredDuringExecution";
constexpr const char* preferred = "preferredDuringSchedulingIgnoredDuringExecution";

std::string topology_key_of(const rcplan::value& term) {
  const rcplan::value* inner = term.find("podAffinityTerm");
  return (inner != nullptr ? *inner : term).find("topologyKey")->as_string();
}

rcplan::cluster_resource simple(const std::string& name) {
  rcplan::cluster_resource r;
  r.metadata.name = name;
  r.spec.master_size = 3;
  r.spec.cluster_replicas = 2;
  return r;
}

}  // namespace

TEST_CASE("desired objects of distributedrediscluster.yaml") {
  const auto r = fixture("distributedrediscluster.yaml");
  const auto o = rcplan::desired_objects(r);
  REQUIRE(o.statefulsets.size() == 3);
  REQUIRE(o.services.size() == 4);
  REQUIRE(o.pdbs.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const auto& s = o.statefulsets[static_cast<std::size_t>(i)];
    CHECK(s.name == "drc-example-distributedrediscluster-" + std::to_string(i));
    CHECK(s.shard_index == i);
    CHECK(s.replicas == 2);
    CHECK(s.update_strategy == "OnDelete");
    CHECK(s.image == "redis:5.0.4-alpine");
    CHECK(s.storage == rcplan::storage_description{"persistent-claim", "10Gi", "csi-rbd-sc", true});
    CHECK(s.labels.at("redis.kun/name") == "example-distributedrediscluster");
    CHECK(s.labels.at("shard") == std::to_string(i));
    CHECK(s.labels.at("app.kubernetes.io/name") == "redis-cluster");
    CHECK(s.config_map == "redis-cluster-example-distributedrediscluster");
    CHECK(rcplan::template_config_hash(s) == rcplan::config_hash(o.configmap.data.at("redis.conf")));
    CHECK(s.resources.requests.at("memory") == "2Gi");  // defaulted
    CHECK_FALSE(s.monitor);
    CHECK(s.password_secret.empty());
    CHECK(s.restore_config.empty());  // not created from a backup
    CHECK(o.pdbs[static_cast<std::size_t>(i)].max_unavailable == 1);
    CHECK(o.pdbs[static_cast<std::size_t>(i)].selector.at("shard") == std::to_string(i));
  }
  CHECK(o.services[0].name == "example-distributedrediscluster");
  CHECK_FALSE(o.services[0].headless);
  CHECK(o.services[0].shard_index == -1);
  CHECK(o.services[0].ports == std::vector<rcplan::service_port>{{"client", 6379}});
  CHECK(o.services[1].headless);
  CHECK(o.services[1].ports == std::vector<rcplan::service_port>{{"client", 6379}, {"gossip", 16379}});
  CHECK(o.configmap.data.at("redis.conf") ==
        "cluster-enabled yes\ncluster-config-file /data/nodes.conf\ndir /data\ncluster-node-timeout 15000\n"
        "appendonly yes\n");
}

TEST_CASE("desired objects of distributedrediscluster-restore.yaml") {
  const auto o = rcplan::desired_objects(fixture("distributedrediscluster-restore.yaml"));
  REQUIRE(o.statefulsets.size() == 3);  // masterSize defaults to 3
  for (const auto& s : o.statefulsets) {
    CHECK(s.replicas == 2);  // clusterReplicas defaults to 1
    CHECK(s.resources.limits.at("memory") == "300Mi");
    CHECK(s.storage.size == "1Gi");
    CHECK(s.name.rfind("drc-restore-", 0) == 0);
    CHECK(s.restore_config == "drc-restore-restore");  // its pods' restore step reads it
  }
  CHECK(o.services[0].name == "restore");
}

TEST_CASE("the backup fixture is not a cluster") {
  const auto j = rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/redisclusterbackup.yaml"));
  CHECK_THROWS_AS(rcplan::load_cluster_resource(j), rcplan::json_error);
}

TEST_CASE("desired objects are deterministic and round trip through JSON") {
  rc::prop("objects", [] {
    const auto r = *rcplan::testing::gen_cluster_resource();
    const auto o = rcplan::desired_objects(r);
    RC_ASSERT(rcplan::desired_objects(r) == o);
    const auto text = dump(o);
    RC_ASSERT(dump(rcplan::desired_objects(r)) == text);
    RC_ASSERT(nlohmann::json::parse(text).get<rcplan::kube_objects>() == o);
    auto defaulted = r;
    rcplan::apply_defaults(defaulted);
    RC_ASSERT(o.statefulsets.size() == static_cast<std::size_t>(rcplan::master_count(defaulted.spec)));
    for (const auto& s : o.statefulsets) {
      RC_ASSERT(s.replicas == rcplan::replica_count(defaulted.spec) + 1);
      RC_ASSERT(s.update_strategy == std::string("OnDelete"));
    }
  });
}

TEST_CASE("anti-affinity follows the placement policy") {
  using rcplan::placement_mode;
  using rcplan::spread_domain;
  auto r = simple("c");
  const auto first = [&] { return rcplan::desired_objects(r).statefulsets.at(1); };

  SECTION("host, preferred (the default)") {
    const auto s = first();
    CHECK(anti_terms(s, required).empty());
    REQUIRE(anti_terms(s, preferred).size() == 2);
    CHECK(anti_terms(s, preferred)[0].find("weight")->as_int() == 100);
    CHECK(topology_key_of(anti_terms(s, preferred)[0]) == "kubernetes.io/hostname");
    const auto& match = *anti_terms(s, preferred)[0].find("podAffinityTerm")->find("labelSelector")->find("matchLabels");
    CHECK(match.find("shard")->as_string() == "1");
    CHECK(match.find("redis.kun/name")->as_string() == "c");
    // the whole cluster, less strongly
    CHECK(anti_terms(s, preferred)[1].find("weight")->as_int() == 50);
  }
  SECTION("host, required") {
    r.spec.placement.mode = placement_mode::required;
    const auto s = first();
    REQUIRE(anti_terms(s, required).size() == 1);
    CHECK(topology_key_of(anti_terms(s, required)[0]) == "kubernetes.io/hostname");
  }
  SECTION("zone, required") {
    r.spec.placement = {spread_domain::zone, placement_mode::required, {}};
    const auto s = first();
    REQUIRE(anti_terms(s, required).size() == 1);
    CHECK(topology_key_of(anti_terms(s, required)[0]) == "topology.kubernetes.io/zone");
  }
  SECTION("host and zone, preferred") {
    r.spec.placement = {spread_domain::host_and_zone, placement_mode::preferred, {}};
    const auto s = first();
    CHECK(anti_terms(s, required).empty());
    REQUIRE(anti_terms(s, preferred).size() == 3);
    CHECK(topology_key_of(anti_terms(s, preferred)[0]) == "kubernetes.io/hostname");
    CHECK(topology_key_of(anti_terms(s, preferred)[1]) == "topology.kubernetes.io/zone");
  }
  SECTION("none: the spec's affinity untouched") {
    r.spec.placement.spread_by = spread_domain::none;
    r.spec.affinity.set("nodeAffinity", rcplan::value::make_object());
    const auto s = first();
    CHECK(s.affinity == r.spec.affinity);
  }
  SECTION("requiredAntiAffinity means required by host") {
    r.spec.placement.spread_by = spread_domain::zone;
    r.spec.required_anti_affinity = true;
    const auto s = first();
    REQUIRE(anti_terms(s, required).size() == 1);
    CHECK(topology_key_of(anti_terms(s, required)[0]) == "kubernetes.io/hostname");
    CHECK(topology_key_of(anti_terms(s, preferred)[0]) == "topology.kubernetes.io/zone");
  }
  SECTION("the spec's own terms are kept, ours appended") {
    rcplan::value mine;
    mine.set("topologyKey", "rack");
    rcplan::value anti;
    anti.set(required, rcplan::value::array{mine});
    r.spec.affinity.set("podAntiAffinity", anti);
    r.spec.placement.mode = placement_mode::required;
    const auto s = first();
    REQUIRE(anti_terms(s, required).size() == 2);
    CHECK(anti_terms(s, required)[0] == mine);
  }
}

TEST_CASE("redis.conf: sorted spec entries, never a password, config hash follows the text") {
  auto r = simple("c");
  r.spec.config = {{"maxmemory", "1gb"}, {"appendonly", "no"}, {"requirepass", "hunter2"},
                   {"MasterAuth", "hunter2"}, {"port", "7000"}, {"cluster-node-timeout", "5000"},
                   {"notify-keyspace-events", "Ex\nrequirepass hunter2"}};
  r.spec.storage = rcplan::storage_spec{"persistent-claim", "1Gi", "", false, {}};
  const auto o = rcplan::desired_objects(r);
  CHECK(o.configmap.data.at("redis.conf") ==
        "cluster-enabled yes\ncluster-config-file /data/nodes.conf\ndir /data\n"
        "appendonly no\ncluster-node-timeout 5000\nmaxmemory 1gb\n");
  CHECK(dump(o).find("hunter2") == std::string::npos);

  const auto hash = rcplan::template_config_hash(o.statefulsets[0]);
  CHECK(hash.size() == 16);
  auto changed = r;
  changed.spec.config["maxmemory"] = "2gb";
  CHECK(rcplan::template_config_hash(rcplan::desired_objects(changed).statefulsets[0]) != hash);
  auto same_conf = r;
  same_conf.spec.image = "redis:7.0";
  same_conf.spec.config["requirepass"] = "other";  // stripped: redis.conf unchanged
  const auto so = rcplan::desired_objects(same_conf);
  CHECK(rcplan::template_config_hash(so.statefulsets[0]) == hash);
  CHECK(so.statefulsets[0].image == "redis:7.0");

  CHECK(rcplan::config_hash("") == "cbf29ce484222325");
  CHECK(rcplan::config_hash("a") == "af63dc4c8601ec8c");
}

TEST_CASE("config hash changes iff redis.conf changes") {
  rc::prop("hash", [] {
    const auto a = *rcplan::testing::gen_cluster_resource();
    const auto b = *rcplan::testing::gen_cluster_resource();
    const auto oa = rcplan::desired_objects(a);
    const auto ob = rcplan::desired_objects(b);
    const bool same_conf = oa.configmap.data == ob.configmap.data;
    const bool same_hash = rcplan::template_config_hash(oa.statefulsets.at(0)) ==
                           rcplan::template_config_hash(ob.statefulsets.at(0));
    RC_ASSERT(same_conf == same_hash);
  });
}

TEST_CASE("the password Secret is referenced by name only") {
  rc::prop("no secret value anywhere", [] {
    auto r = *rcplan::testing::gen_cluster_resource();
    const std::string secret_value = "s3cr3t-" + std::to_string(*rc::gen::inRange(1000, 9999));
    r.spec.password_secret = rcplan::local_object_reference{"redis-password", {}};
    r.spec.config["requirepass"] = secret_value;
    r.spec.config["masterauth"] = secret_value;
    const auto o = rcplan::desired_objects(r);
    for (const auto& s : o.statefulsets) {
      RC_ASSERT(s.password_secret == std::string("redis-password"));
      bool env_found = false;
      for (const auto& e : s.env.as_array())
        if (const auto* n = e.find("name"); n != nullptr && n->is_string() && n->as_string() == "REDIS_PASSWORD")
          env_found = e.find("valueFrom")->find("secretKeyRef")->find("name")->as_string() == "redis-password";
      RC_ASSERT(env_found);
    }
    rcplan::plan p;
    for (const auto& s : o.statefulsets) p.steps.push_back({0, "apply", rcplan::apply_statefulset{s}});
    p.steps.push_back({0, "apply", rcplan::apply_configmap{o.configmap}});
    const std::string text = nlohmann::ordered_json(p).dump() + dump(o);
    RC_ASSERT(text.find(secret_value) == std::string::npos);
    RC_ASSERT(o.configmap.data.at("redis.conf").find("requirepass") == std::string::npos);
    RC_ASSERT(o.configmap.data.at("redis.conf").find("masterauth") == std::string::npos);
  });
}

TEST_CASE("spec.username: the pods get the user's name, the ConfigMap masteruser, and a new name a new config hash") {
  auto r = fixture("distributedrediscluster.yaml");
  r.spec.password_secret = rcplan::local_object_reference{"redis-password", {}};
  const auto plain = rcplan::desired_objects(r);
  r.spec.username = "app";
  const auto with_user = rcplan::desired_objects(r);
  const std::string conf = with_user.configmap.data.at("redis.conf");
  CHECK(conf.find("masteruser app\n") != std::string::npos);
  CHECK(plain.configmap.data.at("redis.conf").find("masteruser") == std::string::npos);
  REQUIRE_FALSE(with_user.statefulsets.empty());
  for (const auto& s : with_user.statefulsets) {
    CHECK(rcplan::template_config_hash(s) != rcplan::template_config_hash(plain.statefulsets.front()));
    std::string user;
    for (const auto& e : s.env.as_array())
      if (e.find("name")->as_string() == "REDIS_USER") user = e.find("value")->as_string();
    CHECK(user == "app");
  }
  r.spec.username = "other";
  CHECK(rcplan::template_config_hash(rcplan::desired_objects(r).statefulsets.front()) !=
        rcplan::template_config_hash(with_user.statefulsets.front()));
  // no password, no user: validate() refuses the spec, and nothing of the user is rendered
  r.spec.password_secret.reset();
  CHECK(rcplan::desired_objects(r).configmap.data.at("redis.conf").find("masteruser") == std::string::npos);
}

TEST_CASE("needs_restart separates CONFIG SET parameters from restart-only ones") {
  for (const char* p : {"maxmemory", "maxmemory-policy", "timeout", "save", "appendfsync", "slowlog-log-slower-than",
                        "slowlog-max-len", "notify-keyspace-events", "hz", "MAXMEMORY", "hash-max-listpack-entries",
                        "cluster-node-timeout"})
    CHECK_FALSE(rcplan::needs_restart(p));
  for (const char* p : {"databases", "port", "bind", "cluster-enabled", "cluster-config-file", "cluster-port",
                        "daemonize", "io-threads", "rename-command", "no-such-parameter"})
    CHECK(rcplan::needs_restart(p));
}

TEST_CASE("template_outdated compares image, config hash and password Secret") {
  const auto o = rcplan::desired_objects(simple("c"));
  const auto& d = o.statefulsets[0];
  rcplan::statefulset observed;
  observed.name = d.name;
  observed.image = d.image;
  observed.config_hash = rcplan::template_config_hash(d);
  CHECK_FALSE(rcplan::template_outdated(observed, d));
  auto old_image = observed;
  old_image.image = "redis:6";
  CHECK(rcplan::template_outdated(old_image, d));
  auto old_conf = observed;
  old_conf.config_hash = "0000000000000000";
  CHECK(rcplan::template_outdated(old_conf, d));
}
