// The C ABI (rcplan/c.h): the same plans as the C++ planners, byte for byte; every malformed
// input an error document naming the id (and the JSON path), never a crash or an exception;
// concurrent calls; a C99 caller.

#include <rcplan/c.h>

#include <rcplan/json/command.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/options.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/repair.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

extern "C" int rcplan_c99_smoke(void);

using nlohmann::json;

namespace {

/// A call's status and its owned string, freed here.
struct result {
  rcplan_status status = RCPLAN_INTERNAL;
  std::string text;
  [[nodiscard]] json doc() const { return json::parse(text); }
};

template <typename F>
result call(F&& f) {
  char* out = nullptr;
  result r;
  r.status = f(&out);
  REQUIRE(out != nullptr);
  r.text = out;
  rcplan_free(out);
  return r;
}

// Four masters: one holds half the slots, one none.
const char* const cluster_nodes =
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191\n"
    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 127.0.0.1:7001@17001 master - 0 1 2 connected 8192-12287\n"
    "cccccccccccccccccccccccccccccccccccccccc 127.0.0.1:7002@17002 master - 0 1 3 connected 12288-16383\n"
    "dddddddddddddddddddddddddddddddddddddddd 127.0.0.1:7003@17003 master - 0 1 4 connected\n";

rcplan::topology topology() {
  rcplan::topology t;
  t.views.push_back(rcplan::parse_cluster_nodes(cluster_nodes));
  return t;
}

std::string dumped(const auto& x) {
  nlohmann::ordered_json j;
  to_json(j, x);
  return j.dump();
}

std::string topology_json() { return dumped(topology()); }

std::string seed_resource() {
  return rcplan::yaml::load_yaml_file(std::string(RCPLAN_TEST_DATA_DIR "/fixtures/distributedrediscluster.yaml")).dump();
}

}  // namespace

TEST_CASE("c abi: the ABI and library versions, and a C99 caller", "[c]") {
  CHECK(rcplan_abi_version() == RCPLAN_ABI_VERSION);
  CHECK(std::string(rcplan_version()) == RCPLAN_PROJECT_VERSION);
  CHECK(rcplan_c99_smoke() == 0);
}

TEST_CASE("c abi: plan_rebalance and reconcile give the C++ planners' plans byte for byte", "[c]") {
  rcplan::rebalance_options o;
  o.use_empty_masters = true;
  o.max_concurrent_migrations = 2;
  const std::string options = dumped(o);
  const result r = call([&](char** out) { return rcplan_plan_rebalance(topology_json().c_str(), options.c_str(), out); });
  REQUIRE(r.status == RCPLAN_OK);
  CHECK(r.text == dumped(rcplan::plan_rebalance(topology(), o)));
  CHECK(r.doc()["status"] == "actions_planned");  // the empty master takes slots

  const result d = call([&](char** out) { return rcplan_plan_rebalance(topology_json().c_str(), nullptr, out); });
  REQUIRE(d.status == RCPLAN_OK);
  CHECK(d.text == dumped(rcplan::plan_rebalance(topology(), {})));

  const std::string resource = seed_resource();
  const result rc = call([&](char** out) { return rcplan_reconcile("{}", resource.c_str(), nullptr, out); });
  REQUIRE(rc.status == RCPLAN_OK);
  const rcplan::plan p = rcplan::reconcile({}, rcplan::load_cluster_resource(json::parse(resource)));
  CHECK(rc.text == dumped(p));
  CHECK(rc.doc()["steps"].size() == p.steps.size());

  // the status of that plan, and the objects and diagnostics of the resource
  const std::string plan_text = rc.text;
  const result st = call([&](char** out) { return rcplan_compute_status("{}", resource.c_str(), plan_text.c_str(), out); });
  REQUIRE(st.status == RCPLAN_OK);
  CHECK(st.doc()["status"] == "Creating");
  const result ob = call([&](char** out) { return rcplan_desired_objects(resource.c_str(), out); });
  REQUIRE(ob.status == RCPLAN_OK);
  CHECK(ob.doc()["statefulsets"].size() == 3);
  const result v = call([&](char** out) { return rcplan_validate_spec(resource.c_str(), out); });
  REQUIRE(v.status == RCPLAN_OK);
  CHECK(v.doc() == json::array());
}

