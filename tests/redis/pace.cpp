// The executor's pace (bindings/redis/src/pacer.hpp): the ladder, the probes' p99, the control
// loop against a real node (a budget no PING can meet sends it to the gentlest rung, one every
// PING meets lets it climb), the limit on bursts in flight and the key cap; then execute() with
// a budget, with a cap and unpaced against a real cluster, every key kept.

#include "redis/src/pacer.hpp"

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan::redis::progress_event;
using rcplan::redis::detail::pace;
using rcplan::redis::detail::pace_ladder;
using rcplan::redis::detail::pacer;
using rcplan::redis::detail::percentile_99;
using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;
using std::chrono::microseconds;

struct events {
  std::mutex m;
  std::vector<progress_event> seen;
  rcplan::redis::progress_callback callback() {
    return [this](const progress_event& e) {
      const std::lock_guard lock(m);
      seen.push_back(e);
    };
  }
  std::vector<progress_event> of(progress_event::kind k) {
    const std::lock_guard lock(m);
    std::vector<progress_event> out;
    for (const progress_event& e : seen)
      if (e.what == k) out.push_back(e);
    return out;
  }
};

/// A reporter for a pacer outside an execution, feeding `to`.
struct reporting {
  rcplan::redis::progress_callback callback;
  rcplan::redis::secret none;
  rcplan::redis::detail::reporter rep{callback, none, none};
  explicit reporting(events& to) : callback(to.callback()) {}
};

std::vector<rcplan::redis::detail::endpoint> endpoints(const live_cluster& c) {
  std::vector<rcplan::redis::detail::endpoint> out;
  for (int i = 0; i < c.size(); ++i) out.push_back({"127.0.0.1", c.port(i)});
  return out;
}

}  // namespace

TEST_CASE("percentile_99: the nearest-rank 99th percentile", "[redis][pace]") {
  CHECK(percentile_99({}) == 0);
  CHECK(percentile_99({7}) == 7);
  std::vector<std::int64_t> hundred;
  for (std::int64_t i = 100; i >= 1; --i) hundred.push_back(i);
  CHECK(percentile_99(hundred) == 99);
  hundred.push_back(5000);  // 101 samples: the 100th smallest
  CHECK(percentile_99(hundred) == 100);
}

TEST_CASE("pace ladder: each rung sends at least as much at once as the one below, the last is unpaced",
          "[redis][pace]") {
  const std::vector<pace>& ladder = pace_ladder();
  REQUIRE(ladder.size() >= 3);
  const auto bursts = [](const pace& p) { return p.bursts == 0 ? 1 << 20 : p.bursts; };
  for (std::size_t i = 1; i < ladder.size(); ++i) {
    INFO("rung " << i);
    CHECK(bursts(ladder[i]) >= bursts(ladder[i - 1]));
    CHECK(ladder[i].depth >= ladder[i - 1].depth);
    CHECK(ladder[i].keys >= ladder[i - 1].keys);
    CHECK(ladder[i].chunk >= ladder[i - 1].chunk);
    CHECK((ladder[i].bursts != ladder[i - 1].bursts || ladder[i].depth != ladder[i - 1].depth ||
           ladder[i].keys != ladder[i - 1].keys || ladder[i].chunk != ladder[i - 1].chunk));
  }
  for (const pace& p : ladder) CHECK(p.chunk == p.depth);  // a slot is handed over once its keys moved
  CHECK(ladder.front().bursts == 1);
  CHECK(ladder.front().depth == 1);
  CHECK(ladder.front().chunk == 1);
  CHECK(ladder.back().bursts == 0);
  CHECK(ladder.back().chunk == 128);
  CHECK(ladder.back().depth == ladder.back().chunk);
}

TEST_CASE("pacer: a budget no PING meets sends the pace to the gentlest rung, reported as it goes",
          "[redis][pace]") {
  live_cluster c(1, 0);
  events ev;
  reporting r(ev);
  pacer p(microseconds(1), 0, r.rep);
  const std::size_t start = p.current().chunk;
  REQUIRE(start > 1);
  p.watch(endpoints(c), {});
  CHECK(rcplan_test::eventually([&] { return p.current().chunk == 1; }, std::chrono::seconds(20)));
  p.stop();
  CHECK(p.current().bursts == 1);
  CHECK(p.current().depth == 1);
  const pacer::summary s = p.totals();
  CHECK(s.samples > 0);
  CHECK(s.p99_us > 1);
  CHECK(s.max_us >= s.p99_us);
  const auto paces = ev.of(progress_event::kind::pace);
  REQUIRE_FALSE(paces.empty());
  CHECK(paces.back().done == 1);
  CHECK(paces.back().total == pace_ladder().size());
  CHECK(paces.back().latency_ms > 0.0);
  CHECK(paces.back().message.find("probe p99") != std::string::npos);
  CHECK(paces.front().message.find("no probe sample yet, budget 0.00 ms") != std::string::npos);
}

TEST_CASE("pacer: a budget every PING meets lets the pace climb", "[redis][pace]") {
  live_cluster c(3, 0);
  events ev;
  reporting r(ev);
  pacer p(std::chrono::seconds(10), 0, r.rep);
  const pace start = p.current();
  p.watch(endpoints(c), {});
  CHECK(rcplan_test::eventually([&] { return p.current().chunk > start.chunk; }, std::chrono::seconds(30)));
  p.stop();
  CHECK_FALSE(ev.of(progress_event::kind::pace).empty());
}

