// execute() against real clusters: a rebalance onto empty masters, one master importing from
// several donors at once, BUSYKEY with equal and
// different values, the repair of every open-slot state a killed migration leaves, and a
// rebalance with a password that never shows up in what the executor reports.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "support/hash_tags.hpp"
#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

using rcplan_redis_test::key_name;
using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;
using rcplan_redis_test::value_of;

/// Every master within one slot of an even share.
void check_balanced(const rcplan::topology& t, std::size_t masters) {
  const std::size_t low = rcplan::slot_count / masters;
  std::size_t seen = 0;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t)) {
    if (!n.is_master() || n.failed()) continue;
    INFO("master " << n.id.value << " holds " << n.slots.count());
    CHECK(n.slots.count() >= low);
    CHECK(n.slots.count() <= low + 1);
    ++seen;
  }
  CHECK(seen == masters);
  CHECK(rcplan::uncovered_slots(rcplan::merged_nodes(t)).empty());
  CHECK(rcplan_redis_test::open_slots(t) == 0);
}

rcplan::plan plan_of(const rcplan::repair_result& r) {
  rcplan::plan p;
  p.steps = r.steps;
  p.diagnostics = r.diagnostics;
  p.status = r.blocked ? rcplan::plan_status::blocked : rcplan::plan_status::actions_planned;
  return p;
}

/// A key of `s` not yet in use, with a hash tag that puts it there.
std::string key_in(rcplan::slot s, const std::string& name) { return rcplan_test::tag_for(s) + name; }

struct recorder {
  std::mutex m;
  std::vector<rcplan::redis::progress_event> events;
  rcplan::redis::progress_callback callback() {
    return [this](const rcplan::redis::progress_event& e) {
      const std::lock_guard lock(m);
      events.push_back(e);
    };
  }
};

}  // namespace

TEST_CASE("execute: a rebalance of 20k keys onto two empty masters leaves 5 balanced masters and every key", "[redis][execute]") {
  live_cluster c(3, 0, 2);
  constexpr std::size_t keys = 20000;
  c.load(0, keys);
  const rcplan::topology before = observe_all(c);
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  const rcplan::plan p = rcplan::plan_rebalance(before, ro);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);

  recorder rec;
  rcplan::redis::execute_options eo;
  eo.progress = rec.callback();
  const auto start = std::chrono::steady_clock::now();
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, before, eo);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  INFO("rebalance took " << ms << " ms");
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(r.complete);
  CHECK(r.steps_done == p.steps.size());
  CHECK(r.waves_done == p.wave_count());
  CHECK(r.slots_moved == p.summary.slots_moved);
  CHECK(r.keys_moved > keys / 3);
  CHECK(r.commands_sent > 0);
  CHECK(r.diagnostics.empty());

  const rcplan::topology after = observe_all(c);
  check_balanced(after, 5);
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());

  // progress: each migration reported its slots up to its total, and every step started and ended
  std::map<std::size_t, std::size_t> last_done, started, done;
  for (const auto& e : rec.events) {
    using k = rcplan::redis::progress_event::kind;
    if (e.what == k::slots_done) {
      CHECK(e.done <= e.total);
      last_done[e.step] = e.done;
    }
    if (e.what == k::step_started) ++started[e.step];
    if (e.what == k::step_done) ++done[e.step];
  }
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    CHECK(started[i] == 1);
    CHECK(done[i] == 1);
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&p.steps[i].action)) CHECK(last_done[i] == m->slots.count());
  }
  // once gossip settled, a second plan has nothing to do
  CHECK(rcplan_test::eventually([&] { return rcplan::plan_rebalance(observe_all(c), ro).status == rcplan::plan_status::converged; }));
}

TEST_CASE("execute: fan-in, a new master importing from four donors in one wave, keeps every key", "[redis][execute]") {
  live_cluster c(4, 0, 1);
  constexpr std::size_t keys = 20000;
  c.load(0, keys);
  const rcplan::topology before = observe_all(c);
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  ro.max_migrations_per_node = 0;
  const rcplan::plan p = rcplan::plan_rebalance(before, ro);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);
  REQUIRE(p.wave_count() == 1);
  std::set<std::string> sources;
  for (const auto& s : p.steps) {
    const auto& m = std::get<rcplan::migrate_slots>(s.action);
    CHECK(m.target.value == c.id(4));
    sources.insert(m.source.value);
  }
  CHECK(sources.size() == 4);

  rcplan::redis::execute_options eo;
  eo.parallel = 4;
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, before, eo);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(r.complete);
  CHECK(r.slots_moved == p.summary.slots_moved);
  CHECK(r.diagnostics.empty());
  check_balanced(observe_all(c), 5);
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
  CHECK(rcplan_test::eventually([&] { return rcplan::plan_rebalance(observe_all(c), ro).status == rcplan::plan_status::converged; }));
}

