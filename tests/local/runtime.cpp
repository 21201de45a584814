#include "local/local_support.hpp"

#include <rcplan/error.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/redis/observe.hpp>

#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using rcplan_test::eventually;
using rcplan_test::local_env;

namespace {

/// The fixture's objects; with `replicas`, only shard 0 with that many pods (smaller and faster).
rcplan::kube_objects fixture_objects() { return rcplan::desired_objects(rcplan_test::local_fixture()); }

rcplan::statefulset_description shard0(int replicas) {
  rcplan::statefulset_description s = fixture_objects().statefulsets.at(0);
  s.replicas = replicas;
  return s;
}

void create(rcplan::local::runtime& rt, const rcplan::statefulset_description& s) {
  rt.apply(rcplan::apply_configmap{fixture_objects().configmap});
  rt.apply(rcplan::apply_statefulset{s});
  REQUIRE(eventually([&] { return rt.pods_ready(s.name); }));
}

std::string config_get(rcplan_test::resp_client& c, const std::string& parameter) {
  const rcplan_test::reply r = c.command({"CONFIG", "GET", parameter});
  return r.elements.size() == 2 ? r.elements[1].str : std::string{};
}

std::string cluster_state(rcplan_test::resp_client& c) {
  const std::string info = c.call({"CLUSTER", "INFO"});
  const auto at = info.find("cluster_state:");
  return at == std::string::npos ? "" : info.substr(at + 14, info.find('\r', at) - at - 14);
}

/// Gives the lone node every slot, so it accepts writes.
void own_all_slots(std::uint16_t port, const std::string& password = {}) {
  auto c = rcplan_test::pod_client(port, password);
  c.call({"CLUSTER", "ADDSLOTSRANGE", "0", "16383"});
  REQUIRE(eventually([&] { return cluster_state(c) == "ok"; }));
}

const std::string pod0 = "drc-example-distributedrediscluster-0-0";
const std::string pod1 = "drc-example-distributedrediscluster-0-1";
const std::string pod2 = "drc-example-distributedrediscluster-0-2";

}  // namespace

TEST_CASE("local runtime: a missing redis-server is reported with how to install it") {
  rcplan::local::runtime_options o;
  o.dir = rcplan_test::make_temp_dir("missing");
  o.redis_server = "no-such-redis-server-binary";
  try {
    rcplan::local::runtime rt(o);
    FAIL("no error");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.local.redis_server");
    CHECK(std::string(e.what()).find("apt-get install -y redis-server") != std::string::npos);
  }
  std::filesystem::remove_all(o.dir);
}

