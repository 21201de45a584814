// A cluster that `redis-cli --cluster rebalance` left fragmented (it carves the low end of every
// source for each receiver): rcplan rebalances it further on the real servers with the lower
// bound of moves, no open slot, every key where it belongs.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

namespace {

using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

std::size_t most_ranges(const rcplan::topology& t) {
  std::size_t most = 0;
  for (const auto& n : rcplan::merged_nodes(t))
    if (n.is_master()) most = std::max(most, n.slots.range_count());
  return most;
}

/// Each master's slot count, for a failure message: which master got what, before and after.
std::string slot_counts(const rcplan::topology& t) {
  std::string out;
  for (const auto& n : rcplan::merged_nodes(t))
    if (n.is_master()) out += " " + n.id.value.substr(0, 8) + "=" + std::to_string(n.slots.count());
  return out;
}

bool have_redis_cli() { return std::system("command -v redis-cli >/dev/null 2>&1") == 0; }

}  // namespace

TEST_CASE("after redis-cli: a cluster its rebalance fragmented is rebalanced with the lower bound of moves",
          "[redis][execute]") {
  if (!have_redis_cli()) {
    WARN("skipped: redis-cli not found on PATH (apt-get install -y redis-tools)");
    return;
  }
  live_cluster c(3, 0, 2);
  // a master that gives away its last slot would otherwise turn into a replica of the receiver
  // halfway through the plan (Redis 7's default), and the later steps that name it fail
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "cluster-allow-replica-migration", "no"});
  constexpr std::size_t keys = 5000;
  c.load(0, keys);
  const std::string cmd = "redis-cli --cluster rebalance 127.0.0.1:" + std::to_string(c.port(0)) +
                          " --cluster-use-empty-masters >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const rcplan::topology fragmented = observe_all(c);
  REQUIRE(rcplan_redis_test::open_slots(fragmented) == 0);
  INFO("most ranges per master after redis-cli: " << most_ranges(fragmented));
  INFO("slots per master after redis-cli:" << slot_counts(fragmented));
  CHECK(most_ranges(fragmented) > 1);  // what this test is about

  // back to the first three masters: the two redis-cli filled drain
  rcplan::rebalance_options drain;
  drain.threshold_percent = 0;
  drain.weights[rcplan::node_id{c.id(3)}] = 0;
  drain.weights[rcplan::node_id{c.id(4)}] = 0;
  const rcplan::plan p = rcplan::plan_rebalance(fragmented, drain);
  std::string moves;
  for (const auto& s : p.steps)
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&s.action))
      moves += " " + m->source.value.substr(0, 8) + "->" + m->target.value.substr(0, 8) + ":" +
               std::to_string(m->slots.count());
  INFO("the plan's migrations:" << moves);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);
  CHECK(p.summary.slots_moved == p.summary.lower_bound);
  const auto r = rcplan::redis::execute(p, fragmented);
  std::string executed;
  for (const auto& d : r.diagnostics) executed += "\n  " + d.code + ": " + d.message;
  INFO("the executor's diagnostics:" << executed);
  REQUIRE(r.complete);
  CHECK(r.slots_moved == p.summary.slots_moved);

  const rcplan::topology after = observe_all(c);
  INFO("slots per master after the plan:" << slot_counts(after));
  CHECK(rcplan_redis_test::open_slots(after) == 0);
  for (const auto& n : rcplan::merged_nodes(after)) {
    if (!n.is_master()) continue;
    INFO("master " << n.id.value << " holds " << n.slots.count());
    if (n.id.value == c.id(3) || n.id.value == c.id(4)) CHECK(n.slots.empty());
    else CHECK((n.slots.count() == 5461 || n.slots.count() == 5462));
  }
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
}
