// The local node agent (the stand-in for the kubelet and the scheduler) against the real API
// server and kube-controller-manager: the StatefulSet controller's pods run as real
// redis-server processes at pod IPs of their own, claims are bound to volumes the agent
// provisions, and deletions stop processes and keep or drop data as Kubernetes would.

#include "kubernetes/kube_env.hpp"
#include "kubernetes/agent_env.hpp"
#include "support/kube_builder.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/local/agent.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/redis/client.hpp>

#include <signal.h>

#include <atomic>
#include <fstream>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::eventually;
using rcplan_kube_test::running_agent;
using rcplan_kube_test::test_namespace;

namespace {

/// The reply of `command` at ip:6379, or the error's id.
std::string ask(const std::string& ip, const std::string& password, const rcplan::redis::command_args& command) {
  rcplan::redis::client_options o;
  o.password = rcplan::redis::secret{password};
  o.connect_timeout = std::chrono::milliseconds(500);
  try {
    rcplan::redis::node_client n(rcplan::address{ip, 6379, 16379, ""}, o);
    const rcplan::redis::reply r = n.command(command);
    return r.str;
  } catch (const rcplan::error& e) {
    return std::string(e.id());
  }
}

std::map<std::string, json> pods_by_name(k8s::client& c, const std::string& ns) {
  std::map<std::string, json> out;
  const json list = c.list(k8s::kinds::pod, ns);
  for (const json& p : list["items"]) out[p["metadata"]["name"].get<std::string>()] = p;
  return out;
}

bool running_and_ready(const json& p) {
  if (p.value("status", json::object()).value("phase", "") != "Running") return false;
  for (const json& cond : p["status"].value("conditions", json::array()))
    if (cond.value("type", "") == "Ready") return cond.value("status", "") == "True";
  return false;
}

}  // namespace

