// The CRDs against the real API server: they install and are Established, a second install
// changes nothing, every fixture is accepted as it is, the schema's defaults apply, and values
// of the wrong type or out of range are rejected with the server's message.

#include "kubernetes/kube_env.hpp"

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <string>

namespace k8s = rcplan::kubernetes;
using rcplan_kube_test::admin;
using rcplan_kube_test::test_namespace;

namespace {

nlohmann::json fixture(const char* name, const std::string& ns) {
  nlohmann::json j = rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/") + name);
  j["metadata"]["namespace"] = ns;
  return j;
}

std::string rejection(k8s::client& c, const nlohmann::json& object) {
  try {
    (void)c.apply(object);
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.kubernetes.invalid");
    return e.what();
  }
  FAIL("the API server accepted " << object.dump());
  return {};
}

}  // namespace

TEST_CASE("CRDs: install is Established and idempotent, with short names and printer columns", "[kubernetes][live]") {
  k8s::client c = admin();
  const k8s::install_result r = k8s::install_crds(c);
  CHECK(r.applied == std::vector<std::string>{"CustomResourceDefinition distributedredisclusters.redis.kun",
                                              "CustomResourceDefinition redisclusterbackups.redis.kun"});
  const nlohmann::json drc = c.get(k8s::kinds::crd, "", "distributedredisclusters.redis.kun");
  const std::string version = drc["metadata"]["resourceVersion"];
  (void)k8s::install_crds(c);
  CHECK(c.get(k8s::kinds::crd, "", "distributedredisclusters.redis.kun")["metadata"]["resourceVersion"] == version);

  CHECK(drc["spec"]["names"]["shortNames"] == nlohmann::json::array({"drc"}));
  CHECK(c.get(k8s::kinds::crd, "", "redisclusterbackups.redis.kun")["spec"]["names"]["shortNames"] ==
        nlohmann::json::array({"drcb"}));
  std::vector<std::string> columns;
  for (const auto& col : drc["spec"]["versions"][0]["additionalPrinterColumns"]) columns.push_back(col["name"]);
  CHECK(columns == std::vector<std::string>{"Status", "Masters", "Replicas", "Age"});
}

TEST_CASE("CRDs: every fixture is accepted as it is, and the schema's defaults apply", "[kubernetes][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "fixtures");
  for (const char* name : {"distributedrediscluster.yaml", "distributedrediscluster-restore.yaml", "redisclusterbackup.yaml"}) {
    INFO(name);
    const nlohmann::json in = fixture(name, ns.name());
    const nlohmann::json stored = c.apply(in);
    CHECK(stored["metadata"]["name"] == in["metadata"]["name"]);
    for (const auto& [key, value] : in["spec"].items()) CHECK(stored["spec"][key] == value);
  }
  const nlohmann::json restore = c.get(k8s::kinds::distributed_redis_cluster, ns.name(), "restore");
  CHECK(restore["spec"]["masterSize"] == 3);
  CHECK(restore["spec"]["clusterReplicas"] == 1);
}

TEST_CASE("CRDs: wrong types and out-of-range values are rejected with the server's message", "[kubernetes][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "invalid");
  const nlohmann::json good = fixture("distributedrediscluster.yaml", ns.name());
  const auto with = [&](const nlohmann::json::json_pointer& at, const nlohmann::json& value) {
    nlohmann::json j = good;
    j[at] = value;
    return j;
  };
  using ptr = nlohmann::json::json_pointer;
  CHECK_THAT(rejection(c, with(ptr("/spec/masterSize"), "three")), Catch::Contains("spec.masterSize"));
  CHECK_THAT(rejection(c, with(ptr("/spec/masterSize"), 0)), Catch::Contains("spec.masterSize") && Catch::Contains("1"));
  CHECK_THAT(rejection(c, with(ptr("/spec/clusterReplicas"), -1)), Catch::Contains("spec.clusterReplicas"));
  CHECK_THAT(rejection(c, with(ptr("/spec/storage/type"), "nfs")),
             Catch::Contains("spec.storage.type") && Catch::Contains("persistent-claim"));
  CHECK_THAT(rejection(c, with(ptr("/spec/storage/size"), "ten gigs")), Catch::Contains("spec.storage.size"));
  CHECK_THAT(rejection(c, with(ptr("/spec/placement/spreadBy"), "rack")), Catch::Contains("spec.placement.spreadBy"));
  CHECK_THAT(rejection(c, with(ptr("/spec/migration/keyBatchSize"), 0)), Catch::Contains("spec.migration.keyBatchSize"));
  CHECK_THAT(rejection(c, with(ptr("/spec/monitor/prometheus/port"), 70000)),
             Catch::Contains("spec.monitor.prometheus.port"));
  CHECK_THAT(rejection(c, with(ptr("/spec/username"), "two words")), Catch::Contains("spec.username"));
  CHECK_THAT(rejection(c, with(ptr("/spec/username"), "")), Catch::Contains("spec.username"));
  nlohmann::json backup = fixture("redisclusterbackup.yaml", ns.name());
  backup["spec"].erase("redisClusterName");
  CHECK_THAT(rejection(c, backup), Catch::Contains("spec.redisClusterName"));
}