TEST_CASE("c abi: bad input is an error document with the id and the path - never a crash", "[c]") {
  const std::string t = topology_json();
  const std::string resource = seed_resource();

  const result garbled = call([](char** out) {
    return rcplan_parse_cluster_nodes("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 "
                                      "connected 0-8191\nnot a line\n",
                                      out);
  });
  CHECK(garbled.status == RCPLAN_INVALID_INPUT);
  CHECK(garbled.doc()["error"]["id"] == "rcplan.parse.cluster_nodes");
  CHECK_THAT(garbled.doc()["error"]["message"].get<std::string>(), Catch::Contains("line 2"));

  for (const std::string& bad : {std::string("{"), t.substr(0, t.size() / 2), std::string("[1, 2"), std::string(""),
                                std::string("\xff\xfe"), std::string(200000, '[')}) {
    const result r = call([&](char** out) { return rcplan_plan_rebalance(bad.c_str(), nullptr, out); });
    CHECK(r.status == RCPLAN_INVALID_INPUT);
    CHECK(r.doc()["error"]["id"] == "rcplan.json");
  }

  json wrong = json::parse(resource);
  wrong["spec"]["masterSize"] = "three";
  const result typed = call([&](char** out) { return rcplan_reconcile("{}", wrong.dump().c_str(), nullptr, out); });
  CHECK(typed.status == RCPLAN_INVALID_INPUT);
  CHECK(typed.doc()["error"]["id"] == "rcplan.json");
  CHECK(typed.doc()["error"]["path"] == "spec.masterSize");

  const result weights = call([&](char** out) {
    return rcplan_plan_rebalance(t.c_str(), R"({"weights": {"aaaa": "heavy"}})", out);
  });
  CHECK(weights.status == RCPLAN_INVALID_INPUT);
  CHECK(weights.doc()["error"]["path"] == "weights.aaaa");

  const result mode = call([&](char** out) { return rcplan_plan_rebalance(t.c_str(), R"({"balance": "bytes"})", out); });
  CHECK(mode.status == RCPLAN_INVALID_INPUT);
  CHECK(mode.doc()["error"]["path"] == "balance");

  // a huge valid document (2048 masters of 8 slots each): planned, not refused
  std::string text;
  for (int i = 0; i < 2048; ++i) {
    char id[41];
    std::snprintf(id, sizeof id, "%040x", i + 1);
    text += std::string(id) + " 127.0.0.1:" + std::to_string(10000 + i) + "@" + std::to_string(30000 + i) +
            (i == 0 ? " myself,master" : " master") + " - 0 1 " + std::to_string(i + 1) + " connected " +
            std::to_string(i * 8) + "-" + std::to_string(i * 8 + 7) + "\n";
  }
  rcplan::topology big;
  big.views.push_back(rcplan::parse_cluster_nodes(text));
  const std::string big_json = dumped(big);
  CHECK(big_json.size() > 200000);
  const result huge = call([&](char** out) { return rcplan_plan_rebalance(big_json.c_str(), nullptr, out); });
  CHECK(huge.status == RCPLAN_OK);
  CHECK(huge.text == dumped(rcplan::plan_rebalance(big, {})));

  // null documents and a null out
  const result null_topology = call([](char** out) { return rcplan_plan_rebalance(nullptr, nullptr, out); });
  CHECK(null_topology.status == RCPLAN_INVALID_ARGUMENT);
  CHECK(null_topology.doc()["error"]["id"] == "rcplan.c.argument");
  CHECK(rcplan_plan_rebalance(t.c_str(), nullptr, nullptr) == RCPLAN_INVALID_ARGUMENT);
  CHECK(rcplan_parse_cluster_nodes(nullptr, nullptr) == RCPLAN_INVALID_ARGUMENT);
}

TEST_CASE("c abi: 8 threads calling at once get the single-threaded answers", "[c]") {
  const std::string t = topology_json();
  const std::string resource = seed_resource();
  const result want_plan = call([&](char** out) { return rcplan_plan_rebalance(t.c_str(), R"({"use_empty_masters": true})", out); });
  const result want_reconcile = call([&](char** out) { return rcplan_reconcile(t.c_str(), resource.c_str(), nullptr, out); });
  std::vector<std::thread> threads;
  std::vector<int> mismatches(8, 0);
  for (std::size_t i = 0; i < 8; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < 40; ++n) {
        char* a = nullptr;
        char* b = nullptr;
        const rcplan_status sa = rcplan_plan_rebalance(t.c_str(), R"({"use_empty_masters": true})", &a);
        const rcplan_status sb = rcplan_reconcile(t.c_str(), resource.c_str(), nullptr, &b);
        if (sa != RCPLAN_OK || sb != RCPLAN_OK || a == nullptr || b == nullptr || want_plan.text != a ||
            want_reconcile.text != b)
          ++mismatches[i];
        rcplan_free(a);
        rcplan_free(b);
      }
    });
  for (std::thread& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(8, 0));
}

TEST_CASE("c abi: check_plan runs a plan on the simulator - a plan that drops slots is caught", "[c]") {
  const std::string t = topology_json();
  const result p = call([&](char** out) { return rcplan_plan_rebalance(t.c_str(), R"({"use_empty_masters": true})", out); });
  REQUIRE(p.status == RCPLAN_OK);
  const result safe = call([&](char** out) { return rcplan_check_plan(t.c_str(), p.text.c_str(), out); });
  REQUIRE(safe.status == RCPLAN_OK);
  CHECK(safe.doc() == json{{"safe", true}});

  // a hand-written plan giving a master a slot another one serves: Redis refuses it
  const json bad = {{"status", "actions_planned"},
                    {"steps", {{{"wave", 0},
                                {"reason", "take slot 0"},
                                {"action", {{"type", "add_slots"},
                                            {"node", "dddddddddddddddddddddddddddddddddddddddd"},
                                            {"slots", {{0, 0}}}}}}}}};
  const result unsafe = call([&](char** out) { return rcplan_check_plan(t.c_str(), bad.dump().c_str(), out); });
  REQUIRE(unsafe.status == RCPLAN_OK);
  CHECK(unsafe.doc()["safe"] == false);
  CHECK_THAT(unsafe.doc()["problem"].get<std::string>(), Catch::Contains("ADDSLOTS of a busy slot"));
}