TEST_CASE("execute: BUSYKEY with an equal value on the target is replaced and a different value stops the slot", "[redis][execute]") {
  live_cluster c(2, 0);
  constexpr std::size_t keys = 2000;
  c.load(0, keys);
  const rcplan::slot s = 100;  // owned by node 0
  const std::string same = key_in(s, "same"), other = key_in(s, "other"), plain = key_in(s, "plain");
  auto src = c.client(0);
  for (const std::string& k : {same, other, plain}) REQUIRE(src.call({"SET", k, "source-value:" + k}) == "OK");
  // an earlier run cut short: the target imports the slot and already holds copies
  REQUIRE(c.client(1).call({"CLUSTER", "SETSLOT", std::to_string(s), "IMPORTING", c.id(0)}) == "OK");
  REQUIRE(src.call({"MIGRATE", "127.0.0.1", std::to_string(c.port(1)), "", "0", "5000", "COPY", "KEYS", same, other}) == "OK");
  const rcplan::node_id source{c.id(0)}, target{c.id(1)};
  rcplan::plan p;
  p.status = rcplan::plan_status::actions_planned;
  rcplan::slot_set one;
  one.insert(s);
  p.steps.push_back({0, "move a slot", rcplan::migrate_slots{source, target, one}});

  SECTION("equal values: REPLACE, and the slot moves") {
    const rcplan::redis::execute_result r = rcplan::redis::execute(p, observe_all(c));
    for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
    CHECK(r.complete);
    CHECK(c.owners()[s] == 1);
    auto t = c.client(1);
    for (const std::string& k : {same, other, plain}) CHECK(t.call({"GET", k}) == "source-value:" + k);
    CHECK(c.master_keys() == static_cast<long long>(keys + 3));
    CHECK(rcplan_redis_test::open_slots(observe_all(c)) == 0);
  }
  SECTION("a different value: the slot stays open, is reported, and no key is lost") {
    auto t = c.client(1);
    REQUIRE(t.command({"ASKING"}).str == "OK");
    REQUIRE(t.call({"SET", other, "target-value"}) == "OK");
    const rcplan::redis::execute_result r = rcplan::redis::execute(p, observe_all(c));
    CHECK_FALSE(r.complete);
    bool named = false, open = false;
    for (const auto& d : r.diagnostics) {
      UNSCOPED_INFO(d.code << " [" << d.subject << "]: " << d.message);
      if (d.code == "rcplan.redis.busykey" && d.message.find(other) != std::string::npos &&
          d.subject == "slot " + std::to_string(s))
        named = true;
      if (d.code == "rcplan.redis.slots_left_open" && d.subject == std::to_string(s)) open = true;
    }
    CHECK(named);
    CHECK(open);
    const rcplan::topology after = observe_all(c);
    CHECK(rcplan_redis_test::open_slots(after) == 2);  // MIGRATING on the source, IMPORTING on the target
    CHECK(c.owners()[s] == 0);
    CHECK(src.call({"GET", other}) == "source-value:" + other);  // nothing deleted on either side
    REQUIRE(t.command({"ASKING"}).str == "OK");
    CHECK(t.call({"GET", other}) == "target-value");
    CHECK(c.missing(0, keys).empty());
  }
}

TEST_CASE("execute: plan_repair closes every open-slot state a killed migration leaves and keeps every key", "[redis][execute]") {
  live_cluster c(3, 0);
  constexpr std::size_t keys = 3000;
  c.load(0, keys);
  const auto own = c.owners();
  // four slots of node 0, each put in one broken state; node 1 is the other side
  const rcplan::slot importing_only = 10, migrating_only = 20, split = 30, unowned = 40;
  REQUIRE(own[importing_only] == 0);
  REQUIRE(own[unowned] == 0);
  auto n0 = c.client(0);
  auto n1 = c.client(1);
  std::vector<std::string> written;
  for (const rcplan::slot s : {importing_only, migrating_only, split, unowned})
    for (int i = 0; i < 6; ++i) {
      std::string tag = "r";  // appended, not `"r" + ...`: GCC 12 -O3 warns falsely (-Wrestrict)
      tag += std::to_string(i);
      written.push_back(key_in(s, tag));
      REQUIRE(n0.call({"SET", written.back(), "v:" + written.back()}) == "OK");
    }
  const std::string ss = [](rcplan::slot s) { return std::to_string(s); }(split);
  n1.call({"CLUSTER", "SETSLOT", std::to_string(importing_only), "IMPORTING", c.id(0)});
  n0.call({"CLUSTER", "SETSLOT", std::to_string(migrating_only), "MIGRATING", c.id(1)});
  n1.call({"CLUSTER", "SETSLOT", ss, "IMPORTING", c.id(0)});
  n0.call({"CLUSTER", "SETSLOT", ss, "MIGRATING", c.id(1)});
  REQUIRE(n0.call({"MIGRATE", "127.0.0.1", std::to_string(c.port(1)), "", "0", "5000", "KEYS", key_in(split, "r0"),
                   key_in(split, "r1"), key_in(split, "r2")}) == "OK");
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CLUSTER", "DELSLOTS", std::to_string(unowned)});

  const rcplan::topology broken = observe_all(c);
  CHECK(rcplan_redis_test::open_slots(broken) == 4);
  CHECK(rcplan::uncovered_slots(rcplan::merged_nodes(broken)).count() == 1);
  const rcplan::repair_result repair = rcplan::plan_repair(broken, rcplan::merged_nodes(broken));
  REQUIRE_FALSE(repair.blocked);
  const rcplan::redis::execute_result r = rcplan::redis::execute(plan_of(repair), broken);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(r.complete);

  REQUIRE(rcplan_test::eventually([&] { return rcplan::views_agree(observe_all(c)); }));
  const rcplan::topology after = observe_all(c);
  CHECK(rcplan_redis_test::open_slots(after) == 0);
  CHECK(rcplan::uncovered_slots(rcplan::merged_nodes(after)).empty());
  CHECK(c.owners()[split] == 1);
  CHECK(c.master_keys() == static_cast<long long>(keys + written.size()));
  CHECK(c.missing(0, keys).empty());
  const auto now = c.owners();
  for (const std::string& k : written) {
    auto owner = c.client(now[rcplan::key_slot(k)]);
    CHECK(owner.call({"GET", k}) == "v:" + k);
  }
}

