// `rcplan operator` end to end: a real API server and kube-controller-manager (the StatefulSet
// controller, the garbage collector), real redis-server pods run by the local node agent (the
// only stand-in: it does the kubelet's and the scheduler's part), and the operator as a
// process of its own.

#include "kubernetes/agent_env.hpp"
#include "kubernetes/kube_env.hpp"
#include "kubernetes/operator_env.hpp"
#include "support/kube_builder.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <map>
#include <set>
#include <string>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::cli_process;
using rcplan_kube_test::eventually;
using rcplan_kube_test::eventually_healthy;
using rcplan_kube_test::get_drc;
using rcplan_kube_test::running_agent;
using rcplan_kube_test::test_namespace;

namespace {

const std::string seed_fixture = RCPLAN_TEST_DATA_DIR "/fixtures/distributedrediscluster.yaml";
const std::string seed_name = "example-distributedrediscluster";

std::filesystem::path scratch(const std::string& ns, const std::string& what) {
  return std::filesystem::temp_directory_path() / ("rcplan-" + what + "-" + ns);
}

/// Every object's resourceVersion among the resource and the objects it owns.
std::map<std::string, std::string> versions(k8s::client& c, const std::string& ns, const std::string& cluster) {
  std::map<std::string, std::string> out;
  const json drc = get_drc(c, ns, cluster);
  out["drc"] = drc["metadata"]["resourceVersion"];
  k8s::list_options lo;
  lo.label_selector = "redis.kun/name=" + cluster;
  for (const k8s::resource_kind* k :
       {&k8s::kinds::statefulset, &k8s::kinds::configmap, &k8s::kinds::service, &k8s::kinds::pdb}) {
    const json list = c.list(*k, ns, lo);
    for (const json& o : list["items"])
      out[k->kind + "/" + o["metadata"]["name"].get<std::string>()] = o["metadata"]["resourceVersion"];
  }
  return out;
}

std::size_t count(k8s::client& c, const k8s::resource_kind& kind, const std::string& ns, const std::string& cluster) {
  k8s::list_options lo;
  lo.label_selector = "redis.kun/name=" + cluster;
  const json list = c.list(kind, ns, lo);
  std::size_t n = 0;
  for (const json& o : list["items"]) n += o["metadata"].contains("deletionTimestamp") ? 0U : 1U;
  return n;
}

/// The events on the resource: reason -> messages.
std::multimap<std::string, std::string> events_of(k8s::client& c, const std::string& ns, const std::string& cluster) {
  std::multimap<std::string, std::string> out;
  const json list = c.list(k8s::kinds::event, ns);
  for (const json& e : list["items"])
    if (e["involvedObject"].value("kind", "") == "DistributedRedisCluster" && e["involvedObject"].value("name", "") == cluster)
      out.emplace(e.value("reason", ""), e.value("message", ""));
  return out;
}

std::int64_t metric(const std::string& text, const std::string& series) {
  const auto at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + series.size() + 2));
}

void patch_spec(k8s::client& c, const std::string& ns, const std::string& name, const json& spec) {
  (void)c.merge_patch(k8s::kinds::distributed_redis_cluster, ns, name, {{"spec", spec}});
}

/// A resource of the test's own, applied as a user would.
json resource_json(const rcplan::cluster_resource& r, const std::string& ns) {
  json j = json(r);
  j["metadata"]["namespace"] = ns;
  return j;
}

}  // namespace