TEST_CASE("local runtime: the fixture's StatefulSets run as redis-server processes, and the state persists") {
  local_env env("objects");
  auto& rt = env.rt();
  const rcplan::kube_objects objects = fixture_objects();
  rt.apply(rcplan::apply_configmap{objects.configmap});
  for (const auto& s : objects.services) rt.apply(rcplan::apply_service{s});
  for (const auto& p : objects.pdbs) rt.apply(rcplan::apply_pdb{p});
  for (const auto& s : objects.statefulsets) rt.apply(rcplan::apply_statefulset{s});
  REQUIRE(eventually([&] { return rt.pods_ready(""); }));

  const rcplan::topology t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 6);
  REQUIRE(t.statefulsets.size() == 3);
  std::set<std::uint16_t> ports;
  const std::vector<std::string> hosts = {"local-a", "local-b", "local-c"};
  const std::vector<std::string> zones = {"zone-1", "zone-2", "zone-3"};
  for (const rcplan::pod& p : t.pods) {
    INFO(p.name);
    CHECK(p.ready);
    CHECK(p.ip == "127.0.0.1");
    CHECK(p.port <= 55535);
    CHECK(p.name == rcplan::pod_name("example-distributedrediscluster", p.shard_index, p.ordinal));
    const auto slot = static_cast<std::size_t>(p.shard_index + p.ordinal) % 3;
    CHECK(p.kube_node == hosts[slot]);
    CHECK(p.zone == zones[slot]);
    CHECK(p.revision == t.statefulsets.at(static_cast<std::size_t>(p.shard_index)).update_revision);
    ports.insert(p.port);
    auto c = rcplan_test::pod_client(p.port);
    CHECK(c.call({"PING"}) == "PONG");
    CHECK(config_get(c, "cluster-node-timeout") == "3000");
  }
  CHECK(ports.size() == 6);
  CHECK(std::is_sorted(t.pods.begin(), t.pods.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
  for (const rcplan::statefulset& s : t.statefulsets) {
    const auto& want = objects.statefulsets.at(static_cast<std::size_t>(s.shard_index));
    CHECK(s.name == want.name);
    CHECK(s.replicas == 2);
    CHECK(s.ready_replicas == 2);
    CHECK(s.image == "redis:5.0.4-alpine");
    CHECK(s.config_hash == rcplan::template_config_hash(want));
    CHECK(s.password_secret.empty());
    CHECK(!s.update_revision.empty());
    CHECK(s.current_revision == s.update_revision);
  }

  // The planner's view: nothing to update, the template is the desired one.
  for (const rcplan::statefulset& s : t.statefulsets)
    CHECK_FALSE(rcplan::template_outdated(s, objects.statefulsets.at(static_cast<std::size_t>(s.shard_index))));

  // The ConfigMap's Kubernetes paths give way to the pod's own.
  const std::string conf = rcplan_test::read_text(env.dir() / "pods" / pod0 / "redis.conf");
  CHECK(conf.find("dir /data") == std::string::npos);
  CHECK(conf.find("cluster-config-file nodes.conf") != std::string::npos);
  CHECK(conf.find("appendonly yes") != std::string::npos);
  CHECK(conf.find("cluster-node-timeout 3000") != std::string::npos);

  // Seeds are the running pods.
  CHECK(rt.seeds().size() == 6);

  // Another runtime on the same directory sees the same pods.
  rcplan::local::runtime again(env.options());
  const rcplan::topology t2 = rcplan_test::observe_pods(again);
  CHECK(t2.pods == t.pods);
  CHECK(t2.statefulsets == t.statefulsets);
  CHECK(rcplan_test::read_text(env.dir() / "state.json").find("\"pods\"") != std::string::npos);
}

TEST_CASE("local runtime: a deleted pod comes back on its data with its node id") {
  local_env env("delete-pod");
  auto& rt = env.rt();
  create(rt, shard0(1));
  const std::uint16_t port = rcplan_test::find_pod(rcplan_test::observe_pods(rt), pod0)->port;
  own_all_slots(port);
  std::string id;
  {
    auto c = rcplan_test::pod_client(port);
    id = c.call({"CLUSTER", "MYID"});
    CHECK(c.call({"SET", "some-key", "some-value"}) == "OK");
  }

  rt.apply(rcplan::delete_pod{pod0});
  REQUIRE(eventually([&] { return rt.pods_ready(""); }));
  const rcplan::pod* p = nullptr;
  rcplan::topology t = rcplan_test::observe_pods(rt);
  p = rcplan_test::find_pod(t, pod0);
  REQUIRE(p != nullptr);
  CHECK(p->port == port);
  {
    auto c = rcplan_test::pod_client(p->port);
    CHECK(c.call({"CLUSTER", "MYID"}) == id);
    REQUIRE(eventually([&] { return cluster_state(c) == "ok"; }));
    CHECK(c.call({"GET", "some-key"}) == "some-value");
  }

  // With new_port_on_restart the pod's "IP" changes; the node does not.
  rcplan::local::runtime_options o = env.options();
  o.new_port_on_restart = true;
  rcplan::local::runtime moving(o);
  moving.apply(rcplan::delete_pod{pod0});
  REQUIRE(eventually([&] { return moving.pods_ready(""); }));
  t = rcplan_test::observe_pods(moving);
  p = rcplan_test::find_pod(t, pod0);
  REQUIRE(p != nullptr);
  CHECK(p->port != port);
  CHECK(p->ready);
  auto c = rcplan_test::pod_client(p->port);
  CHECK(c.call({"CLUSTER", "MYID"}) == id);
  REQUIRE(eventually([&] { return cluster_state(c) == "ok"; }));
  CHECK(c.call({"GET", "some-key"}) == "some-value");
}

TEST_CASE("local runtime: a template update restarts nothing and a deleted pod takes the new revision") {
  local_env env("revision");
  auto& rt = env.rt();
  rcplan::statefulset_description s = shard0(2);
  create(rt, s);
  const rcplan::topology before = rcplan_test::observe_pods(rt);
  const std::string old_revision = before.statefulsets.at(0).update_revision;
  const auto pid_of = [&](const std::string& pod) {
    return rcplan_test::read_text(env.dir() / "pods" / pod / "redis.pid");
  };
  const std::string pid0 = pid_of(pod0);

  s.image = "redis:7.0";
  rt.apply(rcplan::apply_statefulset{s});
  rcplan::topology t = rcplan_test::observe_pods(rt);
  const rcplan::statefulset& sts = t.statefulsets.at(0);
  CHECK(sts.image == "redis:7.0");
  CHECK(sts.update_revision != old_revision);
  CHECK(sts.current_revision == old_revision);
  CHECK(pid_of(pod0) == pid0);  // OnDelete: still the same process
  for (const rcplan::pod& p : t.pods) CHECK(p.revision == old_revision);

  rt.apply(rcplan::delete_pod{pod1});
  t = rcplan_test::observe_pods(rt);
  CHECK(rcplan_test::find_pod(t, pod1)->revision == t.statefulsets.at(0).update_revision);
  CHECK(rcplan_test::find_pod(t, pod0)->revision == old_revision);
  CHECK(t.statefulsets.at(0).current_revision == old_revision);
  rt.apply(rcplan::delete_pod{pod0});
  t = rcplan_test::observe_pods(rt);
  CHECK(t.statefulsets.at(0).current_revision == t.statefulsets.at(0).update_revision);

  // The same template again: the same revision, nothing to roll.
  rt.apply(rcplan::apply_statefulset{s});
  CHECK(rcplan_test::observe_pods(rt).statefulsets.at(0).update_revision == t.statefulsets.at(0).update_revision);
}

TEST_CASE("local runtime: scaling keeps volumes and deleting the StatefulSet then the PVCs removes the data") {
  local_env env("scale");
  auto& rt = env.rt();
  const rcplan::statefulset_description s = shard0(1);
  create(rt, s);
  rt.apply(rcplan::scale_statefulset{s.name, 3});
  REQUIRE(eventually([&] { return rt.pods_ready(s.name); }));
  rcplan::topology t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 3);
  CHECK(t.statefulsets.at(0).replicas == 3);
  CHECK(t.statefulsets.at(0).ready_replicas == 3);
  const std::uint16_t port2 = rcplan_test::find_pod(t, pod2)->port;
  const std::string id2 = rcplan_test::pod_client(port2).call({"CLUSTER", "MYID"});

  rt.apply(rcplan::scale_statefulset{s.name, 1});
  t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 1);
  CHECK(t.pods.at(0).name == pod0);
  CHECK(t.statefulsets.at(0).replicas == 1);
  CHECK(std::filesystem::exists(env.dir() / "pods" / pod2 / "nodes.conf"));  // the PVC stays
  CHECK_THROWS(rcplan_test::resp_client(port2, 1s));

  // Back up: the pod comes back from its volume as the same node.
  rt.apply(rcplan::scale_statefulset{s.name, 3});
  REQUIRE(eventually([&] { return rt.pods_ready(s.name); }));
  t = rcplan_test::observe_pods(rt);
  CHECK(rcplan_test::pod_client(rcplan_test::find_pod(t, pod2)->port).call({"CLUSTER", "MYID"}) == id2);

  // A PVC deleted while its pod runs goes with the pod.
  rt.apply(rcplan::delete_pvc{"data-" + pod2});
  CHECK(std::filesystem::exists(env.dir() / "pods" / pod2 / "nodes.conf"));
  rt.apply(rcplan::scale_statefulset{s.name, 2});
  CHECK_FALSE(std::filesystem::exists(env.dir() / "pods" / pod2));

  const std::uint16_t port0 = rcplan_test::find_pod(t, pod0)->port;
  rt.apply(rcplan::delete_statefulset{s.name});
  t = rcplan_test::observe_pods(rt);
  CHECK(t.pods.empty());
  CHECK(t.statefulsets.empty());
  CHECK_THROWS(rcplan_test::resp_client(port0, 1s));
  CHECK(std::filesystem::exists(env.dir() / "pods" / pod0 / "nodes.conf"));
  CHECK(std::filesystem::exists(env.dir() / "pods" / pod1 / "nodes.conf"));
  rt.apply(rcplan::delete_pvc{"data-" + pod0});
  rt.apply(rcplan::delete_pvc{"data-" + pod1});
  CHECK_FALSE(std::filesystem::exists(env.dir() / "pods" / pod0));
  CHECK_FALSE(std::filesystem::exists(env.dir() / "pods" / pod1));
  rt.apply(rcplan::delete_pvc{"data-" + pod1});  // already gone: nothing to do
  CHECK_THROWS_AS(rt.apply(rcplan::delete_pvc{"data-../x"}), rcplan::error);
  CHECK_THROWS_AS(rt.apply(rcplan::scale_statefulset{s.name, 1}), rcplan::error);
  CHECK_THROWS_AS(rt.apply(rcplan::meet{}), rcplan::error);
}

