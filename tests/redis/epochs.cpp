// The executor's guard on config epochs before a wave of migrations (bindings/redis/src/
// waits.hpp): the rule on its own, and rebalances back and forth between a fan-in and a
// fan-out on a real cluster, where many targets raising their epochs at once leave collisions
// that Redis settles by raising one master's epoch. Before the guard, such a master settling
// its collision while it was the source of a hand-over made its target give the slots back
// and Redis deleted a whole chunk of keys.

#include "redis/src/waits.hpp"

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace {

using rcplan::node_id;
using rcplan::redis::detail::epoch_hazard;
using rcplan::redis::detail::master_epochs;

node_id id(char c) { return node_id{std::string(40, c)}; }

}  // namespace

TEST_CASE("epoch_hazard: a source sharing its epoch, or a target behind its sources, holds the wave", "[redis][epochs]") {
  const std::vector<master_epochs> settled{{id('a'), 3, 9}, {id('b'), 5, 9}, {id('c'), 9, 9}, {id('d'), 7, 9}};
  CHECK(epoch_hazard(settled, {id('a'), id('b')}, {id('c'), id('d')}).empty());
  CHECK(epoch_hazard(settled, {}, {}).empty());

  // two targets sharing an epoch is harmless: neither gives slots away
  std::vector<master_epochs> targets_collide = settled;
  targets_collide[3].config = 9;
  CHECK(epoch_hazard(targets_collide, {id('a'), id('b')}, {id('c'), id('d')}).empty());
  // a source sharing one with anybody is not
  const std::string why = epoch_hazard(targets_collide, {id('c')}, {id('a')});
  CHECK(why.find("share config epoch 9") != std::string::npos);
  CHECK(why.find(rcplan::short_id(id('c'))) != std::string::npos);

  // a target that has not heard of its source's epoch could land its bump on it
  std::vector<master_epochs> behind = settled;
  behind[0].current = 4;
  const std::string late = epoch_hazard(behind, {id('b')}, {id('a')});
  CHECK(late.find("has heard of epoch 4") != std::string::npos);
  CHECK(epoch_hazard(behind, {id('a')}, {id('b')}).empty());

  // a node whose epochs were not read is never assumed safe
  CHECK_FALSE(epoch_hazard(settled, {id('e')}, {id('a')}).empty());
  CHECK_FALSE(epoch_hazard(settled, {id('a')}, {id('e')}).empty());
}

TEST_CASE("fan-in and fan-out back and forth: every key kept while targets' epoch collisions settle", "[redis][epochs]") {
  rcplan_redis_test::live_cluster c(6, 0, 1);
  // a drained master stays a master and can join again
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "cluster-allow-replica-migration", "no"});
  constexpr std::size_t keys = 60000;
  c.load(0, keys);
  rcplan::rebalance_options join;
  join.use_empty_masters = true;
  join.threshold_percent = 0;
  join.max_migrations_per_node = 0;
  rcplan::rebalance_options drain = join;
  drain.weights[node_id{c.id(6)}] = 0;
  rcplan::redis::execute_options eo;
  eo.parallel = 8;
  for (int round = 0; round < 4; ++round) {
    for (const rcplan::rebalance_options* ro : {&join, &drain}) {
      INFO("round " << round << (ro == &join ? ", join" : ", drain"));
      std::string history;  // every plan's status and the executor's diagnostics, for a failure
      const bool settled = rcplan_redis_test::rebalance_until_converged(c, *ro, eo, std::chrono::seconds(90), history);
      INFO(history);
      REQUIRE(settled);
      const std::vector<std::string> lost = c.missing(0, keys);
      std::string where;
      for (std::size_t i = 0; i < lost.size() && i < 8; ++i)
        where += lost[i] + " in slot " + std::to_string(rcplan::key_slot(lost[i].substr(0, lost[i].find(' ')))) + "; ";
      INFO(lost.size() << " keys missing: " << where);
      CHECK(c.master_keys() == static_cast<long long>(keys));
      REQUIRE(lost.empty());
    }
  }
}

TEST_CASE("a wave whose target does not answer stops at once, naming it, with nothing moved", "[redis][epochs]") {
  rcplan_redis_test::live_cluster c(3, 0, 1);
  constexpr std::size_t keys = 3000;
  c.load(0, keys);
  const rcplan::topology before = rcplan_redis_test::observe_all(c);
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  const rcplan::plan p = rcplan::plan_rebalance(before, ro);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);
  c.node(3).kill_now();  // the joining master, every migration's target
  rcplan::redis::execute_options eo;
  eo.wait_timeout = std::chrono::seconds(2);  // were the target waited for, the code would be epochs_unsettled
  eo.max_retries = 1;
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, before, eo);
  CHECK_FALSE(r.complete);
  CHECK(r.slots_moved == 0);
  REQUIRE_FALSE(r.diagnostics.empty());
  CHECK(r.diagnostics.front().code == "rcplan.redis.unreachable");
  CHECK(r.diagnostics.front().message.find("no slot moved") != std::string::npos);
  CHECK(c.master_keys() == static_cast<long long>(keys));
}