TEST_CASE("pacer: unpaced, nothing waits and no probe runs", "[redis][pace]") {
  live_cluster c(1, 0);
  events ev;
  reporting r(ev);
  pacer p(microseconds(0), 0, r.rep);
  CHECK(p.current().bursts == 0);
  CHECK(p.current().chunk == pace_ladder().back().chunk);
  p.watch(endpoints(c), {});
  std::vector<pacer::ticket> held;
  for (int i = 0; i < 50; ++i) held.push_back(p.acquire("n", 1000));  // none waits for another
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  p.stop();
  CHECK(p.totals().samples == 0);
  CHECK(ev.of(progress_event::kind::pace).empty());
}

TEST_CASE("pacer: at the gentlest rung a second burst waits until the first ends", "[redis][pace]") {
  live_cluster c(1, 0);
  events ev;
  reporting r(ev);
  pacer p(microseconds(1), 0, r.rep);
  p.watch(endpoints(c), {});
  REQUIRE(rcplan_test::eventually([&] { return p.current().bursts == 1; }, std::chrono::seconds(20)));
  std::atomic<bool> second{false};
  std::thread other;
  {
    const pacer::ticket first = p.acquire("a", 0);
    other = std::thread([&] {
      const pacer::ticket t = p.acquire("b", 0);
      second = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(second.load());
  }
  other.join();
  CHECK(second.load());
  p.stop();
}

TEST_CASE("pacer: paced, a node gets one burst at a time while others get theirs", "[redis][pace]") {
  events ev;
  reporting r(ev);
  pacer p(std::chrono::seconds(10), 0, r.rep);  // no probe watching: the pace stays where it starts
  REQUIRE(p.current().bursts >= 2);
  std::atomic<bool> second_a{false};
  std::thread other;
  {
    const pacer::ticket a = p.acquire("a", 0);
    other = std::thread([&] {
      const pacer::ticket t = p.acquire("a", 0);
      second_a = true;
    });
    const pacer::ticket b = p.acquire("b", 0);  // another node: does not wait
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK_FALSE(second_a.load());
  }
  other.join();
  CHECK(second_a.load());
}

TEST_CASE("pacer: the key cap spaces bursts by their keys", "[redis][pace]") {
  events ev;
  reporting r(ev);
  pacer p(microseconds(0), 1000, r.rep);
  CHECK(p.current().keys <= 100);  // a tenth of a second's keys per MIGRATE at most
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) (void)p.acquire({}, 100);
  // three bursts of 100 keys had to be paid for before the fourth could start
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(290));
}

TEST_CASE("execute: paced, capped and unpaced rebalances keep every key, and only paced ones probe", "[redis][pace]") {
  struct variant {
    const char* name;
    std::optional<microseconds> budget;
    std::optional<std::uint64_t> cap;
    bool probes;
  };
  const variant v = GENERATE(variant{"default budget", std::nullopt, std::nullopt, true},
                             variant{"1 ms budget", microseconds(1000), std::nullopt, true},
                             variant{"key cap, unpaced", microseconds(0), 4000, false},
                             variant{"unpaced", microseconds(0), std::nullopt, false});
  INFO(v.name);
  live_cluster c(2, 0, 1);
  constexpr std::size_t keys = 6000;
  c.load(0, keys);
  const rcplan::topology before = observe_all(c);
  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  const rcplan::plan plan = rcplan::plan_rebalance(before, ro);
  REQUIRE(plan.status == rcplan::plan_status::actions_planned);

  events ev;
  rcplan::redis::execute_options eo;
  eo.latency_budget = v.budget;
  eo.max_keys_per_second = v.cap;
  eo.progress = ev.callback();
  const auto start = std::chrono::steady_clock::now();
  const rcplan::redis::execute_result r = rcplan::redis::execute(plan, before, eo);
  const auto took = std::chrono::steady_clock::now() - start;
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.complete);
  CHECK(r.slots_moved == plan.summary.slots_moved);
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
  CHECK(rcplan_redis_test::open_slots(observe_all(c)) == 0);
  if (v.probes) {
    CHECK(r.probes.samples > 0);
    CHECK(r.probes.max_ms >= r.probes.p99_ms);
  } else {
    CHECK(r.probes.samples == 0);
    CHECK(ev.of(progress_event::kind::pace).empty());
  }
  if (v.cap) {
    // every key but the first burst's was paid for at the cap
    const double floor_s = static_cast<double>(r.keys_moved - *v.cap / 10) / static_cast<double>(*v.cap);
    INFO(r.keys_moved << " keys moved in " << std::chrono::duration<double>(took).count() << " s");
    CHECK(std::chrono::duration<double>(took).count() >= floor_s);
  }
}

TEST_CASE("execute: a negative latency budget is an rcplan error", "[redis][pace]") {
  rcplan::redis::execute_options o;
  o.latency_budget = microseconds(-1);
  CHECK_THROWS_AS(rcplan::redis::execute(rcplan::plan{}, rcplan::topology{}, o), rcplan::error);
}
