// The operator's work queue: one holder per key, keys coming back after done(), fixed delays,
// doubling backoff, shutdown waking blocked workers, and a deterministic order. Timing checks
// only use lower bounds (a key is never handed out before it is ready) or limits far longer
// than the delays, so a slow machine cannot make them fail.

#include <rcplan/controller/work_queue.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

using rcplan::controller::backoff_options;
using rcplan::controller::work_queue;
using std::chrono::milliseconds;

namespace {

const milliseconds no_wait{0};
const milliseconds long_wait{5000};

/// Consecutive add() calls could read the same steady_clock value; a short sleep makes their
/// ready times strictly ordered so the test checks the time rule, not the key rule.
void tick() { std::this_thread::sleep_for(milliseconds(2)); }

}  // namespace

TEST_CASE("work queue: a key added twice is handed out once", "[controller][work_queue]") {
  work_queue q;
  q.add("ns/a");
  q.add("ns/a");
  CHECK(q.size() == 1);
  CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
  CHECK(q.size() == 0);
  CHECK_FALSE(q.get(no_wait).has_value());
  q.done("ns/a");
  CHECK_FALSE(q.get(no_wait).has_value());
}

TEST_CASE("work queue: a held key goes to no other getter until done", "[controller][work_queue]") {
  work_queue q;
  q.add("ns/a");
  REQUIRE(q.get(no_wait) == std::optional<std::string>("ns/a"));

  // Re-added while held: it waits, but nobody may take it while the first holder works on it.
  q.add("ns/a");
  CHECK(q.size() == 1);
  CHECK_FALSE(q.get(milliseconds(50)).has_value());

  q.done("ns/a");
  CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
  q.done("ns/a");
  CHECK_FALSE(q.get(no_wait).has_value());
}

TEST_CASE("work queue: done() wakes a getter blocked on a held key", "[controller][work_queue]") {
  work_queue q;
  q.add("ns/a");
  REQUIRE(q.get(no_wait) == std::optional<std::string>("ns/a"));
  q.add("ns/a");

  auto second = std::async(std::launch::async, [&q] { return q.get(milliseconds(30000)); });
  // The second getter must still be waiting while the key is held.
  CHECK(second.wait_for(milliseconds(100)) == std::future_status::timeout);
  const auto released = std::chrono::steady_clock::now();
  q.done("ns/a");
  REQUIRE(second.wait_for(milliseconds(20000)) == std::future_status::ready);
  CHECK(second.get() == std::optional<std::string>("ns/a"));
  // Woken by done(), not by the 30 s limit running out.
  CHECK(std::chrono::steady_clock::now() - released < milliseconds(20000));
}

TEST_CASE("work queue: two different keys can be held at once", "[controller][work_queue]") {
  SECTION("sequential gets") {
    work_queue q;
    q.add("ns/a");
    tick();
    q.add("ns/b");
    const auto first = q.get(no_wait);
    const auto second = q.get(no_wait);
    CHECK(first == std::optional<std::string>("ns/a"));
    CHECK(second == std::optional<std::string>("ns/b"));
    CHECK(q.size() == 0);
  }
  SECTION("two threads") {
    work_queue q;
    auto get_one = [&q] { return q.get(milliseconds(30000)); };
    auto x = std::async(std::launch::async, get_one);
    auto y = std::async(std::launch::async, get_one);
    q.add("ns/a");
    q.add("ns/b");
    REQUIRE(x.wait_for(milliseconds(20000)) == std::future_status::ready);
    REQUIRE(y.wait_for(milliseconds(20000)) == std::future_status::ready);
    const auto gx = x.get();
    const auto gy = y.get();
    REQUIRE(gx.has_value());
    REQUIRE(gy.has_value());
    CHECK(*gx != *gy);
    CHECK((*gx == "ns/a" || *gx == "ns/b"));
    CHECK((*gy == "ns/a" || *gy == "ns/b"));
  }
}

TEST_CASE("work queue: add_after holds a key back until its delay has passed", "[controller][work_queue]") {
  work_queue q;
  const auto start = std::chrono::steady_clock::now();
  q.add_after("ns/a", milliseconds(300));
  CHECK(q.size() == 1);  // delayed keys count as waiting
  CHECK_FALSE(q.get(no_wait).has_value());
  const auto got = q.get(long_wait);
  CHECK(got == std::optional<std::string>("ns/a"));
  CHECK(std::chrono::steady_clock::now() - start >= milliseconds(300));
}

TEST_CASE("work queue: the earlier ready time wins when a key is added again", "[controller][work_queue]") {
  SECTION("a later delay does not push a ready key back") {
    work_queue q;
    q.add("ns/a");
    q.add_after("ns/a", milliseconds(60000));
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
  }
  SECTION("add() makes a delayed key ready now") {
    work_queue q;
    q.add_after("ns/a", milliseconds(60000));
    CHECK_FALSE(q.get(no_wait).has_value());
    q.add("ns/a");
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
    CHECK(q.size() == 0);
  }
}

