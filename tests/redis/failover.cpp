// A failover in the middle of a migration: the source master frozen (SIGSTOP) past the node
// timeout while half the keys of its slots have moved, its replica promoted, the source back
// as a replica. The target still imports from the old source, which Redis never corrects by
// gossip: its table leaves those slots to nobody and it answers CLUSTERDOWN for them. The
// rebalance must repair that at once rather than wait for views that never agree.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

[[nodiscard]] bool is_replica(const live_cluster& c, int i) {
  return c.client(i).call({"INFO", "replication"}).find("role:slave") != std::string::npos;
}

/// Opens a migration of `slots` from `source` to `target` and moves the first `per_slot` keys
/// of each of `moved` slots, the way an executor cut short would leave it.
void half_migrate(const live_cluster& c, int source, int target, int slots, int moved, int per_slot) {
  std::vector<std::vector<std::string>> importing, migrating;
  for (int s = 0; s < slots; ++s) {
    importing.push_back({"CLUSTER", "SETSLOT", std::to_string(s), "IMPORTING", c.id(source)});
    migrating.push_back({"CLUSTER", "SETSLOT", std::to_string(s), "MIGRATING", c.id(target)});
  }
  for (const auto& r : c.client(target).pipeline(importing)) REQUIRE_FALSE(r.is_error());
  for (const auto& r : c.client(source).pipeline(migrating)) REQUIRE_FALSE(r.is_error());
  rcplan_test::resp_client src = c.client(source);
  for (int s = 0; s < moved; ++s) {
    const rcplan_test::reply keys = src.command({"CLUSTER", "GETKEYSINSLOT", std::to_string(s), std::to_string(per_slot)});
    if (keys.elements.empty()) continue;
    std::vector<std::string> migrate{"MIGRATE", "127.0.0.1", std::to_string(c.port(target)), "", "0", "5000", "KEYS"};
    for (const auto& k : keys.elements) migrate.push_back(k.str);
    REQUIRE(src.call(migrate) == "OK");
  }
}

}  // namespace

TEST_CASE("a source frozen mid-migration until its replica takes over: the stuck import is repaired, no key lost",
          "[redis][failover]") {
  live_cluster c(3, 1, 1);  // masters 0-2, the spare 3, replicas 4-6 (4 follows 0)
  constexpr std::size_t keys = 40000;
  c.load(0, keys);
  half_migrate(c, 0, 3, 128, 64, 2);
  c.wait_replicated();

  const pid_t source = c.node(0).pid();
  REQUIRE(::kill(source, SIGSTOP) == 0);
  const bool promoted = rcplan_test::eventually([&] { return !is_replica(c, 4); }, std::chrono::seconds(30));
  REQUIRE(::kill(source, SIGCONT) == 0);
  REQUIRE(promoted);
  REQUIRE(rcplan_test::eventually([&] { return is_replica(c, 0); }, std::chrono::seconds(30)));

  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  const rcplan::topology stuck = observe_all(c);
  const rcplan::plan first = rcplan::plan_rebalance(stuck, ro);
  INFO(rcplan::to_string(first.status) << ", " << first.steps.size() << " steps");
  CHECK(first.status == rcplan::plan_status::actions_planned);
  CHECK(std::any_of(first.diagnostics.begin(), first.diagnostics.end(), [](const rcplan::diagnostic& d) {
    return d.code == rcplan::rebalance_code::stuck_imports && d.subject == "0-127";
  }));

  std::string history;
  const bool done = rcplan_redis_test::rebalance_until_converged(c, ro, {}, std::chrono::seconds(90), history);
  INFO(history);
  REQUIRE(done);
  CHECK(rcplan_redis_test::open_slots(observe_all(c)) == 0);
  CHECK(rcplan_test::eventually([&] { return c.all_ok(); }, std::chrono::seconds(20)));
  CHECK(c.missing(0, keys).empty());
  CHECK(c.master_keys() == static_cast<long long>(keys));
}
