// Backup and restore on Kubernetes, end to end: a RedisClusterBackup run as a Job (its pod run
// by the local node agent — the stand-in for the kubelet — with this build's rcplan binary)
// into S3 (s3rver, through rclone), and a DistributedRedisCluster created from it with a
// different master count, its first pods' init containers placing the shards' files.

#include "kubernetes/agent_env.hpp"
#include "kubernetes/kube_env.hpp"
#include "kubernetes/operator_env.hpp"
#include "support/s3_server.hpp"

#include <rcplan/kubernetes/install.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/kubernetes/secrets.hpp>
#include <rcplan/plan/kube_objects.hpp>

#include <cstdlib>
#include <string>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::eventually;
using rcplan_kube_test::eventually_healthy;
using rcplan_kube_test::get_drc;
using rcplan_kube_test::running_agent;
using rcplan_kube_test::test_namespace;
using rcplan_test::s3_server;

namespace {

std::filesystem::path scratch(const std::string& ns, const std::string& what) {
  return std::filesystem::temp_directory_path() / ("rcplan-" + what + "-" + ns);
}

/// Why these tests cannot run here (no rclone, no s3rver); empty when they can. On CI every
/// test must run.
std::string s3_missing() {
  if (std::system("command -v rclone >/dev/null 2>&1") != 0) return "rclone is not installed";
  return s3_server::unavailable();
}

json cluster(const std::string& ns, const std::string& name, int masters, int replicas) {
  return {{"apiVersion", "redis.kun/v1alpha1"},
          {"kind", "DistributedRedisCluster"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"image", "redis:7.0"},
            {"masterSize", masters},
            {"clusterReplicas", replicas},
            {"passwordSecret", {{"name", "redis-password"}}},
            {"storage", {{"type", "persistent-claim"}, {"size", "1Gi"}}}}}};
}

json storage_secret(const std::string& ns, const std::string& name, const std::string& key_id, const std::string& key) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"stringData", {{"AWS_ACCESS_KEY_ID", key_id}, {"AWS_SECRET_ACCESS_KEY", key}}}};
}

json backup(const std::string& ns, const std::string& name, const std::string& cluster_name, const s3_server& s3,
            const std::string& secret) {
  return {{"apiVersion", "redis.kun/v1alpha1"},
          {"kind", "RedisClusterBackup"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec",
           {{"redisClusterName", cluster_name},
            {"storageSecretName", secret},
            {"s3", {{"endpoint", s3.endpoint()}, {"bucket", s3.bucket()}}}}}};
}

json backup_status(k8s::client& c, const std::string& ns, const std::string& name) {
  return c.get(k8s::kinds::redis_cluster_backup, ns, name).value("status", json::object());
}

bool backup_finished(k8s::client& c, const std::string& ns, const std::string& name) {
  const std::string phase = backup_status(c, ns, name).value("phase", "");
  return phase == "Succeeded" || phase == "Failed";
}

}  // namespace

