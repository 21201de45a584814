// Crashes in the middle of a rebalance: the executor SIGKILLed at 20 points (half of them
// with fan-in waves; RCPLAN_TEST_KILL_POINTS sets another number, as the sanitizer builds do,
// whose executor runs several times slower), and a master
// SIGKILLed while its slots move. Each time, observing again and re-planning must finish the
// job: balanced masters, no open slot, no key lost. The test never waits for the dead
// executor's commands to drain: execute() does.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

/// Observe, plan, execute until the plan is converged; fails the test on a blocked plan.
void finish(const live_cluster& c, const rcplan::rebalance_options& ro) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  std::string last;
  while (std::chrono::steady_clock::now() < deadline) {
    const rcplan::topology t = observe_all(c);
    const rcplan::plan p = rcplan::plan_rebalance(t, ro);
    last = "plan " + std::string{rcplan::to_string(p.status)} + " with " + std::to_string(p.steps.size()) + " steps";
    for (const auto& d : p.diagnostics) last += "\n  plan: " + d.code + " [" + d.subject + "] " + d.message;
    for (const auto& d : rcplan::view_disagreements(t))
      last += "\n  disagreement: " + short_id(d.observer) + " about " + short_id(d.subject) + " kind " +
              std::to_string(static_cast<int>(d.what));
    if (p.status == rcplan::plan_status::converged) return;
    if (p.status == rcplan::plan_status::blocked) break;
    if (p.status == rcplan::plan_status::waiting) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    const rcplan::redis::execute_result r = rcplan::redis::execute(p, t);
    for (const auto& d : r.diagnostics) last += "\n  execute: " + d.code + " [" + d.subject + "] " + d.message;
  }
  for (int i = 0; i < c.size(); ++i)
    if (c.running(i)) last += "\nnode " + std::to_string(i) + ":\n" + c.client(i).call({"CLUSTER", "NODES"});
  FAIL("the rebalance did not converge; last: " << last);
}

/// How many kill points: 20, or RCPLAN_TEST_KILL_POINTS (4 to 20).
int kill_points() {
  const char* v = std::getenv("RCPLAN_TEST_KILL_POINTS");
  if (v == nullptr) return 20;
  const int n = std::atoi(v);
  if (n < 4 || n > 20) throw std::runtime_error("RCPLAN_TEST_KILL_POINTS must be 4 to 20");
  return n;
}

/// The masters in `drained` hold nothing; every other live master holds an even share, within
/// one slot. No slot is open or uncovered.
void check_shares(const rcplan::topology& t, const std::vector<std::string>& drained) {
  const auto nodes = rcplan::merged_nodes(t);
  std::size_t holders = 0;
  for (const auto& n : nodes)
    if (n.is_master() && !n.failed() && std::find(drained.begin(), drained.end(), n.id.value) == drained.end()) ++holders;
  REQUIRE(holders > 0);
  for (const auto& n : nodes) {
    if (!n.is_master() || n.failed()) continue;
    INFO("master " << n.id.value << " holds " << n.slots.count());
    if (std::find(drained.begin(), drained.end(), n.id.value) != drained.end()) {
      CHECK(n.slots.empty());
      continue;
    }
    CHECK(n.slots.count() >= rcplan::slot_count / holders);
    CHECK(n.slots.count() <= rcplan::slot_count / holders + 1);
  }
  CHECK(rcplan::uncovered_slots(nodes).empty());
  CHECK(rcplan_redis_test::open_slots(t) == 0);
}

}  // namespace