TEST_CASE("operator: the seed fixture as it is becomes Healthy - masterSize 3-4-3 and clusterReplicas 1-2-1 keep "
          "every key - a converged resource is left alone",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-scale");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "operator.log"));

  json seed = rcplan::yaml::load_yaml_file(seed_fixture);
  seed["metadata"]["namespace"] = ns.name();
  (void)c.create(seed);
  REQUIRE(eventually_healthy(c, ns.name(), seed_name));
  json drc = get_drc(c, ns.name(), seed_name);
  CHECK(drc["status"]["numberOfMaster"] == 3);
  CHECK(drc["status"]["nodes"].size() == 6);
  CHECK(drc["metadata"]["finalizers"] == json::array({"redis.kun/rcplan-claims"}));
  for (const json& cond : drc["status"]["conditions"])
    CHECK(cond["status"] == (cond["type"] == "Ready" ? "True" : "False"));

  auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), seed_name);
  for (const std::string& m : cc.masters())
    CHECK(cc.call_node(m, {"CLUSTER", "INFO"}).str.find("cluster_slots_ok:16384") != std::string::npos);
  constexpr int keys = 20000;
  rcplan_kube_test::load_keys(cc, keys);

  // Health and readiness, and no writes over three resyncs (2 s each) of a converged resource.
  const std::uint16_t port = rcplan_kube_test::http_port_of(*op);
  REQUIRE(port != 0);
  CHECK(rcplan_kube_test::http_get(port, "/healthz").first == 200);
  CHECK(rcplan_kube_test::http_get(port, "/readyz").first == 200);
  const auto before = versions(c, ns.name(), seed_name);
  const std::int64_t passes = metric(rcplan_kube_test::http_get(port, "/metrics").second,
                                     "rcplan_reconcile_total{result=\"converged\"}");
  std::this_thread::sleep_for(std::chrono::seconds(7));
  CHECK(versions(c, ns.name(), seed_name) == before);
  CHECK(metric(rcplan_kube_test::http_get(port, "/metrics").second, "rcplan_reconcile_total{result=\"converged\"}") >=
        passes + 3);

  // masterSize 3 -> 4 -> 3: slots move with their keys; the removed shard's StatefulSet goes,
  // and with it its claims (the seed says deleteClaim: true).
  patch_spec(c, ns.name(), seed_name, {{"masterSize", 4}});
  REQUIRE(eventually_healthy(c, ns.name(), seed_name));
  CHECK(get_drc(c, ns.name(), seed_name)["status"]["numberOfMaster"] == 4);
  CHECK(count(c, k8s::kinds::statefulset, ns.name(), seed_name) == 4);
  cc.refresh();
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  patch_spec(c, ns.name(), seed_name, {{"masterSize", 3}});
  REQUIRE(eventually_healthy(c, ns.name(), seed_name));
  CHECK(get_drc(c, ns.name(), seed_name)["status"]["numberOfMaster"] == 3);
  CHECK(eventually([&] { return count(c, k8s::kinds::statefulset, ns.name(), seed_name) == 3; }));
  CHECK(eventually([&] { return count(c, k8s::kinds::pvc, ns.name(), seed_name) == 6; }));
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), seed_name);
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  // clusterReplicas 1 -> 2 -> 1.
  patch_spec(c, ns.name(), seed_name, {{"clusterReplicas", 2}});
  REQUIRE(eventually_healthy(c, ns.name(), seed_name));
  CHECK(get_drc(c, ns.name(), seed_name)["status"]["minReplicationFactor"] == 2);
  CHECK(get_drc(c, ns.name(), seed_name)["status"]["nodes"].size() == 9);
  patch_spec(c, ns.name(), seed_name, {{"clusterReplicas", 1}});
  REQUIRE(eventually_healthy(c, ns.name(), seed_name));
  CHECK(get_drc(c, ns.name(), seed_name)["status"]["maxReplicationFactor"] == 1);
  CHECK(eventually([&] { return count(c, k8s::kinds::pod, ns.name(), seed_name) == 6; }));
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), seed_name);
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  const std::string m = rcplan_kube_test::http_get(port, "/metrics").second;
  CHECK(metric(m, "rcplan_slots_moved_total") > 0);
  CHECK(metric(m, "rcplan_keys_moved_total") > 0);
  CHECK(m.find("rcplan_cluster_status{namespace=\"" + ns.name() + "\",name=\"" + seed_name +
               "\",status=\"Healthy\"} 1") != std::string::npos);
  CHECK(events_of(c, ns.name(), seed_name).count("WaveExecuted") > 0);

  // Deleted with deleteClaim: true: the finalizer deletes the claims before the resource goes.
  REQUIRE(c.remove(k8s::kinds::distributed_redis_cluster, ns.name(), seed_name));
  CHECK(eventually([&] { return !c.find(k8s::kinds::distributed_redis_cluster, ns.name(), seed_name); },
                   std::chrono::seconds(60)));
  CHECK(eventually([&] { return count(c, k8s::kinds::pvc, ns.name(), seed_name) == 0; }, std::chrono::seconds(60)));
  CHECK(events_of(c, ns.name(), seed_name).count("Deleting") == 1);

  // SIGTERM: the operator stops cleanly.
  op->signal(SIGTERM);
  CHECK(op->wait_exit(std::chrono::seconds(60)) == 0);
}