TEST_CASE("work queue: add_rate_limited counts failures and backs off doubling", "[controller][work_queue]") {
  work_queue q(backoff_options{milliseconds(20), milliseconds(60000)});
  CHECK(q.failures("ns/a") == 0);

  // The n-th failure in a row (from 0) waits base * 2^n: 20, 40, 80, 160 ms.
  for (int n = 0; n < 4; ++n) {
    const auto start = std::chrono::steady_clock::now();
    q.add_rate_limited("ns/a");
    CHECK(q.failures("ns/a") == n + 1);
    const auto got = q.get(long_wait);
    REQUIRE(got == std::optional<std::string>("ns/a"));
    CHECK(std::chrono::steady_clock::now() - start >= milliseconds(20) * (1 << n));
    q.done("ns/a");
  }

  // Now ns/a waits 320 ms, a fresh key only the base: the fresh one comes first.
  q.add_rate_limited("ns/a");
  q.add_rate_limited("ns/b");
  CHECK(q.failures("ns/a") == 5);
  CHECK(q.failures("ns/b") == 1);
  CHECK(q.get(long_wait) == std::optional<std::string>("ns/b"));
  CHECK(q.get(long_wait) == std::optional<std::string>("ns/a"));
}

TEST_CASE("work queue: forget() starts the backoff from the base again", "[controller][work_queue]") {
  work_queue q(backoff_options{milliseconds(10), milliseconds(600000)});
  // Ten failures: the next one would wait 10 ms * 2^10, over ten seconds.
  for (int i = 0; i < 10; ++i) q.add_rate_limited("ns/a");
  CHECK(q.failures("ns/a") == 10);
  REQUIRE(q.get(long_wait) == std::optional<std::string>("ns/a"));  // the first call's 10 ms won
  q.done("ns/a");

  q.forget("ns/a");
  CHECK(q.failures("ns/a") == 0);
  q.add_rate_limited("ns/a");
  CHECK(q.failures("ns/a") == 1);
  CHECK(q.get(long_wait) == std::optional<std::string>("ns/a"));
  CHECK(q.failures("other") == 0);
}

TEST_CASE("work queue: the backoff stops growing at the maximum", "[controller][work_queue]") {
  SECTION("many failures wait the maximum, not base * 2^n") {
    work_queue q(backoff_options{milliseconds(10), milliseconds(40)});
    for (int i = 0; i < 30; ++i) q.add_rate_limited("ns/a");  // uncapped, 2^30 would overflow
    REQUIRE(q.get(long_wait) == std::optional<std::string>("ns/a"));
    q.done("ns/a");
    q.add_rate_limited("ns/a");
    CHECK(q.failures("ns/a") == 31);
    CHECK(q.get(long_wait) == std::optional<std::string>("ns/a"));
  }
  SECTION("a doubling that would overshoot the maximum is cut to it") {
    // Base 90 ms doubled is 180 ms, capped at 100 ms: ready before a key delayed 140 ms. Both
    // ready times are fixed when added, so the order does not depend on when get() runs.
    work_queue q(backoff_options{milliseconds(90), milliseconds(100)});
    q.add_rate_limited("ns/a");
    REQUIRE(q.get(long_wait) == std::optional<std::string>("ns/a"));
    q.done("ns/a");
    q.add_rate_limited("ns/a");
    q.add_after("ns/b", milliseconds(140));
    CHECK(q.get(long_wait) == std::optional<std::string>("ns/a"));
    CHECK(q.get(long_wait) == std::optional<std::string>("ns/b"));
  }
}

TEST_CASE("work queue: shut_down wakes a blocked get, which returns nothing", "[controller][work_queue]") {
  work_queue q;
  auto blocked = std::async(std::launch::async, [&q] { return q.get(milliseconds(60000)); });
  CHECK(blocked.wait_for(milliseconds(100)) == std::future_status::timeout);
  q.shut_down();
  REQUIRE(blocked.wait_for(milliseconds(30000)) == std::future_status::ready);
  CHECK_FALSE(blocked.get().has_value());

  // From now on nothing is handed out and nothing is taken in.
  q.add("ns/a");
  CHECK(q.size() == 0);
  CHECK_FALSE(q.get(milliseconds(10)).has_value());
}

TEST_CASE("work queue: shut_down makes get return nothing even with ready keys", "[controller][work_queue]") {
  work_queue q;
  q.add("ns/a");
  q.shut_down();
  CHECK_FALSE(q.get(no_wait).has_value());
}

TEST_CASE("work queue: ready keys go by earliest ready time, then by key", "[controller][work_queue]") {
  SECTION("an earlier ready time beats a smaller key") {
    work_queue q;
    q.add("ns/c");
    tick();
    q.add("ns/b");
    tick();
    q.add("ns/a");
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/c"));
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/b"));
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
  }
  SECTION("a delayed key comes after one ready now, whatever the names") {
    work_queue q;
    q.add_after("ns/a", milliseconds(200));
    q.add("ns/z");
    CHECK(q.get(long_wait) == std::optional<std::string>("ns/z"));
    CHECK(q.get(long_wait) == std::optional<std::string>("ns/a"));
  }
  SECTION("keys added in a burst in key order come out in key order") {
    // Some of these may share a clock reading; by either rule the order is the keys' order.
    work_queue q;
    const std::vector<std::string> keys = {"ns/a", "ns/b", "ns/c", "ns/d", "ns/e", "ns/f"};
    for (const auto& k : keys) q.add(k);
    std::vector<std::string> got;
    while (const auto k = q.get(no_wait)) got.push_back(*k);
    CHECK(got == keys);
  }
  SECTION("a held key is skipped, not waited for") {
    work_queue q;
    q.add("ns/a");
    REQUIRE(q.get(no_wait) == std::optional<std::string>("ns/a"));
    q.add("ns/a");
    tick();
    q.add("ns/b");
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/b"));
    q.done("ns/a");
    CHECK(q.get(no_wait) == std::optional<std::string>("ns/a"));
  }
}
