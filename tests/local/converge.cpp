// The whole loop on one machine: run_until_converged() with the local runtime as its platform
// creates the fixture's cluster from nothing and scales it, against real redis-server processes.

#include "local/local_support.hpp"

#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>
#include <rcplan/planner/summary.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <thread>
#include <string>
#include <vector>

using namespace std::chrono_literals;

namespace {

constexpr int key_total = 5000;

std::string key_name(int i) { return "key:" + std::to_string(i); }

rcplan::topology observe_all(rcplan::local::runtime& rt) {
  rcplan::redis::observe_options o;
  o.keys_per_slot = true;
  return rcplan::redis::observe(rt, o);
}

/// The master owning each slot, by its port (every node listens on 127.0.0.1).
std::map<rcplan::slot, std::uint16_t> slot_owners(const rcplan::topology& t) {
  std::map<rcplan::slot, std::uint16_t> out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t))
    if (n.is_master() && !n.failed())
      for (const rcplan::slot s : n.slots.slots()) out[s] = n.addr.port;
  return out;
}

/// Sends each key's command to the master that owns its slot, pipelined per master.
std::vector<rcplan_test::reply> per_owner(const rcplan::topology& t,
                                          const std::function<std::vector<std::string>(int)>& command) {
  const auto owners = slot_owners(t);
  std::map<std::uint16_t, std::vector<int>> by_owner;
  for (int i = 0; i < key_total; ++i) by_owner[owners.at(rcplan::key_slot(key_name(i)))].push_back(i);
  std::vector<rcplan_test::reply> out(static_cast<std::size_t>(key_total));
  for (const auto& [port, keys] : by_owner) {
    rcplan_test::resp_client c(port);
    std::vector<std::vector<std::string>> commands;
    for (const int i : keys) commands.push_back(command(i));
    std::vector<rcplan_test::reply> replies = c.pipeline(commands);
    for (std::size_t k = 0; k < keys.size(); ++k) out[static_cast<std::size_t>(keys[k])] = std::move(replies[k]);
  }
  return out;
}

void load_keys(const rcplan::topology& t) {
  const auto replies = per_owner(t, [](int i) { return std::vector<std::string>{"SET", key_name(i), std::to_string(i)}; });
  for (const auto& r : replies) REQUIRE(r.str == "OK");
}

/// Keys found at their slot's owner with their value, and keys held by all masters together.
std::pair<int, std::uint64_t> count_keys(const rcplan::topology& t) {
  const auto replies = per_owner(t, [](int i) { return std::vector<std::string>{"GET", key_name(i)}; });
  int found = 0;
  for (int i = 0; i < key_total; ++i)
    if (replies[static_cast<std::size_t>(i)].str == std::to_string(i)) ++found;
  std::uint64_t held = 0;
  for (const rcplan::node_observation& o : t.observations)
    if (o.replication && o.replication->role == rcplan::node_role::master && o.keys_per_slot)
      for (const auto& [s, n] : *o.keys_per_slot) held += n;
  return {found, held};
}

/// Every pod's own CLUSTER NODES, to tell from a failure what each node believed.
std::string cluster_nodes_of_every_pod(rcplan::local::runtime& rt) {
  rcplan::topology t;
  rt.observe(t);
  std::string out;
  for (const rcplan::pod& p : t.pods) {
    out += p.name + " (port " + std::to_string(p.port) + "):\n";
    try {
      out += rcplan_test::resp_client(p.port, 2s).call({"CLUSTER", "NODES"});
    } catch (const std::exception& e) {
      out += std::string(e.what()) + "\n";
    }
  }
  return out;
}

/// The observed cluster has the shape the spec asks for.
void check_shape(const rcplan::topology& t, int masters, int replicas) {
  INFO("masters " << masters << ", replicas " << replicas);
  CHECK(rcplan::views_agree(t));
  const std::vector<rcplan::cluster_node> nodes = rcplan::merged_nodes(t);
  rcplan::slot_set covered;
  int master_count = 0;
  for (const rcplan::cluster_node& n : nodes) {
    CHECK_FALSE(n.failed());
    if (!n.is_master()) continue;
    ++master_count;
    CHECK_FALSE(n.slots.empty());
    CHECK_FALSE(covered.intersects(n.slots));
    covered |= n.slots;
    int followers = 0;
    for (const rcplan::cluster_node& r : nodes)
      if (!r.is_master() && r.master_id == n.id) ++followers;
    CHECK(followers == replicas);
  }
  CHECK(master_count == masters);
  CHECK(covered.full());
  CHECK(static_cast<int>(nodes.size()) == masters * (replicas + 1));
  CHECK(static_cast<int>(t.pods.size()) == masters * (replicas + 1));
  CHECK(static_cast<int>(t.statefulsets.size()) == masters);
  for (const rcplan::pod& p : t.pods) CHECK(p.ready);
}

}  // namespace