TEST_CASE("operator: a deleted master pod heals, an image change rolls one pod at a time with a failover first, a "
          "password change through the Secret, and deletion keeps claims without deleteClaim",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-life");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "operator.log"));

  const std::string name = "life";
  rcplan::cluster_resource r = rcplan_test::resource(name, 3, 1);
  r.spec.password_secret = rcplan::local_object_reference{"life-password", {}};
  r.spec.storage = rcplan::storage_spec{"persistent-claim", "1Gi", "local", false, {}};
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "life-password"}, {"namespace", ns.name()}}},
                 {"stringData", {{"password", "first-secret"}}}});
  (void)c.create(resource_json(r, ns.name()));
  REQUIRE(eventually_healthy(c, ns.name(), name));
  auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name, "first-secret");
  constexpr int keys = 5000;
  rcplan_kube_test::load_keys(cc, keys);

  // A master's pod deleted: the StatefulSet controller recreates it (a new IP), the operator
  // heals the cluster.
  std::string master_pod;
  const json healthy_drc = get_drc(c, ns.name(), name);
  for (const json& n : healthy_drc["status"]["nodes"])
    if (n["role"] == "Master") master_pod = n["podName"];
  REQUIRE_FALSE(master_pod.empty());
  const std::string old_uid = c.get(k8s::kinds::pod, ns.name(), master_pod)["metadata"]["uid"];
  REQUIRE(c.remove(k8s::kinds::pod, ns.name(), master_pod));
  REQUIRE(eventually([&] {
    const auto p = c.find(k8s::kinds::pod, ns.name(), master_pod);
    return p && (*p)["metadata"]["uid"] != old_uid;
  }));
  REQUIRE(eventually_healthy(c, ns.name(), name));
  CHECK(eventually([&] { return get_drc(c, ns.name(), name)["status"]["nodes"].size() == 6; }));
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name, "first-secret");
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  // An image change: every pod restarts on the new revision, masters hand over first.
  patch_spec(c, ns.name(), name, {{"image", "redis:7.2"}});
  REQUIRE(eventually_healthy(c, ns.name(), name, std::chrono::seconds(300)));
  k8s::list_options lo;
  lo.label_selector = "redis.kun/name=" + name;
  const json sets = c.list(k8s::kinds::statefulset, ns.name(), lo);
  std::map<std::string, std::string> revision;
  for (const json& s : sets["items"]) {
    CHECK(s["spec"]["template"]["spec"]["containers"][0]["image"] == "redis:7.2");
    revision[s["metadata"]["name"]] = s["status"]["updateRevision"];
  }
  const json pods = c.list(k8s::kinds::pod, ns.name(), lo);
  for (const json& p : pods["items"]) {
    const std::string pod = p["metadata"]["name"];
    CHECK(p["metadata"]["labels"]["controller-revision-hash"] == revision[pod.substr(0, pod.rfind('-'))]);
  }
  bool handed_over = false;
  for (const auto& [reason, message] : events_of(c, ns.name(), name))
    handed_over = handed_over || message.find("hand the master role") != std::string::npos;
  CHECK(handed_over);
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name, "first-secret");
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  // A new password in the Secret: every node takes it, the old one stops working.
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "life-password"}, {"namespace", ns.name()}}},
                 {"stringData", {{"password", "second-secret"}}}});
  REQUIRE(eventually(
      [&] {
        for (const rcplan::address& a : rcplan_kube_test::pod_addresses(c, ns.name(), name)) {
          rcplan::redis::client_options o;
          o.password = rcplan::redis::secret{"second-secret"};
          try {
            rcplan::redis::node_client n(a, o);
            if (n.command({"PING"}).str != "PONG") return false;
          } catch (const rcplan::error&) {
            return false;
          }
        }
        return rcplan_kube_test::healthy(get_drc(c, ns.name(), name));
      },
      std::chrono::seconds(120)));
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name, "second-secret");
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);
  {
    rcplan::redis::client_options o;
    o.password = rcplan::redis::secret{"first-secret"};
    const auto seeds = rcplan_kube_test::pod_addresses(c, ns.name(), name);
    REQUIRE_FALSE(seeds.empty());
    CHECK_THROWS(rcplan::redis::node_client(seeds.front(), o).command({"PING"}));
  }

  // Deleted: Kubernetes collects the owned objects; the claims stay (deleteClaim: false).
  REQUIRE(c.remove(k8s::kinds::distributed_redis_cluster, ns.name(), name));
  REQUIRE(eventually([&] { return !c.find(k8s::kinds::distributed_redis_cluster, ns.name(), name); },
                     std::chrono::seconds(60)));
  CHECK(eventually([&] { return count(c, k8s::kinds::statefulset, ns.name(), name) == 0; }, std::chrono::seconds(60)));
  CHECK(count(c, k8s::kinds::pvc, ns.name(), name) == 6);
}