TEST_CASE("local runtime: a killed pod stays down for its down time, then comes back on its data") {
  local_env env("kill");
  auto& rt = env.rt();
  create(rt, shard0(2));
  rcplan::topology t = rcplan_test::observe_pods(rt);
  const std::uint16_t port = rcplan_test::find_pod(t, pod1)->port;
  const std::string id = rcplan_test::pod_client(port).call({"CLUSTER", "MYID"});

  const auto killed_at = std::chrono::steady_clock::now();
  rt.kill_pod(pod1, 2s);
  t = rcplan_test::observe_pods(rt);
  CHECK_FALSE(rcplan_test::find_pod(t, pod1)->ready);
  CHECK(t.statefulsets.at(0).ready_replicas == 1);
  CHECK_FALSE(rt.pods_ready(""));
  CHECK_THROWS(rcplan_test::resp_client(port, 1s));

  REQUIRE(eventually([&] { return rcplan_test::find_pod(rcplan_test::observe_pods(rt), pod1)->ready; }, 15s));
  CHECK(std::chrono::steady_clock::now() - killed_at >= 2s);
  t = rcplan_test::observe_pods(rt);
  CHECK(rcplan_test::find_pod(t, pod1)->port == port);  // a container restart keeps the pod's IP
  CHECK(rcplan_test::pod_client(port).call({"CLUSTER", "MYID"}) == id);

  // Without a down time it is back at the next observation.
  rt.kill_pod(pod0);
  CHECK(rcplan_test::find_pod(rcplan_test::observe_pods(rt), pod0)->ready);
  CHECK_THROWS_AS(rt.kill_pod("no-such-pod"), rcplan::error);
}

