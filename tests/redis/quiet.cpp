// execute() waits for another executor's connections before it sends anything: a connection
// named like an executor's, held open by the test, makes it refuse the plan, as stale once the
// connection closes and as a concurrent executor while it stays open. Nothing runs either way.

#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

/// One slot of node 0 to node 1: a plan whose effect is easy to see.
rcplan::plan move_first_slot(const live_cluster& c) {
  rcplan::plan p;
  p.status = rcplan::plan_status::actions_planned;
  p.steps.push_back({0, "move slot 0", rcplan::migrate_slots{rcplan::node_id{c.id(0)}, rcplan::node_id{c.id(1)},
                                                             rcplan::slot_set::all().lowest(1)}});
  return p;
}

/// A client of node `i` that calls itself what an executor calls itself.
std::unique_ptr<rcplan_test::resp_client> impostor(live_cluster& c, int i) {
  auto client = std::make_unique<rcplan_test::resp_client>(c.client(i));
  client->call({"CLIENT", "SETNAME", "rcplan-exec-x"});
  return client;
}

const rcplan::diagnostic* find_code(const rcplan::redis::execute_result& r, const std::string& code) {
  const auto it = std::find_if(r.diagnostics.begin(), r.diagnostics.end(),
                               [&](const rcplan::diagnostic& d) { return d.code == code; });
  return it == r.diagnostics.end() ? nullptr : &*it;
}

void check_untouched(live_cluster& c) {
  CHECK(c.owners()[0] == 0);
  CHECK(rcplan_redis_test::open_slots(observe_all(c)) == 0);
}

}  // namespace

TEST_CASE("quiet: another executor's connection that closes while execute() waits makes the plan stale", "[redis][quiet]") {
  live_cluster c(3, 0);
  const rcplan::topology t = observe_all(c);
  const rcplan::plan p = move_first_slot(c);

  auto other = impostor(c, 1);
  std::thread closer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    other.reset();  // its commands are done: the connection goes
  });
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, t);
  closer.join();
  CHECK_FALSE(r.complete);
  CHECK(r.steps_done == 0);
  CHECK(r.commands_sent == 0);
  const rcplan::diagnostic* d = find_code(r, "rcplan.redis.stale_plan");
  REQUIRE(d != nullptr);
  CHECK(d->message.find("re-plan") != std::string::npos);
  check_untouched(c);

  // with nobody else connected the same plan runs, under the executor's own name
  std::vector<std::string> names;
  rcplan::redis::execute_options eo;
  eo.progress = [&](const rcplan::redis::progress_event& e) {
    if (e.what == rcplan::redis::progress_event::kind::step_started) names.push_back(c.client(0).call({"CLIENT", "LIST"}));
  };
  const rcplan::redis::execute_result ok = rcplan::redis::execute(p, observe_all(c), eo);
  CHECK(ok.complete);
  CHECK(c.owners()[0] == 1);
  REQUIRE(names.size() == 1);
  CHECK(names.front().find("name=rcplan-exec-") != std::string::npos);
}

TEST_CASE("quiet: another executor's connection that stays open is a concurrent executor, named with its address", "[redis][quiet]") {
  live_cluster c(3, 0);
  const rcplan::topology t = observe_all(c);
  auto other = impostor(c, 2);
  const std::string info = other->call({"CLIENT", "INFO"});
  const std::string addr = info.substr(info.find("addr=") + 5, info.find(' ', info.find("addr=")) - info.find("addr=") - 5);

  rcplan::redis::execute_options eo;
  eo.quiet_timeout = std::chrono::milliseconds(200);
  const rcplan::redis::execute_result r = rcplan::redis::execute(move_first_slot(c), t, eo);
  CHECK_FALSE(r.complete);
  CHECK(r.steps_done == 0);
  const rcplan::diagnostic* d = find_code(r, "rcplan.redis.concurrent_executor");
  REQUIRE(d != nullptr);
  CHECK(d->severity == rcplan::severity::error);
  CHECK(d->message.find(c.id(2)) != std::string::npos);
  CHECK(d->message.find("127.0.0.1:" + std::to_string(c.port(2))) != std::string::npos);
  CHECK(d->message.find(addr) != std::string::npos);
  CHECK(find_code(r, "rcplan.redis.stale_plan") == nullptr);
  check_untouched(c);
}

TEST_CASE("quiet: a node that changed since the observation makes the plan stale", "[redis][quiet]") {
  live_cluster c(3, 0);
  const rcplan::topology t = observe_all(c);
  // what a dead executor's last pipelined command could have done after the observation
  c.client(1).call({"CLUSTER", "SETSLOT", "0", "IMPORTING", c.id(0)});
  const rcplan::redis::execute_result r = rcplan::redis::execute(move_first_slot(c), t);
  CHECK_FALSE(r.complete);
  CHECK(r.steps_done == 0);
  CHECK(find_code(r, "rcplan.redis.stale_plan") != nullptr);
  CHECK(c.owners()[0] == 0);
}