TEST_CASE("local node agent: pods run as redis-server processes at pod IPs of their own", "[kubernetes][live][agent]") {
  k8s::client c = admin();
  test_namespace ns(c, "agent");
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("rcplan-agent-" + ns.name());
  running_agent agent(ns.name(), dir);
  CHECK(agent.get().pod_network().rfind("127.", 0) == 0);

  rcplan::cluster_resource r = rcplan_test::resource("demo", 2, 1);
  r.spec.password_secret = rcplan::local_object_reference{"demo-password", {}};
  r.spec.storage = rcplan::storage_spec{"persistent-claim", "1Gi", "local-test", false, {}};
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "Secret"},
                 {"metadata", {{"name", "demo-password"}, {"namespace", ns.name()}}},
                 {"stringData", {{"password", "agent-secret"}}}});
  k8s::platform pf(c, {ns.name(), "demo"});
  const rcplan::kube_objects objects = rcplan::desired_objects(r);
  rcplan_kube_test::apply_all(pf, objects);

  // Created by the StatefulSet controller, bound by the agent, run, probed ready.
  REQUIRE(eventually(
      [&] {
        const auto pods = pods_by_name(c, ns.name());
        if (pods.size() != 4) return false;
        for (const auto& [name, p] : pods)
          if (!running_and_ready(p)) return false;
        return true;
      },
      std::chrono::seconds(60)));
  auto pods = pods_by_name(c, ns.name());
  std::set<std::string> ips;
  std::set<std::string> nodes_of_shard0;
  for (const auto& [name, p] : pods) {
    const std::string ip = p["status"]["podIP"].get<std::string>();
    CHECK(ip.rfind(agent.get().pod_network(), 0) == 0);
    ips.insert(ip);
    // The Secret's password is required: a real process behind every pod IP.
    CHECK(ask(ip, "agent-secret", {"PING"}) == "PONG");
    CHECK(ask(ip, "", {"PING"}).find("NOAUTH") != std::string::npos);
    CHECK(p["status"]["containerStatuses"][0]["restartCount"] == 0);
    if (name.rfind(objects.statefulsets[0].name + "-", 0) == 0) nodes_of_shard0.insert(p["spec"]["nodeName"]);
  }
  CHECK(ips.size() == 4);
  CHECK(nodes_of_shard0.size() == 2);  // one shard's pods spread over nodes
  const json claims = c.list(k8s::kinds::pvc, ns.name());
  for (const json& claim : claims["items"]) {
    CHECK(claim["status"]["phase"] == "Bound");
    CHECK(claim["spec"]["storageClassName"] == "local-test");
  }
  const json node = c.get(k8s::kinds::node, "", "local-a");
  CHECK(node["metadata"]["labels"]["topology.kubernetes.io/zone"] == "zone-1");

  // A deleted pod: its process stops, the StatefulSet controller recreates it, and the agent
  // starts it on a new IP with the data of its claim (the same Redis node id).
  const std::string victim = objects.statefulsets[0].name + "-0";
  const std::string old_ip = pods[victim]["status"]["podIP"].get<std::string>();
  const std::string old_uid = pods[victim]["metadata"]["uid"].get<std::string>();
  const std::string node_id = ask(old_ip, "agent-secret", {"CLUSTER", "MYID"});
  REQUIRE(node_id.size() == 40);
  REQUIRE(c.remove(k8s::kinds::pod, ns.name(), victim));
  REQUIRE(eventually(
      [&] {
        const auto now = pods_by_name(c, ns.name());
        const auto it = now.find(victim);
        return it != now.end() && it->second["metadata"]["uid"] != old_uid && running_and_ready(it->second);
      },
      std::chrono::seconds(60)));
  const std::string new_ip = pods_by_name(c, ns.name())[victim]["status"]["podIP"].get<std::string>();
  CHECK(new_ip != old_ip);
  CHECK(ask(new_ip, "agent-secret", {"CLUSTER", "MYID"}) == node_id);
  CHECK(ask(old_ip, "agent-secret", {"PING"}) == "rcplan.redis.connect");

  // A process that dies is started again in the same pod: same IP, one restart counted.
  {
    const json p = pods_by_name(c, ns.name())[victim];
    const std::string uid = p["metadata"]["uid"].get<std::string>();
    std::ifstream pid_file(dir / "pods" / uid / "redis.pid");
    int pid = 0;
    pid_file >> pid;
    REQUIRE(pid > 0);
    REQUIRE(::kill(pid, SIGKILL) == 0);
    CHECK(eventually(
        [&] {
          const json now = pods_by_name(c, ns.name())[victim];
          return now["status"]["containerStatuses"][0]["restartCount"] == 1 && running_and_ready(now);
        },
        std::chrono::seconds(60)));
    CHECK(pods_by_name(c, ns.name())[victim]["status"]["podIP"] == new_ip);
    CHECK(ask(new_ip, "agent-secret", {"CLUSTER", "MYID"}) == node_id);
  }

  // A StatefulSet deleted: its pods go and their processes stop; claims stay (Retain).
  const std::string shard1 = objects.statefulsets[1].name;
  std::vector<std::string> shard1_ips;
  for (const auto& [name, p] : pods_by_name(c, ns.name()))
    if (name.rfind(shard1 + "-", 0) == 0) shard1_ips.push_back(p["status"]["podIP"].get<std::string>());
  REQUIRE(shard1_ips.size() == 2);
  k8s::delete_options background;
  background.propagation_policy = "Background";
  REQUIRE(c.remove(k8s::kinds::statefulset, ns.name(), shard1, background));
  REQUIRE(eventually(
      [&] {
        for (const std::string& ip : shard1_ips)
          if (ask(ip, "agent-secret", {"PING"}) != "rcplan.redis.connect") return false;
        return true;
      },
      std::chrono::seconds(60)));
  CHECK(c.find(k8s::kinds::pvc, ns.name(), "data-" + shard1 + "-0").has_value());

  // A claim deleted: the agent removes its volume and the data with it.
  const json claim = c.get(k8s::kinds::pvc, ns.name(), "data-" + shard1 + "-0");
  const std::string volume = claim["spec"]["volumeName"].get<std::string>();
  REQUIRE(c.remove(k8s::kinds::pvc, ns.name(), "data-" + shard1 + "-0"));
  CHECK(eventually([&] { return !c.find(k8s::kinds::persistent_volume, "", volume).has_value(); },
                   std::chrono::seconds(60)));
  CHECK_FALSE(std::filesystem::exists(dir / "volumes" / claim["metadata"]["uid"].get<std::string>()));
}