TEST_CASE("local runtime: when kill_pod returns, the pod's port refuses connections") {
  // A SIGKILLed redis-server's main thread turns zombie while its other threads, which still
  // hold the listening socket, are exiting: the kernel goes on completing connections.
  local_env env("kill-port");
  auto& rt = env.rt();
  create(rt, shard0(1));
  const std::uint16_t port = rcplan_test::find_pod(rcplan_test::observe_pods(rt), pod0)->port;
  for (int i = 0; i < 10; ++i) {
    CAPTURE(i);
    rt.kill_pod(pod0, 50ms);
    CHECK_THROWS_AS(rcplan_test::resp_client(port, 1s), rcplan::error);
    REQUIRE(eventually([&] { return rcplan_test::find_pod(rcplan_test::observe_pods(rt), pod0)->ready; }, 15s));
  }
}

TEST_CASE("local runtime: with a password Secret pods require AUTH, and the password is only in redis.conf") {
  const std::string password = "pw-Secret\"quote\\ and space-8c1f";
  rcplan::local::runtime_options o;
  o.password = rcplan::redis::secret(password);
  local_env env("password", o);
  auto& rt = env.rt();
  rcplan::statefulset_description s = shard0(2);
  s.password_secret = "redis-password";
  create(rt, s);
  rcplan::topology t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 2);
  CHECK(t.statefulsets.at(0).password_secret == "redis-password");
  for (const rcplan::pod& p : t.pods) {
    CHECK(p.ready);
    rcplan_test::resp_client c(p.port);
    const rcplan_test::reply r = c.command({"PING"});
    CHECK(r.is_error());
    CHECK(r.str.find("NOAUTH") != std::string::npos);
    CHECK(c.call({"AUTH", password}) == "OK");
    CHECK(c.call({"PING"}) == "PONG");
    CHECK(config_get(c, "masterauth") == password);
  }

  // The files the runtime and Redis write: the password is in the pods' redis.conf (0600) only,
  // quoted there, so look for a part of it that quoting leaves alone.
  const std::string verbatim = "pw-Secret";
  own_all_slots(t.pods.at(0).port, password);
  rcplan::cluster_status status;
  status.status = rcplan::status_healthy;
  rt.apply(rcplan::update_status{status});
  rt.kill_pod(pod1);
  (void)rcplan_test::observe_pods(rt);
  int conf_files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(env.dir())) {
    if (!e.is_regular_file()) continue;
    const std::string text = rcplan_test::read_text(e.path());
    if (text.find(verbatim) == std::string::npos) continue;
    INFO(e.path());
    CHECK(e.path().filename() == "redis.conf");
    struct stat st {};
    REQUIRE(::stat(e.path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    ++conf_files;
  }
  CHECK(conf_files == 2);
  CHECK(std::filesystem::exists(env.dir() / "status.json"));
  CHECK(rcplan_test::read_text(env.dir() / "status.json").find("Healthy") != std::string::npos);
  // Nor is it on the processes' command lines.
  for (const rcplan::pod& p : t.pods) {
    const std::string pid = rcplan_test::read_text(env.dir() / "pods" / p.name / "redis.pid");
    const std::string cmdline = rcplan_test::read_text("/proc/" + std::to_string(std::stol(pid)) + "/cmdline");
    CHECK(cmdline.find(password) == std::string::npos);
  }
}

TEST_CASE("local runtime: a password for an ACL user defines the user on every pod, and replicas follow as it") {
  const std::string password = "acl-pw-for-ops-51e0";
  rcplan::local::runtime_options o;
  o.password = rcplan::redis::secret(password, "ops");
  local_env env("acl", o);
  auto& rt = env.rt();
  rcplan::statefulset_description s = shard0(2);
  s.password_secret = "redis-password";
  create(rt, s);
  rcplan::topology t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 2);
  for (const rcplan::pod& p : t.pods) {
    rcplan_test::resp_client c(p.port);
    CHECK(c.call({"AUTH", "ops", password}) == "OK");
    CHECK(c.call({"ACL", "WHOAMI"}) == "ops");
    CHECK(config_get(c, "masteruser") == "ops");
    CHECK(c.command({"AUTH", "ops", "not-the-password"}).is_error());
  }
  // the second pod replicates the first, authenticating as the user: its link comes up
  const rcplan::pod& master = t.pods.at(0);
  const rcplan::pod& replica = t.pods.at(1);
  own_all_slots(master.port, password);
  rcplan_test::resp_client r(replica.port);
  REQUIRE(r.call({"AUTH", "ops", password}) == "OK");
  rcplan_test::resp_client m(master.port);
  REQUIRE(m.call({"AUTH", "ops", password}) == "OK");
  REQUIRE(r.call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(master.port)}) == "OK");
  const std::string master_id = m.call({"CLUSTER", "MYID"});
  REQUIRE(rcplan_test::eventually([&] { return !r.command({"CLUSTER", "REPLICATE", master_id}).is_error(); }));
  CHECK(rcplan_test::eventually([&] { return r.call({"INFO", "replication"}).find("master_link_status:up") != std::string::npos; },
                                std::chrono::seconds(20)));
}

