// The Kubernetes platform and observe_kubernetes() against the real API server and
// kube-controller-manager. No kubelet or scheduler runs here, so the test does their two
// visible parts by hand: it binds pods to Node objects it creates (the scheduler's call) and
// writes the pods' status (IP, Ready) as a kubelet would.

#include "kubernetes/kube_env.hpp"
#include "support/kube_builder.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/planner/objects.hpp>

#include <set>
#include <string>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::eventually;
using rcplan_kube_test::test_namespace;

namespace {

/// What a scheduler and a kubelet would do for `pod`: bind it to `node`, report it running and
/// ready at `ip`.
void run_pod(k8s::client& c, const std::string& ns, const std::string& pod, const std::string& node, const std::string& ip) {
  c.bind(ns, pod, node);
  (void)c.merge_patch(k8s::kinds::pod, ns, pod,
                      {{"status",
                        {{"phase", "Running"},
                         {"podIP", ip},
                         {"podIPs", json::array({{{"ip", ip}}})},
                         {"conditions", json::array({{{"type", "Ready"}, {"status", "True"}}})}}}},
                      "status");
}

std::size_t pods_of(const rcplan::topology& t, const std::string& sts) {
  std::size_t n = 0;
  for (const rcplan::pod& p : t.pods) n += p.name.rfind(sts + "-", 0) == 0 ? 1U : 0U;
  return n;
}

}  // namespace

TEST_CASE("kubernetes platform: a plan's Kubernetes steps carried out, and the cluster observed back",
          "[kubernetes][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "platform");
  rcplan::cluster_resource r = rcplan_test::resource("demo", 2, 1);
  r.spec.password_secret = rcplan::local_object_reference{"demo-password", {}};
  json resource = json(r);
  resource["metadata"]["namespace"] = ns.name();
  (void)c.apply(resource);
  for (const auto& [node, zone] : {std::pair{"node-a", "zone-1"}, std::pair{"node-b", "zone-2"}})
    (void)c.apply({{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata",
                    {{"name", std::string(node) + "-" + ns.name()},
                     {"labels", {{"topology.kubernetes.io/zone", zone}, {"kubernetes.io/hostname", node}}}}}});

  k8s::platform pf(c, {ns.name(), "demo"});
  const rcplan::kube_objects objects = rcplan::desired_objects(r);
  rcplan_kube_test::apply_all(pf, objects);

  // The StatefulSet controller creates the pods; nothing runs them yet.
  rcplan::topology t;
  REQUIRE(eventually([&] {
    pf.observe(t);
    return t.pods.size() == 4;
  }));
  REQUIRE(t.statefulsets.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const rcplan::statefulset& s = t.statefulsets[i];
    CHECK(s.name == objects.statefulsets[i].name);
    CHECK(s.shard_index == static_cast<int>(i));
    CHECK(s.replicas == 2);
    CHECK(s.image == "redis:7.0");
    CHECK(s.config_hash == rcplan::template_config_hash(objects.statefulsets[i]));
    CHECK(s.password_secret == "demo-password");
    CHECK_FALSE(rcplan::template_outdated(s, objects.statefulsets[i]));
  }
  for (const rcplan::pod& p : t.pods) {
    CHECK_FALSE(p.ready);
    CHECK(p.ip.empty());
  }
  CHECK(pf.seeds().empty());
  CHECK_FALSE(pf.pods_ready(""));

  // Scheduled and started by hand: observation joins nodes, zones, IPs and readiness.
  int n = 0;
  for (const rcplan::pod& p : t.pods) {
    const std::string node = (n % 2 == 0 ? "node-a-" : "node-b-") + ns.name();
    run_pod(c, ns.name(), p.name, node, "10.1.0." + std::to_string(++n));
  }
  REQUIRE(eventually([&] { return pf.pods_ready(""); }));
  pf.observe(t);
  std::set<std::string> zones;
  for (const rcplan::pod& p : t.pods) {
    CHECK(p.ready);
    CHECK_FALSE(p.ip.empty());
    CHECK(p.port == 6379);
    CHECK(p.revision == t.statefulsets.at(static_cast<std::size_t>(p.shard_index)).update_revision);
    zones.insert(p.zone);
  }
  CHECK(zones == std::set<std::string>{"zone-1", "zone-2"});
  CHECK(pf.seeds().size() == 4);

  // The whole read: the resource, each pod's phase and labels, the nodes the pods run on.
  const k8s::cluster_objects all = k8s::read_cluster(c, {ns.name(), "demo"});
  REQUIRE(all.resource.has_value());
  CHECK((*all.resource)["metadata"]["name"] == "demo");
  REQUIRE(all.pods.size() == 4);
  for (const k8s::observed_pod& p : all.pods) {
    CHECK(p.phase == "Running");
    CHECK(p.labels.at("redis.kun/name") == "demo");
  }
  REQUIRE(all.nodes.size() == 2);
  CHECK(all.nodes[0].zone == "zone-1");
  CHECK(all.nodes[0].hostname == "node-a");
  CHECK(all.nodes[1].hostname == "node-b");
  CHECK(all.claims.empty());  // ephemeral storage

  // Scale shard 0 to 3 pods; the new pod is not ready, and neither is the shard.
  const std::string shard0 = objects.statefulsets[0].name;
  pf.apply(rcplan::scale_statefulset{shard0, 3});
  REQUIRE(eventually([&] {
    pf.observe(t);
    return pods_of(t, shard0) == 3;
  }));
  CHECK_FALSE(pf.pods_ready(shard0));
  CHECK(pf.pods_ready(objects.statefulsets[1].name));

  // A deleted pod that a node holds stays until its kubelet confirms: observed as terminating.
  pf.apply(rcplan::delete_pod{shard0 + "-0"});
  pf.observe(t);
  const auto deleted = std::find_if(t.pods.begin(), t.pods.end(), [&](const rcplan::pod& p) { return p.name == shard0 + "-0"; });
  REQUIRE(deleted != t.pods.end());
  CHECK(deleted->terminating);

  rcplan::cluster_status status;
  status.status = rcplan::status_creating;
  status.number_of_master = 2;
  pf.apply(rcplan::update_status{status});
  const json stored = c.get(k8s::kinds::distributed_redis_cluster, ns.name(), "demo");
  CHECK(stored["status"]["status"] == "Creating");
  CHECK(stored["status"]["numberOfMaster"] == 2);

  pf.apply(rcplan::delete_statefulset{objects.statefulsets[1].name});
  CHECK(eventually([&] { return !c.find(k8s::kinds::statefulset, ns.name(), objects.statefulsets[1].name).has_value(); }));
  CHECK_THROWS_WITH(pf.apply(rcplan::failover{}), Catch::Contains("not a Kubernetes action"));
}