TEST_CASE("local runtime: run_until_converged creates the fixture's cluster and scales it without losing a key",
          "[converge]") {
  rcplan::local::runtime_options ro;
  ro.node_timeout_ms = 2000;
  rcplan_test::local_env env("converge", ro);
  auto& rt = env.rt();

  rcplan::cluster_resource resource = rcplan_test::local_fixture();
  resource.spec.migration.step_timeout_seconds = 30;  // the executor's wait_timeout
  rcplan::redis::converge_options co;
  co.waiting_backoff = 200ms;
  std::string last_plans;
  co.on_plan = [&](std::size_t i, const rcplan::plan& p) {
    std::string line = std::to_string(i) + ": " + std::to_string(p.steps.size()) + " steps";
    if (!p.steps.empty()) line += ", first: " + p.steps.front().reason;
    for (const rcplan::diagnostic& d : p.diagnostics) line += " [" + d.code + "]";
    last_plans += line + "\n";
  };

  const auto converge = [&](int masters, int replicas) {
    resource.spec.master_size = masters;
    resource.spec.cluster_replicas = replicas;
    last_plans.clear();
    const rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, resource, co, &rt);
    INFO(last_plans);
    if (!r.converged) UNSCOPED_INFO(cluster_nodes_of_every_pod(rt));
    for (const rcplan::diagnostic& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
    REQUIRE(r.converged);
    const rcplan::topology t = observe_all(rt);
    check_shape(t, masters, replicas);
    return t;
  };

  // From nothing: the fixture's 3 masters with 1 replica each.
  rcplan::topology t = converge(3, 1);
  load_keys(t);
  t = observe_all(rt);
  CHECK(count_keys(t) == std::pair<int, std::uint64_t>{key_total, key_total});

  for (const auto& [masters, replicas] : std::vector<std::pair<int, int>>{{5, 1}, {2, 1}, {2, 2}, {2, 0}}) {
    t = converge(masters, replicas);
    INFO("after scaling to " << masters << " masters with " << replicas << " replicas each");
    CHECK(count_keys(t) == std::pair<int, std::uint64_t>{key_total, key_total});
  }

  // deleteClaim: the volumes of the removed shards went with them.
  for (int shard = 2; shard < 5; ++shard)
    CHECK_FALSE(std::filesystem::exists(env.dir() / "pods" /
                                        rcplan::pod_name(resource.metadata.name, shard, 0)));
}

namespace {

/// Masters holding slots that no replica follows, in the tables of the cluster's members (a node
/// reset on its way out lists only itself and is left out).
std::string masters_without_replica(const rcplan::topology& t) {
  std::string out;
  const rcplan::topology_summary s = rcplan::summarize(t);
  for (const rcplan::master_summary& m : s.masters)
    if (!m.node.slots.empty() && !m.node.failed() && m.replicas.empty())
      out += rcplan::short_id(m.node.id) + " (" + std::to_string(m.node.slots.count()) + " slots) ";
  return out;
}

}  // namespace

namespace {

/// A local cluster that run_until_converged() brings to a number of masters (one replica each),
/// recording every plan and, while `watching`, every observation in which a master holding
/// slots had no replica.
class scaled_cluster {
 public:
  explicit scaled_cluster(const char* tag) : env_(tag, options()) {
    resource_.spec.migration.step_timeout_seconds = 30;
    co_.waiting_backoff = 200ms;
    co_.on_plan = [this](std::size_t i, const rcplan::plan& p) {
      plans_ += std::to_string(i) + ": " + std::string(rcplan::to_string(p.status)) + ", " +
                std::to_string(p.steps.size()) + " steps" + (p.steps.empty() ? "" : ", first: " + p.steps.front().reason);
      for (const rcplan::diagnostic& d : p.diagnostics) plans_ += " [" + d.code + "]";
      plans_ += "\n";
    };
    co_.on_observed = [this](const rcplan::topology& t, const rcplan::plan&) {
      std::uint64_t held = 0;  // keys on the masters as observed: where a key went missing
      for (const rcplan::node_observation& o : t.observations)
        if (o.replication && o.replication->role == rcplan::node_role::master && o.keys_per_slot)
          for (const auto& [slot, n] : *o.keys_per_slot) held += n;
      plans_ += "(observed " + std::to_string(held) + " keys on masters) ";
      if (!watching) return;
      if (const std::string alone = masters_without_replica(t); !alone.empty()) bare += alone + "\n";
    };
  }