TEST_CASE("local runtime: a pod that cannot start is an error of the action and a not-ready pod to observe") {
  const std::string password = "never-shown-3b9d";
  rcplan::local::runtime_options o;
  o.password = rcplan::redis::secret(password);
  local_env env("bad-conf", o);
  auto& rt = env.rt();
  rcplan::configmap_description cm = fixture_objects().configmap;
  cm.data[rcplan::redis_conf_key] += "no-such-directive yes\n";
  rt.apply(rcplan::apply_configmap{cm});
  rcplan::statefulset_description s = shard0(1);
  s.password_secret = "redis-password";
  try {
    rt.apply(rcplan::apply_statefulset{s});
    FAIL("no error");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.local.start");
    CHECK(std::string(e.what()).find("no-such-directive") != std::string::npos);
    CHECK(std::string(e.what()).find(password) == std::string::npos);
  }
  const rcplan::topology t = rcplan_test::observe_pods(rt);  // does not throw: the pod crash-loops
  REQUIRE(t.pods.size() == 1);
  CHECK_FALSE(t.pods.at(0).ready);
  CHECK(t.statefulsets.at(0).ready_replicas == 0);
  CHECK_FALSE(rt.pods_ready(""));
}

TEST_CASE("local runtime: pods wait for their ConfigMap, and a broken state file is reported") {
  local_env env("configmap-later");
  auto& rt = env.rt();
  const rcplan::statefulset_description s = shard0(1);
  rt.apply(rcplan::apply_statefulset{s});
  rcplan::topology t = rcplan_test::observe_pods(rt);
  REQUIRE(t.pods.size() == 1);
  CHECK_FALSE(t.pods.at(0).ready);  // ContainerCreating: no redis.conf yet
  rt.apply(rcplan::apply_configmap{fixture_objects().configmap});
  CHECK(rt.pods_ready(""));

  rcplan::local::runtime_options o;
  o.dir = rcplan_test::make_temp_dir("broken-state");
  {
    std::ofstream(o.dir / "state.json") << "{ not json";
  }
  try {
    rcplan::local::runtime broken(o);
    FAIL("no error");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.local.state");
  }
  std::filesystem::remove_all(o.dir);
}