TEST_CASE("operator: spec.username - every node defines the ACL user, replicas follow as it, the operator works as "
          "it, and a password change for it is refused with the reason",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-acl");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "operator.log"));

  const std::string name = "acl";
  rcplan::cluster_resource r = rcplan_test::resource(name, 2, 1);
  r.spec.password_secret = rcplan::local_object_reference{"acl-password", {}};
  r.spec.username = "app";
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "acl-password"}, {"namespace", ns.name()}}},
                 {"stringData", {{"password", "acl-secret"}}}});
  (void)c.create(resource_json(r, ns.name()));
  REQUIRE(eventually_healthy(c, ns.name(), name));
  const auto addresses = rcplan_kube_test::pod_addresses(c, ns.name(), name);
  REQUIRE(addresses.size() == 4);
  rcplan::redis::client_options as_app;
  as_app.password = rcplan::redis::secret{"acl-secret", "app"};
  for (const rcplan::address& a : addresses)
    CHECK(rcplan::redis::node_client(a, as_app).command({"ACL", "WHOAMI"}).str == "app");
  // each replica's first sync waits for the diskless-sync delay (5 s), so its link comes up
  // soon after Healthy, authenticated as the user (masteruser)
  std::string last;
  const bool linked = eventually([&] {
    std::size_t links_up = 0;
    last.clear();
    for (const rcplan::address& a : addresses) {
      const std::string info = rcplan::redis::node_client(a, as_app).command({"INFO", "replication"}).str;
      last += a.host + ":\n" + info;
      links_up += info.find("master_link_status:up") != std::string::npos ? 1U : 0U;
    }
    return links_up == 2;
  }, std::chrono::seconds(60));
  if (!linked) FAIL_CHECK("replica links not up:\n" << last);
  {
    rcplan::redis::client_options o;
    o.password = rcplan::redis::secret{"acl-secret", "app"};
    rcplan::redis::cluster_client cc(addresses, o);
    rcplan_kube_test::load_keys(cc, 1000);
    CHECK(rcplan_kube_test::missing_keys(cc, 1000) == 0);
  }

  // A new password for the ACL user: refused, named in an Event, and nothing changes.
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "acl-password"}, {"namespace", ns.name()}}},
                 {"stringData", {{"password", "another-secret"}}}});
  REQUIRE(eventually([&] {
    for (const auto& [reason, message] : events_of(c, ns.name(), name))
      if (reason == "PasswordChangeBlocked" && message.find("ACL user app") != std::string::npos) return true;
    return false;
  }));
  for (const auto& [reason, message] : events_of(c, ns.name(), name)) {
    CHECK(message.find("another-secret") == std::string::npos);
    CHECK(message.find("acl-secret") == std::string::npos);
  }
  rcplan::redis::client_options o;
  o.password = rcplan::redis::secret{"acl-secret", "app"};
  CHECK(rcplan::redis::node_client(addresses.front(), o).command({"PING"}).str == "PONG");
}