TEST_CASE("c abi: the simulator converges the seed fixture through reconcile, and refuses bad options", "[c]") {
  rcplan_sim* sim = nullptr;
  const result made = call([&](char** out) { return rcplan_sim_new(R"({"seed": 7, "node_timeout_ms": 3000})", &sim, out); });
  REQUIRE(made.status == RCPLAN_OK);
  REQUIRE(sim != nullptr);
  const std::string resource = seed_resource();
  bool converged = false;
  for (int i = 0; i < 100 && !converged; ++i) {
    const result t = call([&](char** out) { return rcplan_sim_topology(sim, out); });
    REQUIRE(t.status == RCPLAN_OK);
    const result p = call([&](char** out) { return rcplan_reconcile(t.text.c_str(), resource.c_str(), nullptr, out); });
    REQUIRE(p.status == RCPLAN_OK);
    converged = p.doc()["status"] == "converged";
    const result a = call([&](char** out) { return rcplan_sim_apply(sim, p.text.c_str(), out); });
    REQUIRE(a.status == RCPLAN_OK);
    INFO(a.text);
    REQUIRE(a.doc()["violation"].is_null());
    REQUIRE(call([&](char** out) { return rcplan_sim_tick(sim, 1, out); }).status == RCPLAN_OK);
  }
  CHECK(converged);
  const result t = call([&](char** out) { return rcplan_sim_topology(sim, out); });
  CHECK(t.doc()["pods"].size() == 6);
  rcplan_sim_free(sim);
  rcplan_sim_free(nullptr);

  rcplan_sim* none = nullptr;
  const result refused = call([&](char** out) { return rcplan_sim_new(R"({"speed": 3})", &none, out); });
  CHECK(refused.status == RCPLAN_INVALID_INPUT);
  CHECK(refused.doc()["error"]["path"] == "speed");
  CHECK(none == nullptr);
  const result null_sim = call([](char** out) { return rcplan_sim_topology(nullptr, out); });
  CHECK(null_sim.status == RCPLAN_INVALID_ARGUMENT);
}

TEST_CASE("c abi: plan_repair and lower give the C++ results byte for byte - a password is only its placeholder",
          "[c]") {
  // slot 5460 half-migrated: aaaa migrating it to bbbb, bbbb importing it
  const std::string nodes =
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460 "
      "[5460->-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb]\n"
      "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb 127.0.0.1:7001@17001 master - 0 1 2 connected 5461-10922 "
      "[5460-<-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\n"
      "cccccccccccccccccccccccccccccccccccccccc 127.0.0.1:7002@17002 master - 0 1 3 connected 10923-16383\n";
  rcplan::topology t;
  t.views.push_back(rcplan::parse_cluster_nodes(nodes));
  const std::string tj = dumped(t);

  const result repair = call([&](char** out) { return rcplan_plan_repair(tj.c_str(), out); });
  REQUIRE(repair.status == RCPLAN_OK);
  CHECK(repair.text == dumped(rcplan::plan_repair(t, rcplan::merged_nodes(t))));
  CHECK(repair.doc()["blocked"] == false);
  CHECK(repair.doc()["ownership"].size() == 3);

  const rcplan::plan p = rcplan::plan_rebalance(t, {});
  const std::string pj = dumped(p);
  const result lowered = call([&](char** out) { return rcplan_lower(tj.c_str(), pj.c_str(), R"({"password": true})", out); });
  REQUIRE(lowered.status == RCPLAN_OK);
  rcplan::lower_context c;
  c.nodes = rcplan::merged_nodes(t);
  c.password = true;
  nlohmann::ordered_json want = nlohmann::ordered_json::array();
  for (const rcplan::step& s : p.steps) {
    nlohmann::ordered_json commands = nlohmann::ordered_json::array();
    for (const rcplan::lowered_command& cmd : rcplan::lower(s.action, c)) {
      nlohmann::ordered_json x;
      to_json(x, cmd);
      commands.push_back(x);
    }
    want.push_back({{"wave", s.wave}, {"reason", s.reason}, {"commands", commands}});
  }
  CHECK(lowered.text == want.dump());
  bool saw_move = false;
  for (const json& step : lowered.doc())
    for (const json& cmd : step["commands"])
      if (cmd["type"] == "move_keys") {
        saw_move = true;
        CHECK(cmd["auth"] == true);
        CHECK(cmd["slot"] == 5460);
      }
  CHECK(saw_move);

  const result bad = call([&](char** out) { return rcplan_lower(tj.c_str(), pj.c_str(), R"({"key_batch": 0})", out); });
  CHECK(bad.status == RCPLAN_INVALID_INPUT);
  CHECK(bad.doc()["error"]["path"] == "key_batch");
}
