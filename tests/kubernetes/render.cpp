// Rendering. Offline: the seed fixture's objects under the original operator's names, the
// labels, owner references and probes, the password only by reference, determinism. Against the
// real API server: every object that reconcile() applies while the simulated world goes
// through creation, scaling masters and replicas, a rolling update, a password change and a
// placement change is accepted by a server-side apply, and a second apply changes nothing; the
// real StatefulSet controller creates a rendered StatefulSet's pods; the garbage collector
// deletes the objects with their resource.

#include "kubernetes/kube_env.hpp"
#include "support/kube_builder.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/testing/converge.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::eventually;
using rcplan_kube_test::test_namespace;

namespace {

rcplan::cluster_resource seed_fixture() {
  return rcplan::load_cluster_resource(
      rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/distributedrediscluster.yaml")));
}

const json* find_kind(const std::vector<json>& objects, const std::string& kind, const std::string& name) {
  for (const json& o : objects)
    if (o["kind"] == kind && o["metadata"]["name"] == name) return &o;
  return nullptr;
}

/// Every object reconcile() applies (keyed by kind/name, the last version of each) while the
/// simulated world goes through each resource in turn, plus the resource statuses it writes.
std::map<std::string, rcplan::action> applied_in_scenarios(const std::vector<rcplan::cluster_resource>& resources) {
  std::map<std::string, rcplan::action> out;
  std::size_t status_count = 0;
  rcplan::sim::world w;
  for (const rcplan::cluster_resource& r : resources) {
    rcplan::testing::converge_options o;
    o.max_iterations = 40;
    (void)rcplan::testing::converge(w, [&](const rcplan::topology& t) {
      rcplan::plan p = rcplan::reconcile(t, r);
      std::vector<rcplan::step> steps = p.steps;
      steps.push_back({0, "status", rcplan::update_status{rcplan::compute_status(t, r, p)}});
      for (const rcplan::step& s : steps) {
        const auto rendered = k8s::render(s.action, r.metadata.name, {});
        if (!rendered) continue;
        const std::string key = std::holds_alternative<rcplan::update_status>(s.action)
                                    ? "status/" + std::to_string(status_count++)
                                    : (*rendered)["kind"].get<std::string>() + "/" +
                                          (*rendered)["metadata"]["name"].get<std::string>() + "/" +
                                          std::to_string(out.size());
        out.emplace(key, s.action);
      }
      return p;
    }, o);
  }
  return out;
}

std::vector<rcplan::cluster_resource> scenario_steps() {
  rcplan::cluster_resource r = rcplan_test::resource("scenario", 3, 1);
  r.spec.storage = rcplan::storage_spec{"persistent-claim", "1Gi", "", false, {}};
  std::vector<rcplan::cluster_resource> steps{r};
  r.spec.master_size = 4;  // scale masters up
  steps.push_back(r);
  r.spec.cluster_replicas = 2;  // more replicas
  steps.push_back(r);
  r.spec.master_size = 3;  // scale masters down
  r.spec.cluster_replicas = 1;
  steps.push_back(r);
  r.spec.image = "redis:7.2";  // rolling update
  steps.push_back(r);
  r.spec.password_secret = rcplan::local_object_reference{"scenario-password", {}};  // password change
  steps.push_back(r);
  r.spec.placement.spread_by = rcplan::spread_domain::host_and_zone;  // placement
  r.spec.placement.mode = rcplan::placement_mode::required;
  r.spec.monitor = rcplan::monitor_spec{};
  r.spec.monitor->image = "oliver006/redis_exporter:v1.62.0";
  steps.push_back(r);
  return steps;
}

}  // namespace

TEST_CASE("render: the seed fixture's objects under the original operator's names", "[kubernetes]") {
  const rcplan::cluster_resource r = seed_fixture();
  k8s::render_options o;
  o.namespace_name = "redis";
  o.owned_by = k8s::owner{r.metadata.name, "0b9e1f5c-0000-4000-8000-000000000001"};
  const std::vector<json> objects = k8s::render(rcplan::desired_objects(r), o);
  const std::string name = r.metadata.name;
  REQUIRE(objects.size() == 1 + 4 + 3 + 3);
  REQUIRE(find_kind(objects, "ConfigMap", "redis-cluster-" + name));
  for (int i = 0; i < 3; ++i) {
    const std::string shard = "drc-" + name + "-" + std::to_string(i);
    const json* sts = find_kind(objects, "StatefulSet", shard);
    REQUIRE(sts);
    REQUIRE(find_kind(objects, "Service", shard));
    REQUIRE(find_kind(objects, "PodDisruptionBudget", shard));
    CHECK((*find_kind(objects, "PodDisruptionBudget", shard))["spec"]["maxUnavailable"] == 1);
    CHECK((*sts)["spec"]["replicas"] == 2);
    CHECK((*sts)["spec"]["updateStrategy"]["type"] == "OnDelete");
    CHECK((*sts)["spec"]["selector"]["matchLabels"]["shard"] == std::to_string(i));
    CHECK((*sts)["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"] == "csi-rbd-sc");
    CHECK((*sts)["spec"]["volumeClaimTemplates"][0]["spec"]["resources"]["requests"]["storage"] == "10Gi");
    const json& pod = (*sts)["spec"]["template"];
    CHECK(pod["metadata"]["labels"]["app.kubernetes.io/instance"] == name);
    CHECK(pod["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "rcplan");
    CHECK(pod["metadata"]["annotations"].contains(rcplan::config_hash_annotation));
    const json& redis = pod["spec"]["containers"][0];
    CHECK(redis["image"] == "redis:5.0.4-alpine");
    CHECK(redis["readinessProbe"]["exec"]["command"][2].get<std::string>().find("cluster_state:ok") != std::string::npos);
    CHECK(redis["lifecycle"]["preStop"]["exec"]["command"][2].get<std::string>().find("cluster failover") !=
          std::string::npos);
    CHECK(pod["spec"]["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone");
    CHECK(pod["spec"]["affinity"]["podAntiAffinity"].contains("preferredDuringSchedulingIgnoredDuringExecution"));
  }
  for (const json& obj : objects) {
    INFO(obj["kind"] << " " << obj["metadata"]["name"]);
    CHECK(obj["metadata"]["namespace"] == "redis");
    CHECK(obj["metadata"]["ownerReferences"][0]["uid"] == o.owned_by->uid);
    CHECK(obj["metadata"]["ownerReferences"][0]["kind"] == "DistributedRedisCluster");
  }
  std::vector<std::string> client_services;
  for (const json& obj : objects)
    if (obj["kind"] == "Service" && obj["spec"].value("type", "") == "ClusterIP")
      client_services.push_back(obj["metadata"]["name"]);
  CHECK(client_services == std::vector<std::string>{rcplan::desired_objects(r).services.at(0).name});
  // the same input renders the same bytes
  CHECK(json(k8s::render(rcplan::desired_objects(r), o)).dump() == json(objects).dump());
}

TEST_CASE("render: the password is only a Secret reference, never a value or an argument", "[kubernetes]") {
  rcplan::cluster_resource r = seed_fixture();
  r.spec.password_secret = rcplan::local_object_reference{"redis-password", {}};
  r.spec.monitor = rcplan::monitor_spec{};
  r.spec.monitor->image = "oliver006/redis_exporter:v1.62.0";
  const std::vector<json> objects = k8s::render(rcplan::desired_objects(r), {});
  const json* sts = find_kind(objects, "StatefulSet", "drc-" + r.metadata.name + "-0");
  REQUIRE(sts);
  std::set<std::string> from_secret;
  for (const json& c : (*sts)["spec"]["template"]["spec"]["containers"]) {
    for (const json& e : c["env"])
      if (e.contains("valueFrom")) {
        CHECK(e["valueFrom"]["secretKeyRef"]["name"] == "redis-password");
        from_secret.insert(c["name"].get<std::string>() + ":" + e["name"].get<std::string>());
      }
    // the start script names the variable; the shell's printf builtin expands it into a file
    const std::string command = c.value("command", json::array()).dump() + c.value("args", json::array()).dump();
    if (c["name"] == "redis") CHECK(command.find("\\\"$REDIS_PASSWORD\\\"") != std::string::npos);
  }
  CHECK(from_secret == std::set<std::string>{"exporter:REDIS_PASSWORD", "redis:REDISCLI_AUTH", "redis:REDIS_PASSWORD"});
  const json* cm = find_kind(objects, "ConfigMap", "redis-cluster-" + r.metadata.name);
  REQUIRE(cm);
  CHECK((*cm)["data"]["redis.conf"].get<std::string>().find("requirepass") == std::string::npos);
}

TEST_CASE("render: every object of the reconcile scenarios is accepted, and a second apply changes nothing",
          "[kubernetes][live]") {
  const auto applied = applied_in_scenarios(scenario_steps());
  std::set<std::string> kinds;
  for (const auto& [key, a] : applied) kinds.insert(key.substr(0, key.find('/')));
  REQUIRE(kinds == std::set<std::string>{"ConfigMap", "PodDisruptionBudget", "Service", "StatefulSet", "status"});

  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "render");
  json resource = json(rcplan_test::resource("scenario", 3, 1));
  resource["metadata"]["namespace"] = ns.name();
  const json created = c.apply(resource);
  k8s::render_options o;
  o.namespace_name = ns.name();
  o.owned_by = k8s::owner{"scenario", created["metadata"]["uid"]};
  for (const auto& [key, a] : applied) {
    INFO(key);
    const json object = *k8s::render(a, "scenario", o);
    const bool status = key.rfind("status/", 0) == 0;
    const json first = status ? c.apply_status(object) : c.apply(object);
    const json second = status ? c.apply_status(object) : c.apply(object);
    // Controllers write the status of some objects (a PDB's) in between: where the API server
    // counts spec changes (generation), that count must not move; elsewhere nothing may.
    const char* unchanged = first["metadata"].contains("generation") ? "generation" : "resourceVersion";
    CHECK(second["metadata"][unchanged] == first["metadata"][unchanged]);
  }
}

TEST_CASE("render: the real StatefulSet controller creates the pods, and deleting the resource deletes its objects",
          "[kubernetes][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "pods");
  rcplan::cluster_resource r = seed_fixture();
  json resource = json(r);
  resource["metadata"]["namespace"] = ns.name();
  const json created = c.apply(resource);
  k8s::render_options o;
  o.namespace_name = ns.name();
  o.owned_by = k8s::owner{r.metadata.name, created["metadata"]["uid"]};
  for (const json& obj : k8s::render(rcplan::desired_objects(r), o)) (void)c.apply(obj);

  const std::string shard0 = "drc-" + r.metadata.name + "-0";
  k8s::list_options pods_of_shard0;
  pods_of_shard0.label_selector = "redis.kun/name=" + r.metadata.name + ",shard=0";
  REQUIRE(eventually([&] { return c.list(k8s::kinds::pod, ns.name(), pods_of_shard0)["items"].size() == 2; }));
  const json pods = c.list(k8s::kinds::pod, ns.name(), pods_of_shard0);
  std::set<std::string> names;
  for (const json& p : pods["items"]) {
    names.insert(p["metadata"]["name"].get<std::string>());
    CHECK(p["metadata"]["labels"].contains("controller-revision-hash"));
    bool claims_its_own = false;
    for (const json& v : p["spec"]["volumes"])
      claims_its_own = claims_its_own || (v["name"] == "data" && v["persistentVolumeClaim"]["claimName"] ==
                                                                       "data-" + p["metadata"]["name"].get<std::string>());
    CHECK(claims_its_own);
  }
  CHECK(names == std::set<std::string>{shard0 + "-0", shard0 + "-1"});
  // the StatefulSet controller made a claim per pod from the template
  REQUIRE(eventually([&] { return c.find(k8s::kinds::pvc, ns.name(), "data-" + shard0 + "-0").has_value(); }));
  REQUIRE(eventually([&] { return k8s::read_cluster(c, {ns.name(), r.metadata.name}).claims.size() == 6; }));
  const k8s::cluster_objects read = k8s::read_cluster(c, {ns.name(), r.metadata.name});
  for (const k8s::observed_claim& claim : read.claims) {
    CHECK(claim.storage == "10Gi");
    CHECK(claim.storage_class == "csi-rbd-sc");
    CHECK(claim.phase == "Pending");  // no storage driver here
  }
  for (const k8s::observed_pod& p : read.pods) CHECK(p.phase == "Pending");  // no scheduler, no kubelet

  CHECK(c.remove(k8s::kinds::distributed_redis_cluster, ns.name(), r.metadata.name));
  CHECK(eventually([&] { return !c.find(k8s::kinds::statefulset, ns.name(), shard0).has_value(); },
                   std::chrono::seconds(60)));
  CHECK(eventually([&] {
    return !c.find(k8s::kinds::configmap, ns.name(), "redis-cluster-" + r.metadata.name).has_value();
  }));
}

TEST_CASE("render: a cluster restored from a backup gets the restore init container, reading an optional ConfigMap "
          "and Secret - other clusters get none",
          "[kubernetes][backup]") {
  const rcplan::cluster_resource restored = rcplan::load_cluster_resource(
      rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/distributedrediscluster-restore.yaml")));
  k8s::render_options o;
  o.tools_image = "registry.example/rcplan:1.2";
  const std::vector<json> objects = k8s::render(rcplan::desired_objects(restored), o);
  const std::string config = rcplan::restore_config_name(restored.metadata.name);
  int statefulsets = 0;
  for (const json& sts : objects) {
    if (sts["kind"] != "StatefulSet") continue;
    ++statefulsets;
    const json& pod = sts["spec"]["template"]["spec"];
    REQUIRE(pod["initContainers"].size() == 1);
    const json& init = pod["initContainers"][0];
    CHECK(init["name"] == "restore");
    CHECK(init["image"] == "registry.example/rcplan:1.2");
    CHECK(init["command"] == json::array({"rcplan", "restore", "pod", "--config", "/etc/rcplan/restore/restore.json",
                                          "--pod", "$(POD_NAME)", "--data-dir", "/data"}));
    CHECK(init["env"][0]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name");
    CHECK(init["envFrom"][0]["secretRef"] == json({{"name", config}, {"optional", true}}));
    bool config_volume = false;
    for (const json& v : pod["volumes"])
      if (v["name"] == "restore") config_volume = v["configMap"] == json({{"name", config}, {"optional", true}});
    CHECK(config_volume);
    // the redis container mounts the same data volume the file is placed on
    CHECK(init["volumeMounts"][0] == json({{"name", "data"}, {"mountPath", "/data"}}));
  }
  CHECK(statefulsets == 3);

  const std::vector<json> plain = k8s::render(rcplan::desired_objects(seed_fixture()), o);
  for (const json& sts : plain)
    if (sts["kind"] == "StatefulSet") CHECK_FALSE(sts["spec"]["template"]["spec"].contains("initContainers"));
}
