// A password change against a real cluster: observe() reports which nodes require the new
// password and authenticate to their masters with it, and execute() changes it node by node
// (masterauth everywhere, then requirepass) while connections fall back to the old password.
// Neither password ever shows up in what the binding reports.

#include <rcplan/error.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;

const std::string old_pw = "old-Pa55-for-rcplan-A";
const std::string new_pw = "new-Pa55-for-rcplan-B";

rcplan::redis::observe_options with(const std::string& password, const std::string& previous = {}) {
  rcplan::redis::observe_options o;
  o.password = rcplan::redis::secret{password};
  o.previous_password = rcplan::redis::secret{previous};
  return o;
}

bool leaks(const std::string& text) {
  return text.find(old_pw) != std::string::npos || text.find(new_pw) != std::string::npos;
}

/// What reconcile plans for a password change, both halves at once: masterauth on every node,
/// then requirepass on every node.
rcplan::plan password_change(const rcplan::topology& t) {
  rcplan::plan p;
  p.status = rcplan::plan_status::actions_planned;
  for (const char* parameter : {"masterauth", "requirepass"}) {
    const int wave = std::string{parameter} == "masterauth" ? 0 : 1;
    for (const rcplan::node_observation& o : t.observations)
      p.steps.push_back({wave, std::string{"set "} + parameter,
                         rcplan::config_set{o.id, parameter, std::string{rcplan::secret_placeholder}, true}});
  }
  return p;
}

/// A client of node `i` authenticated with `password`.
rcplan_test::resp_client client_with(live_cluster& c, int i, const std::string& password) {
  rcplan_test::resp_client r = c.node(i).client();
  r.call({"AUTH", password});
  return r;
}

}  // namespace

TEST_CASE("password: a cluster without a password has no password state", "[redis][password]") {
  live_cluster c(1, 0);
  for (const rcplan::node_observation& o : rcplan::redis::observe(c.seeds()).observations) CHECK_FALSE(o.password);
}

TEST_CASE("password: observe reports the change's progress and execute changes it with the old password as fallback", "[redis][password]") {
  live_cluster c(3, 1, 0, old_pw);  // masters 0-2, replicas 3-5; requirepass and masterauth A everywhere
  REQUIRE(rcplan_test::eventually([&] {
    for (int i = 3; i < 6; ++i)
      if (c.client(i).call({"INFO", "replication"}).find("master_link_status:up") == std::string::npos) return false;
    return true;
  }));

  // before: nobody knows the new password
  const rcplan::topology before = rcplan::redis::observe(c.seeds(), with(new_pw, old_pw));
  REQUIRE(before.observations.size() == 6);
  for (const rcplan::node_observation& o : before.observations) {
    INFO("node " << o.id.value);
    REQUIRE(o.reachable);
    REQUIRE(o.password);
    CHECK_FALSE(o.password->requirepass_current);
    CHECK_FALSE(o.password->masterauth_current);
  }

  std::mutex m;
  std::vector<std::string> messages;
  rcplan::redis::execute_options eo;
  eo.password = rcplan::redis::secret{new_pw};
  eo.previous_password = rcplan::redis::secret{old_pw};
  eo.progress = [&](const rcplan::redis::progress_event& e) {
    const std::lock_guard lock(m);
    messages.push_back(e.message);
  };
  const rcplan::plan p = password_change(before);

  // half way: every node authenticates to its master with the new password, none requires it
  rcplan::redis::execute_options first = eo;
  first.max_waves = 1;
  const rcplan::redis::execute_result half = rcplan::redis::execute(p, before, first);
  CHECK(half.complete);
  const rcplan::topology middle = rcplan::redis::observe(c.seeds(), with(new_pw, old_pw));
  for (const rcplan::node_observation& o : middle.observations) {
    REQUIRE(o.password);
    CHECK_FALSE(o.password->requirepass_current);
    CHECK(o.password->masterauth_current);
  }

  // the whole plan again: the first wave is already there, the second makes it required
  const rcplan::redis::execute_result r = rcplan::redis::execute(p, middle, eo);
  CHECK(r.complete);
  CHECK(r.steps_done == p.steps.size());
  for (const auto& d : half.diagnostics) CHECK_FALSE(leaks(d.subject + d.message));
  for (const auto& d : r.diagnostics) CHECK_FALSE(leaks(d.subject + d.message));
  for (const std::string& text : messages) CHECK_FALSE(leaks(text));

  // after: the new password alone is enough, and every node runs with it
  const rcplan::topology after = rcplan::redis::observe(c.seeds(), with(new_pw));
  REQUIRE(after.observations.size() == 6);
  for (const rcplan::node_observation& o : after.observations) {
    INFO("node " << o.id.value);
    REQUIRE(o.reachable);
    REQUIRE(o.password);
    CHECK(o.password->requirepass_current);
    CHECK(o.password->masterauth_current);
    CHECK_FALSE(leaks(o.error));
    for (const auto& [key, value] : o.config) CHECK_FALSE(leaks(value));
  }
  // the replicas kept their link (it authenticated with A before) and can re-establish it with B
  for (int i = 3; i < 6; ++i) {
    rcplan_test::resp_client replica = client_with(c, i, new_pw);
    CHECK(replica.call({"INFO", "replication"}).find("master_link_status:up") != std::string::npos);
    CHECK(replica.command({"AUTH", old_pw}).is_error());
  }
  // a replica that reconnects authenticates with the new masterauth
  {
    rcplan_test::resp_client master = client_with(c, 0, new_pw);
    master.call({"CLIENT", "KILL", "TYPE", "replica"});
  }
  CHECK(rcplan_test::eventually([&] {
    return client_with(c, 3, new_pw).call({"INFO", "replication"}).find("master_link_status:up") != std::string::npos;
  }));

  // the old password alone is refused now, and neither password appears in the error
  std::string id;
  std::string text = rcplan_redis_test::error_text([&] { (void)rcplan::redis::observe(c.seeds(), with(old_pw)); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK_FALSE(leaks(text));
  text = rcplan_redis_test::error_text([&] { (void)rcplan::redis::observe(c.seeds(), with("wrong-" + new_pw)); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK_FALSE(leaks(text));
  CHECK(text.find("127.0.0.1:") != std::string::npos);
}
