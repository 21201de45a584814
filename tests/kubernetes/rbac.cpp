// The shipped operator manifests install (the real Deployment controller makes the operator's
// pod) and the shipped ClusterRole is enough for every call the binding makes: the admin impersonates
// the operator's ServiceAccount and runs the platform through a plan's Kubernetes actions,
// observation, a watch, an Event and a Lease; a call outside the role fails as forbidden,
// naming the verb and the resource.

#include "kubernetes/kube_env.hpp"
#include "support/kube_builder.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/planner/objects.hpp>

#include <algorithm>
#include <string>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::test_namespace;

TEST_CASE("operator RBAC: the shipped ClusterRole allows every call of the binding, and nothing else",
          "[kubernetes][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  k8s::operator_options oo;
  oo.image = "registry.example/rcplan:test";
  const k8s::install_result installed = k8s::install_operator(c, oo);
  CHECK(installed.applied == std::vector<std::string>{"Namespace rcplan-system", "ServiceAccount rcplan-operator",
                                                      "ClusterRole rcplan-operator", "ClusterRoleBinding rcplan-operator",
                                                      "Deployment rcplan-operator"});
  // The real Deployment controller makes the operator's pod, as its ServiceAccount, on the image.
  k8s::list_options operator_pods;
  operator_pods.label_selector = "app.kubernetes.io/component=operator";
  // (an earlier install on this control plane may have left pods of another image: find ours)
  json pod;
  REQUIRE(rcplan_kube_test::eventually([&] {
    const json pods = c.list(k8s::kinds::pod, "rcplan-system", operator_pods);
    for (const json& p : pods["items"])
      if (p["spec"]["containers"][0]["image"] == "registry.example/rcplan:test") pod = p;
    return !pod.is_null();
  }));
  CHECK(pod["spec"]["serviceAccountName"] == "rcplan-operator");
  const json env = pod["spec"]["containers"][0]["env"];
  CHECK(std::find(env.begin(), env.end(), json({{"name", "RCPLAN_TOOLS_IMAGE"}, {"value", "registry.example/rcplan:test"}})) !=
        env.end());
  CHECK(pod["spec"]["containers"][0]["args"][0] == "operator");
  test_namespace ns(c, "rbac");
  rcplan::cluster_resource r = rcplan_test::resource("guarded", 1, 1);
  json resource = json(r);
  resource["metadata"]["namespace"] = ns.name();
  (void)c.apply(resource);

  k8s::cluster_access as_operator = c.access();
  as_operator.impersonate_user = k8s::operator_user();
  k8s::client op(as_operator);

  // everything the platform does for a plan
  k8s::platform pf(op, {ns.name(), "guarded"});
  const rcplan::kube_objects objects = rcplan::desired_objects(r);
  rcplan_kube_test::apply_all(pf, objects);
  const std::string sts = objects.statefulsets.at(0).name;
  REQUIRE(rcplan_kube_test::eventually([&] {
    rcplan::topology t;
    pf.observe(t);
    return t.pods.size() == 2;
  }));
  (void)c.bind(ns.name(), sts + "-0", "nowhere");  // the scheduler's part, as the admin: nodes get listed now
  rcplan::topology t;
  CHECK_NOTHROW(pf.observe(t));
  CHECK_NOTHROW((void)pf.seeds());
  CHECK_NOTHROW((void)pf.pods_ready(""));
  CHECK_NOTHROW(pf.apply(rcplan::scale_statefulset{sts, 3}));
  CHECK_NOTHROW(pf.apply(rcplan::delete_pod{sts + "-1"}));
  rcplan::cluster_status status;
  status.status = rcplan::status_creating;
  CHECK_NOTHROW(pf.apply(rcplan::update_status{status}));
  CHECK_NOTHROW(pf.apply(rcplan::delete_pvc{"data-" + sts + "-9"}));
  CHECK_NOTHROW(pf.apply(rcplan::delete_statefulset{sts}));

  // what the operator adds around it: watching its resources, reading Secrets, Events, a Lease
  k8s::watch_options wo;
  wo.timeout = std::chrono::seconds(1);
  CHECK_NOTHROW(op.watch(k8s::kinds::distributed_redis_cluster, "", wo, [](const k8s::watch_event&) { return false; }));
  CHECK_NOTHROW(op.list(k8s::kinds::secret, ns.name()));
  CHECK_NOTHROW(op.create({{"apiVersion", "v1"},
                           {"kind", "Event"},
                           {"metadata", {{"name", "guarded.1"}, {"namespace", ns.name()}}},
                           {"involvedObject", {{"kind", "DistributedRedisCluster"}, {"name", "guarded"}, {"namespace", ns.name()}}},
                           {"reason", "Test"},
                           {"message", "an event"},
                           {"type", "Normal"}}));
  // backups and restores: the backup Jobs, the resources and their status, the restore
  // ConfigMap and the Secret it empties
  CHECK_NOTHROW(op.watch(k8s::kinds::job, "", wo, [](const k8s::watch_event&) { return false; }));
  CHECK_NOTHROW(op.watch(k8s::kinds::redis_cluster_backup, "", wo, [](const k8s::watch_event&) { return false; }));
  CHECK_NOTHROW(op.create({{"apiVersion", "batch/v1"},
                           {"kind", "Job"},
                           {"metadata", {{"name", "rcplan-backup-x"}, {"namespace", ns.name()}}},
                           {"spec",
                            {{"template",
                              {{"spec",
                                {{"restartPolicy", "Never"},
                                 {"containers", json::array({{{"name", "backup"}, {"image", "rcplan:latest"}}})}}}}}}}}));
  CHECK_NOTHROW(op.remove(k8s::kinds::job, ns.name(), "rcplan-backup-x"));
  CHECK_NOTHROW(op.apply({{"apiVersion", "v1"},
                          {"kind", "Secret"},
                          {"metadata", {{"name", "drc-guarded-restore"}, {"namespace", ns.name()}}},
                          {"stringData", {{"AWS_ACCESS_KEY_ID", "id"}}}}));
  CHECK_NOTHROW(op.merge_patch(k8s::kinds::secret, ns.name(), "drc-guarded-restore", {{"data", nullptr}}));
  CHECK_NOTHROW(op.apply({{"apiVersion", "v1"},
                          {"kind", "ConfigMap"},
                          {"metadata", {{"name", "drc-guarded-restore"}, {"namespace", ns.name()}}},
                          {"data", {{"restore.json", "{}"}}}}));
  CHECK_NOTHROW(op.remove(k8s::kinds::configmap, ns.name(), "drc-guarded-restore"));
  (void)c.apply({{"apiVersion", "redis.kun/v1alpha1"},
                 {"kind", "RedisClusterBackup"},
                 {"metadata", {{"name", "b"}, {"namespace", ns.name()}}},
                 {"spec", {{"redisClusterName", "guarded"}}}});
  CHECK_NOTHROW(op.apply_status({{"apiVersion", "redis.kun/v1alpha1"},
                                 {"kind", "RedisClusterBackup"},
                                 {"metadata", {{"name", "b"}, {"namespace", ns.name()}}},
                                 {"status", {{"phase", "Running"}}}}));
  CHECK_NOTHROW(op.create({{"apiVersion", "coordination.k8s.io/v1"},
                           {"kind", "Lease"},
                           {"metadata", {{"name", "rcplan-operator"}, {"namespace", ns.name()}}},
                           {"spec", {{"holderIdentity", "test"}}}}));

  // and nothing beyond it
  try {
    (void)op.list(k8s::kinds::cluster_role, "");
    FAIL("listing ClusterRoles was allowed");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.kubernetes.forbidden");
    CHECK_THAT(e.what(), Catch::Contains("list ClusterRole") && Catch::Contains("\"clusterroles\""));
  }
  // it writes the Secret keeping a cluster's password in force, but never deletes one
  try {
    (void)op.remove(k8s::kinds::secret, ns.name(), "x");
    FAIL("deleting a Secret was allowed");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.kubernetes.forbidden");
    CHECK_THAT(e.what(), Catch::Contains("delete Secret " + ns.name() + "/x") && Catch::Contains("\"secrets\""));
  }
}