TEST_CASE("operator: a RedisClusterBackup runs as a Job into S3, and a cluster of 4 masters is restored from its 3 "
          "shards with every key - wrong S3 credentials fail the backup with a reason free of the secret",
          "[kubernetes][live][operator][backup]") {
  if (const std::string why = s3_missing(); !why.empty()) {
    if (rcplan_test::tools_required()) FAIL("CI=true, and the backup test cannot run: " << why);
    WARN("skipped: " << why);
    return;
  }
  s3_server s3;
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-backup");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"), RCPLAN_CLI);
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "operator.log"));

  const std::string password = "backup-test-password";
  (void)c.create({{"apiVersion", "v1"},
                  {"kind", "Secret"},
                  {"metadata", {{"name", "redis-password"}, {"namespace", ns.name()}}},
                  {"stringData", {{"password", password}}}});
  (void)c.create(storage_secret(ns.name(), "s3-secret", s3_server::access_key_id, s3_server::secret_access_key));
  (void)c.create(cluster(ns.name(), "source", 3, 0));
  REQUIRE(eventually_healthy(c, ns.name(), "source"));
  constexpr int keys = 6000;
  {
    auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), "source", password);
    rcplan_kube_test::load_keys(cc, keys);
  }

  // --- the backup: a Job of the resource's own, its outcome in the status ---
  (void)c.create(backup(ns.name(), "nightly", "source", s3, "s3-secret"));
  REQUIRE(eventually([&] { return backup_finished(c, ns.name(), "nightly"); }, std::chrono::seconds(120)));
  const json st = backup_status(c, ns.name(), "nightly");
  INFO(st.dump());
  REQUIRE(st["phase"] == "Succeeded");
  CHECK(st["masterSize"] == 3);
  CHECK(st["keys"] == keys);
  CHECK(st["sizeBytes"].get<std::uint64_t>() > 0);
  CHECK(st["location"] == "s3://" + s3.bucket() + "/" + ns.name() + "/nightly");
  CHECK(!st.value("startTime", "").empty());
  CHECK(!st.value("completionTime", "").empty());
  const json job = c.get(k8s::kinds::job, ns.name(), "rcplan-backup-nightly");
  CHECK(job["metadata"]["ownerReferences"][0]["kind"] == "RedisClusterBackup");
  // the secrets only by reference
  CHECK(job.dump().find(password) == std::string::npos);
  CHECK(job.dump().find(s3_server::secret_access_key + std::string("\"")) == std::string::npos);

  // --- the restore: 3 backup shards into 4 masters with a replica each ---
  json restored = cluster(ns.name(), "restored", 4, 1);
  restored["spec"]["init"] = {{"backupSource", {{"name", "nightly"}, {"namespace", ns.name()}}}};
  (void)c.create(restored);
  // while it runs, the pods' init containers read the restore ConfigMap
  REQUIRE(eventually([&] {
    return c.find(k8s::kinds::configmap, ns.name(), rcplan::restore_config_name("restored")).has_value();
  }));
  REQUIRE(eventually([&] { return c.find(k8s::kinds::statefulset, ns.name(), "drc-restored-0").has_value(); }));
  const json sts = c.get(k8s::kinds::statefulset, ns.name(), "drc-restored-0");
  CHECK(sts["spec"]["template"]["spec"]["initContainers"][0]["name"] == "restore");
  REQUIRE(eventually_healthy(c, ns.name(), "restored", std::chrono::seconds(300)));
  REQUIRE(eventually([&] {
    return get_drc(c, ns.name(), "restored")["status"].value("restore", json::object()).value("phase", "") ==
           "Succeeded";
  }));
  const json drc = get_drc(c, ns.name(), "restored");
  CHECK(drc["status"]["restore"]["backup"] == ns.name() + "/nightly");
  CHECK(drc["status"]["numberOfMaster"] == 4);
  {
    auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), "restored", password);
    CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);
    for (const std::string& m : cc.masters())
      CHECK(cc.call_node(m, {"CLUSTER", "INFO"}).str.find("cluster_slots_ok:16384") != std::string::npos);
  }
  // done: the ConfigMap is gone and the Secret holds no credentials, so a volume made later
  // starts empty
  CHECK(eventually([&] {
    return !c.find(k8s::kinds::configmap, ns.name(), rcplan::restore_config_name("restored")).has_value();
  }));
  CHECK_FALSE(k8s::read_secret_value(c, ns.name(), rcplan::restore_config_name("restored"), "AWS_SECRET_ACCESS_KEY"));

  // --- wrong credentials: Failed, with a reason that names no secret ---
  const std::string wrong = "wrong-secret-key-4711";
  (void)c.create(storage_secret(ns.name(), "bad-s3-secret", "nobody", wrong));
  (void)c.create(backup(ns.name(), "denied", "source", s3, "bad-s3-secret"));
  REQUIRE(eventually([&] { return backup_finished(c, ns.name(), "denied"); }, std::chrono::seconds(180)));
  const json denied = backup_status(c, ns.name(), "denied");
  INFO(denied.dump());
  CHECK(denied["phase"] == "Failed");
  CHECK(!denied.value("reason", "").empty());
  CHECK(denied.dump().find(wrong) == std::string::npos);
}
