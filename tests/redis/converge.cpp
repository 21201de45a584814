// run_until_converged() against a real cluster: an invalid spec is refused before anything is
// touched, and a cluster whose spec asks for more masters is rebalanced onto them until the
// plan is empty. The platform here adopts processes that already run (it creates nothing): the
// local runtime's tests run the loop with a platform that starts processes.

#include <rcplan/error.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/redis/converge.hpp>

#include "redis/live_cluster.hpp"
#include "redis/src/iteration.hpp"

#include <catch2/catch.hpp>

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

TEST_CASE("converge: an iteration runs the first wave and the waits right after it", "[redis][converge]") {
  using rcplan::step;
  const rcplan::action fo = rcplan::failover{rcplan::node_id{std::string(40, 'a')}, {}};
  const rcplan::action wait = rcplan::wait_until{rcplan::wait_condition::failover_done, "x", 0};
  const rcplan::action met = rcplan::meet{};
  rcplan::plan p;
  CHECK(rcplan::redis::detail::first_wave_and_its_waits(p) == 1);
  p.steps = {step{0, "", fo}, step{1, "", wait}};
  CHECK(rcplan::redis::detail::first_wave_and_its_waits(p) == 2);
  p.steps = {step{0, "", fo}, step{1, "", wait}, step{2, "", wait}, step{3, "", met}, step{4, "", wait}};
  CHECK(rcplan::redis::detail::first_wave_and_its_waits(p) == 3);
  p.steps = {step{0, "", fo}, step{1, "", wait}, step{1, "", met}};
  CHECK(rcplan::redis::detail::first_wave_and_its_waits(p) == 1);
}