TEST_CASE("kill: the executor SIGKILLed at points spread over rebalances and re-planning finishes each without losing a key",
          "[redis][kill]") {
  const int points = kill_points();
  live_cluster c(3, 0, 2);
  // a master that gives away its last slot would otherwise turn into a replica of the receiver
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "cluster-allow-replica-migration", "no"});
  constexpr std::size_t keys = 20000;
  c.load(0, keys);
  rcplan::rebalance_options spread;  // five masters
  spread.use_empty_masters = true;
  // every remainder of a cut run is finished, however small: the shares are checked exactly
  spread.threshold_percent = 0;
  rcplan::rebalance_options drain = spread;  // back to the first three
  drain.weights[rcplan::node_id{c.id(3)}] = 0;
  drain.weights[rcplan::node_id{c.id(4)}] = 0;
  // every other pair of points with fan-in: a receiver imports from (a donor gives to) several
  // masters at once, so a kill can leave slots open between one node and several others
  rcplan::rebalance_options spread_fan = spread;
  rcplan::rebalance_options drain_fan = drain;
  spread_fan.max_migrations_per_node = drain_fan.max_migrations_per_node = 3;

  // one uncut run measures how long a rebalance takes, to spread the kills over it
  auto start = std::chrono::steady_clock::now();
  {
    const rcplan::topology t = observe_all(c);
    REQUIRE(rcplan::redis::execute(rcplan::plan_rebalance(t, spread), t).complete);
  }
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  finish(c, spread);

  std::mt19937 rng(20240611);
  int killed_mid_run = 0;
  for (int point = 0; point < points; ++point) {
    const bool to_three = point % 2 == 0;
    const bool fan = (point / 2) % 2 == 1;
    const rcplan::rebalance_options& ro = to_three ? (fan ? drain_fan : drain) : (fan ? spread_fan : spread);
    const rcplan::topology t = observe_all(c);
    const rcplan::plan p = rcplan::plan_rebalance(t, ro);
    INFO("point " << point << (fan ? " (fan-in)" : "") << ": plan " << rcplan::to_string(p.status) << ", " << p.steps.size() << " steps, "
                  << p.summary.slots_moved << " slots");
    REQUIRE(p.status == rcplan::plan_status::actions_planned);
    // kill points spread evenly over the run, each at a random spot of its share
    const double at = (point + std::uniform_real_distribution<double>(0.0, 1.0)(rng)) / points;
    const auto delay = std::chrono::microseconds(static_cast<long long>(at * static_cast<double>(full.count())));
    INFO("kill point " << point << " after " << delay.count() << " us of about " << full.count());

    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      const rcplan::redis::execute_result r = rcplan::redis::execute(p, t);
      ::_exit(r.complete ? 0 : 1);
    }
    // A run that ends before its kill point shows rebalances have become faster than the uncut
    // one (a machine less loaded now): later points are spread over what this one took.
    const auto forked = std::chrono::steady_clock::now();
    int status = 0;
    bool ended = false;
    while (std::chrono::steady_clock::now() - forked < delay)
      if (::waitpid(child, &status, WNOHANG) == child) {
        ended = true;
        full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - forked);
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    if (!ended) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
    }
    if (WIFSIGNALED(status)) ++killed_mid_run;
    // The servers may still run what the dead executor had sent (a pipeline of MIGRATE or
    // SETSLOT). Nothing here waits for that: execute() refuses a plan made while they ran
    // (rcplan.redis.stale_plan) and finish() observes again.
    finish(c, ro);
    const rcplan::topology after = observe_all(c);
    check_shares(after, to_three ? std::vector<std::string>{c.id(3), c.id(4)} : std::vector<std::string>{});
    CHECK(c.master_keys() == static_cast<long long>(keys));
    const std::vector<std::string> lost = c.missing(0, keys);
    if (!lost.empty()) {
      const rcplan::slot s = rcplan::key_slot(lost.front());
      std::string where = std::to_string(lost.size()) + " keys not found at their owner, e.g. " + lost.front() +
                          " of slot " + std::to_string(s) + " owned by node " + std::to_string(c.owners()[s]) + "; keys of the slot:";
      for (int i = 0; i < c.size(); ++i)
        where += " node " + std::to_string(i) + "=" + c.client(i).call({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)});
      FAIL_CHECK(where);
    }
  }
  // the kills did land inside the runs (points are spread over the time the uncut run took;
  // a loaded machine makes later runs faster or slower, so only most of them are required)
  CHECK(killed_mid_run >= points / 2);
}

TEST_CASE("kill: a master SIGKILLed while its slots move and after its replica takes over re-planning finishes", "[redis][kill]") {
  live_cluster c(3, 1, 2);  // masters 0-2, empty masters 3-4, replicas 5-7 of masters 0-2
  constexpr std::size_t keys = 20000;
  c.load(0, keys);
  c.wait_replicated();
  REQUIRE(rcplan_test::eventually([&] { return rcplan::views_agree(observe_all(c)); }));
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  const rcplan::topology t = observe_all(c);
  const rcplan::plan p = rcplan::plan_rebalance(t, ro);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);

  const rcplan::node_id victim{c.id(0)};
  std::atomic<bool> killed{false};
  rcplan::redis::execute_options eo;
  eo.max_retries = 3;
  // killed between two chunks of its own migration, from inside the executor's progress report
  eo.progress = [&](const rcplan::redis::progress_event& e) {
    using k = rcplan::redis::progress_event::kind;
    if (e.what != k::slots_done || killed) return;
    const auto* m = std::get_if<rcplan::migrate_slots>(&p.steps.at(e.step).action);
    if (m == nullptr || m->source != victim || e.done == 0 || e.done >= e.total) return;
    c.node(0).kill_now();
    killed = true;
  };
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, t, eo);
  REQUIRE(killed);
  CHECK_FALSE(r.complete);
  CHECK(std::any_of(r.diagnostics.begin(), r.diagnostics.end(),
                    [](const rcplan::diagnostic& d) { return d.code == "rcplan.redis.slots_left_open"; }));

  // Redis promotes the replica of the dead master
  REQUIRE(rcplan_test::eventually(
      [&] { return c.client(5).call({"INFO", "replication"}).find("role:master") != std::string::npos; },
      std::chrono::seconds(30)));
  // and everyone has heard of it: until then the dead master still looks like the owner of its
  // slots, with no replica left, and plan_rebalance calls that blocked
  const bool settled = rcplan_test::eventually([&] { return rcplan::views_agree(observe_all(c)); }, std::chrono::seconds(30));
  if (!settled) {
    std::string dump;
    const rcplan::topology now = observe_all(c);
    for (const auto& d : rcplan::view_disagreements(now))
      dump += short_id(d.observer) + " about " + short_id(d.subject) + " kind " + std::to_string(static_cast<int>(d.what)) + "\n";
    for (int i = 0; i < c.size(); ++i)
      if (c.running(i)) dump += "node " + std::to_string(i) + ":\n" + c.client(i).call({"CLUSTER", "NODES"});
    FAIL(dump);
  }
  finish(c, ro);
  const rcplan::topology after = observe_all(c);
  check_shares(after, {});
  CHECK(c.master_keys() >= static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
}