TEST_CASE("operator: with the shipped RBAC as its ServiceAccount - an invalid resource gets status Failed with the "
          "reason and an Event, and nothing is created",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  (void)k8s::install_operator(c);
  test_namespace ns(c, "op-rbac");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "operator.log"),
                                             {"--as", k8s::operator_user()});

  rcplan::cluster_resource bad = rcplan_test::resource("bad", 3, 0);
  bad.spec.config = {{"cluster-enabled", "no"}};
  (void)c.create(resource_json(bad, ns.name()));
  REQUIRE(eventually([&] { return get_drc(c, ns.name(), "bad").value("status", json::object()).value("status", "") == "Failed"; }));
  const json st = get_drc(c, ns.name(), "bad")["status"];
  CHECK(st["reason"].get<std::string>().find("spec.config.cluster-enabled") != std::string::npos);
  CHECK(eventually([&] { return events_of(c, ns.name(), "bad").count("InvalidSpec") == 1; }));
  CHECK(count(c, k8s::kinds::statefulset, ns.name(), "bad") == 0);
  CHECK(count(c, k8s::kinds::configmap, ns.name(), "bad") == 0);

  rcplan::cluster_resource good = rcplan_test::resource("good", 3, 0);
  (void)c.create(resource_json(good, ns.name()));
  REQUIRE(eventually_healthy(c, ns.name(), "good"));
  // Nothing the operator did was refused: the shipped ClusterRole covers it.
  CHECK(op->output().find("forbidden") == std::string::npos);
  // Deleting the invalid resource releases it too.
  REQUIRE(c.remove(k8s::kinds::distributed_redis_cluster, ns.name(), "bad"));
  CHECK(eventually([&] { return !c.find(k8s::kinds::distributed_redis_cluster, ns.name(), "bad"); }));
}

