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

}  // namespace

TEST_CASE("a source frozen mid-migration until its replica takes over: the stuck import is repaired, no key lost",
          "[redis][failover]") {
  live_cluster c(3, 1, 1);  // masters 0-2, the spare 3, replicas 4-6 (4 follows 0)
  constexpr std::size_t keys = 40000;
  c.load(0, keys);
  rcplan_redis_test::half_migrate(c, 0, 3, 128, 64, 2);
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
