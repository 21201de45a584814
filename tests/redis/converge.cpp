// run_until_converged() against a real cluster: an invalid spec is refused before anything is
// touched, a cluster whose spec asks for more masters is rebalanced onto them until the plan is
// empty, and the spec's migration settings reach the executor. The platform here adopts processes that already run (it creates nothing): the
// local runtime's tests run the loop with a platform that starts processes.

#include <rcplan/error.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/redis/converge.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;

/// Presents node i of a live cluster as the only pod of shard i, with StatefulSets exactly as
/// the spec wants them, so that reconcile() finds nothing to do at the Kubernetes level.
class adopted_platform final : public rcplan::redis::platform {
 public:
  adopted_platform(const live_cluster& c, const rcplan::cluster_resource& r) : c_(c), r_(r) {}

  void apply(const rcplan::action& a) override { applied.push_back(a); }
  void observe(rcplan::topology& t) override {
    t.statefulsets.clear();
    t.pods.clear();
    for (const rcplan::statefulset_description& d : rcplan::desired_objects(r_).statefulsets) {
      rcplan::statefulset s;
      s.name = d.name;
      s.shard_index = d.shard_index;
      s.replicas = s.ready_replicas = d.replicas;
      s.current_revision = s.update_revision = d.name + "-1";
      s.image = d.image;
      s.config_hash = rcplan::template_config_hash(d);
      s.password_secret = d.password_secret;
      t.statefulsets.push_back(s);
      rcplan::pod p;
      p.name = rcplan::pod_name(r_.metadata.name, d.shard_index, 0);
      p.shard_index = d.shard_index;
      p.kube_node = "host-" + std::to_string(d.shard_index);
      p.ip = "127.0.0.1";
      p.port = c_.port(d.shard_index);
      p.ready = true;
      p.revision = s.update_revision;
      t.pods.push_back(p);
    }
  }
  std::vector<rcplan::address> seeds() override { return c_.seeds(); }
  bool pods_ready(const std::string&) override { return true; }

  std::vector<rcplan::action> applied;

 private:
  const live_cluster& c_;
  const rcplan::cluster_resource& r_;
};

rcplan::cluster_resource resource(int masters, int replicas) {
  rcplan::cluster_resource r;
  r.metadata.name = "demo";
  r.spec.master_size = masters;
  r.spec.cluster_replicas = replicas;
  return r;
}

}  // namespace

TEST_CASE("run_until_converged: an invalid spec throws before any node is contacted", "[redis][converge]") {
  const rcplan::cluster_resource bad = resource(0, 1);
  const std::uint16_t nobody = rcplan_test::free_port();
  try {
    (void)rcplan::redis::run_until_converged({{"127.0.0.1", nobody, 0, {}}}, bad);
    FAIL("no exception");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.redis.invalid_spec");
    CHECK(std::string{e.what()}.find("spec.masterSize") != std::string::npos);
  }
}

TEST_CASE("run_until_converged: a spec with two more masters spreads the slots onto them and stops converged", "[redis][converge]") {
  live_cluster c(3, 0, 2);
  constexpr std::size_t keys = 8000;
  c.load(0, keys);
  const rcplan::cluster_resource want = resource(5, 0);
  adopted_platform platform(c, want);
  rcplan::redis::converge_options o;
  o.reconcile.node_timeout_ms = 2000;
  o.waiting_backoff = std::chrono::milliseconds(100);
  o.max_iterations = 60;
  std::vector<rcplan::plan_status> seen;
  o.on_plan = [&](std::size_t, const rcplan::plan& p) { seen.push_back(p.status); };

  const rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, want, o, &platform);
  INFO("last plan: " << rcplan::to_string(r.last_plan.status) << " after " << r.iterations << " iterations");
  for (const auto& d : r.last_plan.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(r.converged);
  CHECK(r.last_plan.steps.empty());
  CHECK(platform.applied.empty());
  CHECK(seen.size() == r.iterations);
  CHECK(r.iterations > 1);  // one wave per iteration, then the converged plan

  rcplan::redis::observe_options oo;
  oo.keys_per_slot = true;
  const rcplan::topology t = rcplan::redis::observe(c.seeds(), oo);
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t)) {
    CHECK(n.slots.count() >= rcplan::slot_count / 5);
    CHECK(n.slots.count() <= rcplan::slot_count / 5 + 1);
  }
  CHECK(rcplan_redis_test::open_slots(t) == 0);
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());

  // run again on the converged cluster: nothing to do, at once
  const rcplan::redis::converge_result again = rcplan::redis::run_until_converged({}, want, o, &platform);
  CHECK(again.converged);
  CHECK(again.iterations == 1);
}

namespace {

/// MIGRATE calls served by node `i` since its statistics were last reset.
long long migrate_calls(const live_cluster& c, int i) {
  const std::string info = c.client(i).call({"INFO", "commandstats"});
  const std::string field = "cmdstat_migrate:calls=";
  const std::size_t at = info.find(field);
  return at == std::string::npos ? 0 : std::stoll(info.substr(at + field.size()));
}

}  // namespace