  rcplan::local::runtime& rt() { return env_.rt(); }

  /// One line per plan of the last converge(): status, steps, the first step's reason, codes.
  [[nodiscard]] const std::string& plans() const { return plans_; }

  rcplan::topology converge(int masters) {
    resource_.spec.master_size = masters;
    plans_.clear();
    const rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, resource_, co_, &rt());
    INFO(plans_);
    if (!r.converged) UNSCOPED_INFO(cluster_nodes_of_every_pod(rt()));
    for (const rcplan::diagnostic& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
    REQUIRE(r.converged);
    const rcplan::topology t = observe_all(rt());
    check_shape(t, masters, 1);
    return t;
  }

  bool watching = false;
  std::string bare;  ///< observations where a master holding slots stood alone

 private:
  static rcplan::local::runtime_options options() {
    rcplan::local::runtime_options ro;
    ro.node_timeout_ms = 2000;
    return ro;
  }
  rcplan_test::local_env env_;
  rcplan::cluster_resource resource_ = rcplan_test::local_fixture();
  rcplan::redis::converge_options co_;
  std::string plans_;
};

/// The masters of `shards` give every slot to the other masters, as an operator would drain
/// them by hand before a scale-down; then, as Redis does with a master that lost its last slot,
/// each turns into a replica of a master that took its slots.
void drain_by_hand(rcplan::local::runtime& rt, const std::vector<int>& shards) {
  rcplan::topology t = observe_all(rt);
  rcplan::rebalance_options ro;
  std::vector<rcplan::node_id> drained;
  for (const rcplan::pod& p : t.pods) {
    if (std::find(shards.begin(), shards.end(), p.shard_index) == shards.end()) continue;
    for (const rcplan::cluster_node& n : rcplan::merged_nodes(t))
      if (n.addr.port == p.port && n.is_master()) {
        ro.weights[n.id] = 0;
        drained.push_back(n.id);
      }
  }
  REQUIRE(drained.size() == shards.size());
  for (int round = 0; round < 40; ++round) {
    const rcplan::plan p = rcplan::plan_rebalance(t, ro);
    if (p.status == rcplan::plan_status::converged) break;
    REQUIRE(p.status != rcplan::plan_status::blocked);
    if (p.status == rcplan::plan_status::actions_planned) {
      const rcplan::redis::execute_result r = rcplan::redis::execute(p, t);
      for (const rcplan::diagnostic& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
      REQUIRE(r.complete);
    } else {
      std::this_thread::sleep_for(200ms);  // waiting: the views settle
    }
    t = observe_all(rt);
  }
  REQUIRE(rcplan::plan_rebalance(t, ro).status == rcplan::plan_status::converged);
  CHECK(rcplan_test::eventually([&] {
    const std::vector<rcplan::cluster_node> nodes = rcplan::merged_nodes(observe_all(rt));
    return std::all_of(drained.begin(), drained.end(), [&](const rcplan::node_id& id) {
      const rcplan::cluster_node* n = rcplan::find_node(nodes, id);
      return n != nullptr && !n->is_master();
    });
  }));
}

}  // namespace

TEST_CASE("local runtime: a scale-down keeps a replica beside every master holding slots",
          "[converge]") {
  scaled_cluster c("scale-down");
  rcplan::topology t = c.converge(5);
  load_keys(t);

  // 5 -> 3: the leaving shards keep their replicas until their masters are empty
  c.watching = true;
  t = c.converge(3);
  c.watching = false;
  CHECK(c.bare == "");
  CHECK(count_keys(t) == std::pair<int, std::uint64_t>{key_total, key_total});
}

TEST_CASE("local runtime: a scale-down after masters were drained by hand converges",
          "[converge]") {
  std::vector<int> drained;
  bool kept_drained = false;
  SECTION("the removed shards' masters were drained") { drained = {2, 3}; }
  SECTION("the kept shards' masters were drained: their pods all follow removed shards") {
    drained = {0, 1};
    kept_drained = true;
  }
  scaled_cluster c("drained");
  rcplan::topology t = c.converge(4);
  load_keys(t);
  drain_by_hand(c.rt(), drained);

  c.watching = true;
  t = c.converge(2);
  c.watching = false;
  INFO(c.plans());
  // a kept shard without a master got one of its pods back as an empty master
  CHECK((c.plans().find("has no master") != std::string::npos) == kept_drained);
  CHECK(c.bare == "");
  CHECK(count_keys(t) == std::pair<int, std::uint64_t>{key_total, key_total});
}
