#include <rcplan/json/plan.hpp>
#include <rcplan/testing/gen_plan.hpp>

#include "json/json_errors.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <set>
#include <string>
#include <variant>

namespace {

using nlohmann::json;

using rcplan::json_test::error_of;

const std::string id_a = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
const std::string id_b = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";

// The example of design §4 with its placeholders filled in, in the documented field order.
const std::string design_example = R"({
  "status": "actions_planned",
  "diagnostics": [
    {
      "severity": "warning",
      "code": "slots.uneven",
      "message": "masters differ by more than one slot"
    }
  ],
  "steps": [
    {
      "wave": 0,
      "reason": "move slots to the new master",
      "action": {
        "type": "migrate_slots",
        "source": ")" + id_a + R"(",
        "target": ")" + id_b + R"(",
        "slots": [
          [
            0,
            2730
          ],
          [
            5461,
            5461
          ]
        ]
      }
    },
    {
      "wave": 1,
      "reason": "give the old master a replica",
      "action": {
        "type": "replicate",
        "replica": ")" + id_a + R"(",
        "master": ")" + id_b + R"("
      }
    }
  ],
  "summary": {
    "slots_moved": 2732,
    "lower_bound": 2732,
    "ranges_after": {
      ")" + id_b + R"(": 2
    }
  }
})";

}  // namespace

TEST_CASE("the plan example of the design is read and written back unchanged") {
  const auto p = json::parse(design_example).get<rcplan::plan>();
  CHECK(p.status == rcplan::plan_status::actions_planned);
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].severity == rcplan::severity::warning);
  REQUIRE(p.steps.size() == 2);
  CHECK(p.steps[0].wave == 0);
  CHECK(p.steps[0].action == rcplan::action{rcplan::migrate_slots{{id_a}, {id_b}, {{0, 2730}, {5461, 5461}}}});
  CHECK(p.steps[1].action == rcplan::action{rcplan::replicate{{id_a}, {id_b}}});
  CHECK(p.summary.slots_moved == 2732);
  CHECK(p.summary.ranges_after == std::vector<rcplan::master_ranges>{{{id_b}, 2}});
  CHECK(rcplan::ranges_after(p.summary, rcplan::node_id{id_b}) == std::optional<std::size_t>{2});
  CHECK_FALSE(rcplan::ranges_after(p.summary, rcplan::node_id{id_a}).has_value());

  CHECK(nlohmann::ordered_json(p).dump(2) == design_example);
  // Sorted output differs in order only.
  CHECK(json(p) == json::parse(design_example));
}

TEST_CASE("every action has its type name and fields") {
  const rcplan::node_id a{id_a}, b{id_b};
  const auto dump = [](const rcplan::action& x) { return nlohmann::ordered_json(x).dump(); };
  const rcplan::address addr{"10.0.0.2", 6380, 16380, ""};
  CHECK(dump(rcplan::meet{a, addr, b}) ==
        R"({"type":"meet","node":")" + id_a +
            R"(","addr":{"host":"10.0.0.2","port":6380,"bus_port":16380,"hostname":""},"via":")" + id_b + R"("})");
  CHECK(dump(rcplan::add_slots{a, {{0, 10}}}) == R"({"type":"add_slots","node":")" + id_a + R"(","slots":[[0,10]]})");
  CHECK(dump(rcplan::set_config_epoch{a, 7}) == R"({"type":"set_config_epoch","node":")" + id_a + R"(","epoch":7})");
  CHECK(dump(rcplan::set_slot_node{a, b, {{3, 3}}}) ==
        R"({"type":"set_slot_node","node":")" + id_a + R"(","owner":")" + id_b + R"(","slots":[[3,3]]})");
  CHECK(dump(rcplan::failover{a, rcplan::failover_mode::default_mode}) ==
        R"({"type":"failover","replica":")" + id_a + R"(","mode":"default"})");
  CHECK(dump(rcplan::failover{a, rcplan::failover_mode::takeover}) ==
        R"({"type":"failover","replica":")" + id_a + R"(","mode":"takeover"})");
  CHECK(dump(rcplan::reset{a, rcplan::reset_mode::hard}) == R"({"type":"reset","node":")" + id_a + R"(","mode":"hard"})");
  CHECK(dump(rcplan::wait_until{rcplan::wait_condition::replica_synced, id_a, 30}) ==
        R"({"type":"wait_until","condition":"replica_synced","subject":")" + id_a + R"(","timeout_seconds":30})");
  {
    rcplan::service_description svc;
    svc.name = "drc-x";
    svc.cluster = "x";
    svc.headless = true;
    svc.ports = {{"client", 6379}};
    svc.selector = {{"redis.kun/name", "x"}};
    CHECK(dump(rcplan::apply_service{svc}) ==
          R"({"type":"apply_service","object":{"name":"drc-x","cluster":"x","headless":true,"shard_index":-1,)"
          R"("ports":[{"name":"client","port":6379}],"selector":{"redis.kun/name":"x"},"labels":{}}})");
  }
  CHECK(dump(rcplan::apply_configmap{{"drc-x", "x", {{"redis.conf", "port 6379\n"}}, {}}}) ==
        R"({"type":"apply_configmap","object":{"name":"drc-x","cluster":"x","data":{"redis.conf":"port 6379\n"},"labels":{}}})");
  CHECK(dump(rcplan::update_status{{"Scaling", "adding shard 3", 3, 1, 1, {}, {}}}) ==
        R"({"type":"update_status","status":{"status":"Scaling","reason":"adding shard 3","numberOfMaster":3,)"
        R"("minReplicationFactor":1,"maxReplicationFactor":1,"nodes":[]}})");
  // Kubernetes actions name objects; a node the plan creates is named by its pod.
  CHECK(dump(rcplan::replicate{{"drc-x-1-1"}, a}) ==
        R"({"type":"replicate","replica":"drc-x-1-1","master":")" + id_a + R"("})");
}