TEST_CASE("run_until_converged: spec.migration.keyBatchSize sets the keys per MIGRATE", "[redis][converge]") {
  live_cluster c(2, 0, 1);
  // 20 keys under each of 150 hash tags: whole slots of keys, so that the batch size shows
  const auto owners = c.owners();
  std::map<int, std::vector<std::vector<std::string>>> sets;  // owner -> SET commands
  std::map<rcplan::slot, std::size_t> keys_in;                // slot -> keys written
  for (int tag = 0; tag < 150; ++tag)
    for (int k = 0; k < 20; ++k) {
      const std::string key = "{tag" + std::to_string(tag) + "}:" + std::to_string(k);
      const rcplan::slot s = rcplan::key_slot(key);
      ++keys_in[s];
      sets[owners[s]].push_back({"SET", key, "v"});
    }
  for (const auto& [node, cmds] : sets)
    for (const rcplan_test::reply& r : c.client(node).pipeline(cmds)) REQUIRE_FALSE(r.is_error());
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "RESETSTAT"});

  rcplan::cluster_resource want = resource(3, 0);
  constexpr std::size_t batch = 7;
  want.spec.migration.key_batch_size = static_cast<std::int32_t>(batch);
  adopted_platform platform(c, want);
  rcplan::redis::converge_options o;
  o.reconcile.node_timeout_ms = 2000;
  o.waiting_backoff = std::chrono::milliseconds(100);
  o.max_iterations = 60;
  const rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, want, o, &platform);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.converged);

  // every moved slot of n keys took at least ceil(n / 7) MIGRATEs (one each with the default)
  const auto after = c.owners();
  std::size_t needed = 0;
  std::size_t moved = 0;
  for (const auto& [s, n] : keys_in) {
    if (after[s] == owners[s]) continue;
    ++moved;
    needed += (n + batch - 1) / batch;
  }
  long long calls = 0;
  for (int i = 0; i < c.size(); ++i) calls += migrate_calls(c, i);
  INFO(moved << " slots with keys moved; " << calls << " MIGRATE calls, at least " << needed << " needed");
  CHECK(moved > 10);
  CHECK(calls >= static_cast<long long>(needed));
  CHECK(c.master_keys() == 3000);
}

TEST_CASE("migration settings: the spec, lowering and the executor start from the same defaults", "[converge]") {
  const rcplan::migration_settings spec;
  const rcplan::lower_context lowering;
  const rcplan::redis::execute_options executor;
  CHECK(spec.key_batch_size == 1000);
  CHECK(lowering.key_batch == static_cast<std::size_t>(spec.key_batch_size));
  CHECK(executor.key_batch == static_cast<std::size_t>(spec.key_batch_size));
  CHECK(lowering.migrate_timeout_ms == static_cast<std::uint32_t>(spec.migrate_timeout_ms));
  CHECK(executor.migrate_timeout_ms == static_cast<std::uint32_t>(spec.migrate_timeout_ms));
  CHECK(executor.wait_timeout == std::chrono::seconds(spec.step_timeout_seconds));
  // the pace is left to the spec (or the default) unless a caller sets it
  CHECK_FALSE(executor.latency_budget.has_value());
  CHECK_FALSE(executor.max_keys_per_second.has_value());
  CHECK(rcplan::redis::default_latency_budget.count() == static_cast<long long>(spec.latency_budget_ms * 1000.0));
  CHECK(spec.max_keys_per_second == 0);
}

TEST_CASE("run_until_converged: spec.migration.latencyBudgetMs paces the executor unless the caller sets a budget",
          "[redis][converge]") {
  struct variant {
    double spec_ms;
    std::optional<std::chrono::microseconds> caller;
    const char* budget_text;  ///< what the pace events must name
  };
  const variant v = GENERATE(variant{0.5, std::nullopt, "budget 0.50 ms"},
                             variant{0.5, std::chrono::microseconds(3000), "budget 3.00 ms"},
                             variant{0.0, std::nullopt, nullptr});
  INFO("spec " << v.spec_ms << " ms");
  live_cluster c(2, 0, 1);
  c.load(0, 3000);
  rcplan::cluster_resource want = resource(3, 0);
  want.spec.migration.latency_budget_ms = v.spec_ms;
  adopted_platform platform(c, want);
  rcplan::redis::converge_options o;
  o.reconcile.node_timeout_ms = 2000;
  o.waiting_backoff = std::chrono::milliseconds(100);
  o.max_iterations = 60;
  o.execute.latency_budget = v.caller;
  std::mutex m;
  std::vector<std::string> paces;
  o.execute.progress = [&](const rcplan::redis::progress_event& e) {
    const std::lock_guard lock(m);
    if (e.what == rcplan::redis::progress_event::kind::pace) paces.push_back(e.message);
  };
  const rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, want, o, &platform);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.converged);
  CHECK(c.master_keys() == 3000);
  if (v.budget_text == nullptr) {
    CHECK(paces.empty());
  } else {
    REQUIRE_FALSE(paces.empty());
    for (const std::string& p : paces) CHECK_THAT(p, Catch::Contains(v.budget_text));
  }
}

TEST_CASE("observation_for: what reconcile compares is observed, on top of the caller's options", "[converge]") {
  rcplan::cluster_resource desired = resource(3, 1);
  desired.spec.config["maxmemory-policy"] = "allkeys-lru";
  rcplan::redis::observe_options base;
  base.password = rcplan::redis::secret("s3cret");
  base.connect_timeout = std::chrono::milliseconds{123};
  base.config_parameters = {"maxmemory-policy", "lfu-log-factor"};
  const rcplan::redis::observe_options o = rcplan::redis::observation_for(desired, base);
  CHECK(o.keys_per_slot);
  CHECK(o.password.reveal() == "s3cret");
  CHECK(o.connect_timeout == std::chrono::milliseconds{123});
  // every effective setting exactly once, the caller's own extra ones kept
  for (const auto& [key, value] : rcplan::effective_config(desired.spec))
    CHECK(std::count(o.config_parameters.begin(), o.config_parameters.end(), key) == 1);
  CHECK(std::count(o.config_parameters.begin(), o.config_parameters.end(), "lfu-log-factor") == 1);
  CHECK(std::count(o.config_parameters.begin(), o.config_parameters.end(), "maxmemory-policy") == 1);
  CHECK(o.config_parameters.size() == rcplan::effective_config(desired.spec).size() + 1);
}
