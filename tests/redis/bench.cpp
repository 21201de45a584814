// Hidden ([.]): the benchmark's scenario, 3 masters with 300k keys and 3 empty masters,
// rebalanced once by execute() and once by `redis-cli --cluster rebalance`, with both times
// printed. Run it with `test_redis "[bench]"`.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

constexpr std::size_t bench_keys = 300000;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("bench: rebalance 300k keys from 3 masters onto 3 empty ones against redis-cli", "[.][bench]") {
  double ours = 0, theirs = 0;
  {
    rcplan_redis_test::live_cluster c(3, 0, 3);
    c.load(0, bench_keys);
    const auto start = std::chrono::steady_clock::now();
    rcplan::redis::observe_options oo;
    oo.keys_per_slot = true;
    const rcplan::topology t = rcplan::redis::observe(c.seeds(), oo);
    std::printf("observe with key counts: %.2f s\n", seconds_since(start));
    rcplan::rebalance_options ro;
    ro.use_empty_masters = true;
    const rcplan::plan p = rcplan::plan_rebalance(t, ro);
    std::printf("plan: %zu steps in %d waves, %zu slots\n", p.steps.size(), p.wave_count(), p.summary.slots_moved);
    const rcplan::redis::execute_result r = rcplan::redis::execute(p, t);
    ours = seconds_since(start);
    CHECK(r.complete);
    CHECK(c.master_keys() == static_cast<long long>(bench_keys));
  }
  {
    rcplan_redis_test::live_cluster c(3, 0, 3);
    c.load(0, bench_keys);
    const auto start = std::chrono::steady_clock::now();
    const std::string cmd = "redis-cli --cluster rebalance 127.0.0.1:" + std::to_string(c.port(0)) +
                            " --cluster-use-empty-masters >/dev/null 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    theirs = seconds_since(start);
    CHECK(c.master_keys() == static_cast<long long>(bench_keys));
  }
  std::printf("rcplan observe+plan+execute: %.2f s, redis-cli --cluster rebalance: %.2f s, speedup %.1fx\n", ours, theirs,
              theirs / ours);
}