TEST_CASE("a secret config_set never carries anything but the placeholder") {
  const rcplan::config_set leaky{{id_a}, "requirepass", "hunter2", true};
  const std::string text = json(leaky).dump();
  CHECK(text.find("hunter2") == std::string::npos);
  CHECK(json(leaky).at("value") == std::string(rcplan::secret_placeholder));
  CHECK(nlohmann::ordered_json(rcplan::step{0, "set password", leaky}).dump().find("hunter2") == std::string::npos);

  rcplan::plan p;
  p.steps.push_back({0, "auth", leaky});
  CHECK(json(p).dump().find("hunter2") == std::string::npos);

  // Reading: only the placeholder is accepted, and the error does not repeat the value.
  const std::string step_with =
      R"({"status":"actions_planned","steps":[{"wave":0,"action":{"type":"config_set","node":"n",)"
      R"("parameter":"masterauth","secret":true,"value":"hunter2"}}]})";
  const auto e = error_of<rcplan::plan>(step_with);
  CHECK(e.path() == "steps[0].action.value");
  CHECK(std::string(e.what()).find("hunter2") == std::string::npos);

  const auto read = json::parse(R"({"type":"config_set","node":"n","parameter":"masterauth","secret":true})")
                        .get<rcplan::action>();
  CHECK(std::get<rcplan::config_set>(read).value == rcplan::secret_placeholder);

  // Not secret: the value is an ordinary setting and travels as is.
  const rcplan::config_set plain{{id_a}, "maxmemory", "2gb", false};
  CHECK(json(plain).at("value") == "2gb");
  CHECK(json(plain).get<rcplan::config_set>() == plain);
}

TEST_CASE("an unknown action type names steps[i].action.type and lists the known ones") {
  const auto e = error_of<rcplan::plan>(
      R"({"status":"blocked","steps":[{"wave":0,"action":{"type":"forget","node":"n"}},)"
      R"({"wave":1,"action":{"type":"teleport","node":"n"}}]})");
  CHECK(e.path() == "steps[1].action.type");
  CHECK_THAT(e.detail(), Catch::StartsWith("unknown action type \"teleport\"; expected one of: meet, add_slots,"));
  CHECK_THAT(e.detail(), Catch::EndsWith("delete_pvc, update_status"));

  CHECK(error_of<rcplan::plan>(R"({"status":"blocked","steps":[{"wave":0,"action":{"node":"n"}}]})").path() ==
        "steps[0].action.type");
  CHECK(error_of<rcplan::plan>(R"({"status":"blocked","steps":[{"wave":0,"action":{"type":3}}]})").path() ==
        "steps[0].action.type");
}