TEST_CASE("execute: a rebalance with a password where no progress message or diagnostic contains it", "[redis][execute]") {
  const std::string password = "Sup3r-s3cret-pw-for-rcplan";
  live_cluster c(3, 0, 2, password);
  constexpr std::size_t keys = 6000;
  c.load(0, keys);
  const rcplan::topology before = observe_all(c);
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  rcplan::plan p = rcplan::plan_rebalance(before, ro);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);
  // a secret CONFIG SET, and a wait that times out: both put text into what the executor reports
  p.steps.push_back({p.wave_count(), "set masterauth", rcplan::config_set{rcplan::node_id{c.id(0)}, "masterauth",
                                                                        std::string{rcplan::secret_placeholder}, true}});
  const int last = p.wave_count();
  p.steps.push_back({last, "wait", rcplan::wait_until{rcplan::wait_condition::node_reachable, "no-such-pod", 1}});

  recorder rec;
  rcplan::redis::execute_options eo;
  eo.password = rcplan::redis::secret{password};
  eo.progress = rec.callback();
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, before, eo);
  CHECK_FALSE(r.complete);  // the wait for a pod nobody runs times out
  CHECK(r.steps_done == p.steps.size() - 1);
  CHECK(r.waves_done == last);
  check_balanced(observe_all(c), 5);
  CHECK(c.missing(0, keys).empty());
  CHECK(c.client(0).command({"CONFIG", "GET", "masterauth"}).elements.at(1).str == password);

  REQUIRE_FALSE(r.diagnostics.empty());
  for (const auto& d : r.diagnostics) {
    CHECK(d.message.find(password) == std::string::npos);
    CHECK(d.subject.find(password) == std::string::npos);
  }
  REQUIRE(rec.events.size() > p.steps.size());
  for (const auto& e : rec.events) CHECK(e.message.find(password) == std::string::npos);

  // an unreachable node and a wrong password still never print it
  rcplan::redis::execute_options wrong = eo;
  wrong.password = rcplan::redis::secret{password + "-wrong"};
  wrong.max_retries = 1;
  rcplan::plan q;
  q.steps.push_back({0, "stable", rcplan::set_slot_stable{rcplan::node_id{c.id(1)}, rcplan::slot_set::all().lowest(1)}});
  const rcplan::redis::execute_result bad = rcplan::redis::execute(q, before, wrong);
  CHECK_FALSE(bad.complete);
  REQUIRE_FALSE(bad.diagnostics.empty());
  CHECK(bad.diagnostics.front().code == "rcplan.redis.auth");
  for (const auto& d : bad.diagnostics) CHECK(d.message.find(password) == std::string::npos);
}

TEST_CASE("execute: Kubernetes steps without a platform stop execution before their wave", "[redis][execute]") {
  rcplan::plan p;
  p.steps.push_back({0, "nothing to close", rcplan::set_slot_stable{rcplan::node_id{}, rcplan::slot_set{}}});
  p.steps.push_back({1, "scale", rcplan::scale_statefulset{"drc-x-0", 3}});
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, rcplan::topology{});
  CHECK_FALSE(r.complete);
  CHECK(r.waves_done == 1);
  CHECK(r.steps_done == 1);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics.front().code == "rcplan.redis.no_platform");
}

TEST_CASE("execute: bad options are rcplan errors", "[redis][execute]") {
  rcplan::redis::execute_options o;
  o.parallel = 0;
  CHECK_THROWS_AS(rcplan::redis::execute(rcplan::plan{}, rcplan::topology{}, o), rcplan::error);
  o.parallel = 1;
  o.key_batch = 0;
  CHECK_THROWS_AS(rcplan::redis::execute(rcplan::plan{}, rcplan::topology{}, o), rcplan::error);
}