TEST_CASE("local runtime: holds_cluster says whether a directory has a runtime's state") {
  const std::filesystem::path empty = rcplan_test::make_temp_dir("holds");
  CHECK_FALSE(rcplan::local::holds_cluster(empty));
  CHECK_FALSE(rcplan::local::holds_cluster(empty / "missing"));
  std::filesystem::remove_all(empty);

  local_env env("holds-state");
  create(env.rt(), shard0(1));
  CHECK(rcplan::local::holds_cluster(env.dir()));
}

TEST_CASE("local runtime: redis::observe through the runtime gives pods and Redis together, or pods alone") {
  local_env env("observe-platform");
  auto& rt = env.rt();

  // nothing runs yet: a state to plan from, not an error
  const rcplan::topology none = rcplan::redis::observe(rt);
  CHECK(none.views.empty());
  CHECK(none.pods.empty());
  CHECK(none.observed_at_ms > 0);

  create(rt, shard0(2));
  const rcplan::topology t = rcplan::redis::observe(rt);
  REQUIRE(t.pods.size() == 2);
  REQUIRE(t.statefulsets.size() == 1);
  // every pod's redis-server answered with its own view (no cluster formed yet: one node each)
  REQUIRE(t.views.size() == 2);
  std::set<std::uint16_t> observed_ports;
  for (const rcplan::node_observation& o : t.observations) {
    CHECK(o.reachable);
    observed_ports.insert(o.addr.port);
  }
  for (const rcplan::pod& p : t.pods) CHECK(observed_ports.count(p.port) == 1);
}