TEST_CASE("plan fields with wrong types or values name their path") {
  const auto step = [](const std::string& action) {
    return R"({"status":"actions_planned","steps":[{"wave":0,"action":{"type":"forget","node":"n"}},{"wave":1,"action":)" +
           action + "}]}";
  };
  CHECK(error_of<rcplan::plan>(step(R"({"type":"migrate_slots","source":"a","target":"b","slots":[[5,1]]})")).path() ==
        "steps[1].action.slots[0]");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"migrate_slots","source":"a","slots":[]})")).path() ==
        "steps[1].action.target");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"failover","replica":"a","mode":"gentle"})")).path() ==
        "steps[1].action.mode");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"reset","node":"a","mode":"medium"})")).path() ==
        "steps[1].action.mode");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"wait_until","condition":"forever"})")).path() ==
        "steps[1].action.condition");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"meet","node":"a","via":"b","addr":{"port":-1}})")).path() ==
        "steps[1].action.addr.port");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"apply_configmap","object":{"name":"c","data":{"k":1}}})")).path() ==
        "steps[1].action.object.data.k");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"apply_statefulset","object":{"name":"s","replicas":"3"}})")).path() ==
        "steps[1].action.object.replicas");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"apply_service","object":{"name":"s","ports":[{"name":"c"}]}})"))
            .path() == "steps[1].action.object.ports[0].port");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"update_status","status":{"status":"Healthy","nodes":[{"podName":1}]}})"))
            .path() == "steps[1].action.status.nodes[0].podName");
  CHECK(error_of<rcplan::plan>(step(R"({"type":"wait_until","condition":"views_agree","timeout_seconds":-5})"))
            .path() == "steps[1].action.timeout_seconds");
  CHECK(error_of<rcplan::plan>(R"({"status":"done"})").path() == "status");
  CHECK(error_of<rcplan::plan>(R"({"steps":[]})").path() == "status");
  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","steps":[{"action":{"type":"forget","node":"n"}}]})").path() ==
        "steps[0].wave");
  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","diagnostics":[{"severity":"fatal","code":"c"}]})").path() ==
        "diagnostics[0].severity");
  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","summary":{"ranges_after":{"n":"two"}}})").path() ==
        "summary.ranges_after.n");
  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","summary":{"slots_moved":-1}})").path() ==
        "summary.slots_moved");
}

TEST_CASE("plans ignore unknown fields") {
  const auto p = json::parse(R"({"status":"converged","version":2,"steps":[{"wave":0,"reason":"r","eta":5,)"
                             R"("action":{"type":"delete_pod","name":"p","grace":30}}],"summary":{"extra":1}})")
                     .get<rcplan::plan>();
  REQUIRE(p.steps.size() == 1);
  CHECK(p.steps[0].action == rcplan::action{rcplan::delete_pod{"p"}});
  CHECK(p.summary == rcplan::plan_summary{});
}

TEST_CASE("generated plans round trip through JSON, byte for byte") {
  rc::prop("plans", [] {
    const rcplan::plan p = *rcplan::testing::gen_plan();
    const std::string text = json(p).dump();
    const auto back = json::parse(text).get<rcplan::plan>();
    RC_ASSERT(back == p);
    RC_ASSERT(json(back).dump() == text);
    const std::string ordered = nlohmann::ordered_json(p).dump(2);
    RC_ASSERT(nlohmann::ordered_json(json::parse(ordered).get<rcplan::plan>()).dump(2) == ordered);
  });
  rc::prop("each action on its own", [] {
    const rcplan::action a = *rcplan::testing::gen_action();
    const json j = a;
    RC_ASSERT(j.at("type") == std::string(rcplan::action_type_name(a)));
    RC_ASSERT(j.get<rcplan::action>() == a);
  });
}

TEST_CASE("gen_action covers every action type") {
  std::set<std::size_t> seen;
  const auto gen = rcplan::testing::gen_action();
  for (std::uint64_t seed = 0; seed < 500 && seen.size() < std::variant_size_v<rcplan::action>; ++seed)
    seen.insert(gen(rc::Random(seed), 10).value().index());
  CHECK(seen.size() == std::variant_size_v<rcplan::action>);
}

TEST_CASE("keys_moved is written only when not 0 and reads back") {
  rcplan::plan p;
  p.status = rcplan::plan_status::actions_planned;
  p.summary.slots_moved = 3;
  p.summary.ranges_after.push_back({rcplan::node_id{id_a}, 1});
  const std::string without = nlohmann::ordered_json(p).dump();
  CHECK(without.find("keys_moved") == std::string::npos);
  CHECK(json::parse(without).get<rcplan::plan>() == p);

  p.summary.keys_moved = 123456789012;
  const std::string with = nlohmann::ordered_json(p).dump();
  CHECK(with.find(R"("summary":{"slots_moved":3,"lower_bound":0,"keys_moved":123456789012,"ranges_after":{)") !=
        std::string::npos);
  CHECK(json::parse(with).get<rcplan::plan>() == p);
  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","summary":{"keys_moved":-1}})").path() == "summary.keys_moved");
}