TEST_CASE("operator: a standby replica waits for the Lease, takes over when the leader dies mid-change, and "
          "finishes the change",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-lease");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  const std::vector<std::string> elect{"--leader-elect", "--lease-namespace", ns.name(), "--lease-seconds", "4"};
  auto with_identity = [&](const std::string& id) {
    std::vector<std::string> a = elect;
    a.insert(a.end(), {"--identity", id});
    return a;
  };
  auto leader = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "a.log"), with_identity("a"));
  REQUIRE(eventually([&] {
    const auto l = c.find(k8s::kinds::lease, ns.name(), "rcplan-operator");
    return l && (*l)["spec"].value("holderIdentity", "") == "a";
  }));
  auto standby = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "b.log"), with_identity("b"));

  const std::string name = "lease";
  (void)c.create(resource_json(rcplan_test::resource(name, 3, 1), ns.name()));
  REQUIRE(eventually_healthy(c, ns.name(), name));
  auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name);
  constexpr int keys = 5000;
  rcplan_kube_test::load_keys(cc, keys);
  std::uint16_t standby_port = 0;
  REQUIRE(eventually([&] { return (standby_port = rcplan_kube_test::http_port_of(*standby)) != 0; }));
  CHECK(metric(rcplan_kube_test::http_get(standby_port, "/metrics").second, "rcplan_leader") == 0);
  CHECK(rcplan_kube_test::http_get(standby_port, "/readyz").first == 200);
  CHECK(metric(rcplan_kube_test::http_get(standby_port, "/metrics").second,
               "rcplan_reconcile_total{result=\"converged\"}") == -1);  // it has not acted

  // The leader dies while the cluster grows to 4 masters; the standby takes over and finishes.
  patch_spec(c, ns.name(), name, {{"masterSize", 4}});
  REQUIRE(eventually([&] {
    const std::string s = get_drc(c, ns.name(), name).value("status", json::object()).value("status", "");
    return s == "Scaling" || s == "Rebalancing";
  }));
  leader->signal(SIGKILL);
  CHECK(leader->wait_exit(std::chrono::seconds(10)) == -1);  // killed: no exit code
  REQUIRE(eventually([&] { return metric(rcplan_kube_test::http_get(standby_port, "/metrics").second, "rcplan_leader") == 1; },
                     std::chrono::seconds(60)));
  REQUIRE(eventually_healthy(c, ns.name(), name));
  CHECK(get_drc(c, ns.name(), name)["status"]["numberOfMaster"] == 4);
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name);
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);

  // SIGTERM releases the Lease.
  standby->signal(SIGTERM);
  CHECK(standby->wait_exit(std::chrono::seconds(60)) == 0);
  const json lease = c.get(k8s::kinds::lease, ns.name(), "rcplan-operator");
  CHECK(lease["spec"].value("holderIdentity", "") == "");
}

TEST_CASE("operator: SIGKILLed at 10 points of a scale-up and restarted, it converges with no key lost",
          "[kubernetes][live][operator]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "op-kill");
  running_agent agent(ns.name(), scratch(ns.name(), "agent"));
  const std::string name = "kill";
  (void)c.create(resource_json(rcplan_test::resource(name, 3, 1), ns.name()));
  {
    auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "first.log"));
    REQUIRE(eventually_healthy(c, ns.name(), name));
  }
  auto cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name);
  constexpr int keys = 10000;
  rcplan_kube_test::load_keys(cc, keys);

  patch_spec(c, ns.name(), name, {{"masterSize", 5}});
  std::set<std::string> seen;  // the statuses the kills interrupted
  for (int i = 0; i < 10; ++i) {
    auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "kill.log"));
    std::this_thread::sleep_for(std::chrono::milliseconds(700 + 150 * i));
    op->signal(SIGKILL);
    (void)op->wait_exit(std::chrono::seconds(10));
    seen.insert(get_drc(c, ns.name(), name).value("status", json::object()).value("status", ""));
  }
  INFO("statuses at the kills: " << json(seen).dump());
  auto op = rcplan_kube_test::start_operator(ns.name(), scratch(ns.name(), "last.log"));
  REQUIRE(eventually_healthy(c, ns.name(), name, std::chrono::seconds(240)));
  CHECK(get_drc(c, ns.name(), name)["status"]["numberOfMaster"] == 5);
  cc = rcplan_kube_test::cluster_client_of(c, ns.name(), name);
  CHECK(rcplan_kube_test::missing_keys(cc, keys) == 0);
  // No slot left open: every node's view has no migrating or importing slot.
  const std::string log = op->output();
  INFO("the last operator's log ends with:\n" << log.substr(log.size() - std::min<std::size_t>(log.size(), 6000)));
  for (const rcplan::address& a : rcplan_kube_test::pod_addresses(c, ns.name(), name)) {
    rcplan::redis::node_client n(a);
    const std::string nodes = n.command({"CLUSTER", "NODES"}).str;
    INFO(a.host << " sees:\n" << nodes);
    CHECK(nodes.find("->-") == std::string::npos);
    CHECK(nodes.find("-<-") == std::string::npos);
  }
}
