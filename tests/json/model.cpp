#include <rcplan/json/model.hpp>
#include <rcplan/testing/gen_model.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include "json/json_errors.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

namespace {

using nlohmann::json;

template <typename T>
T parse_as(const std::string& text) {
  return json::parse(text).get<T>();
}

using rcplan::json_test::error_of;

const std::string id_a(40, 'a');
const std::string id_b(40, 'b');

}  // namespace

TEST_CASE("slot sets are written as sorted maximal inclusive ranges") {
  const rcplan::slot_set s{{10923, 16383}, {0, 5460}, {5461, 5461}};
  CHECK(json(s).dump() == "[[0,5461],[10923,16383]]");
  CHECK(json(rcplan::slot_set{}).dump() == "[]");
  CHECK(json(rcplan::slot_set::all()).dump() == "[[0,16383]]");
  CHECK(json(rcplan::slot_range{7, 9}).dump() == "[7,9]");
}

TEST_CASE("slot sets read unsorted, overlapping and single-slot input") {
  CHECK(parse_as<rcplan::slot_set>("[[100,200],[0,5],150,[190,300],7]") ==
        rcplan::slot_set{{0, 5}, {7, 7}, {100, 300}});
  CHECK(parse_as<rcplan::slot_set>("[]").empty());
  CHECK(parse_as<rcplan::slot_set>("[[0,16383]]").full());
  CHECK(parse_as<rcplan::slot_set>("[16383, [0, 0]]") == rcplan::slot_set{{0, 0}, {16383, 16383}});
  CHECK(parse_as<rcplan::slot_range>("42") == rcplan::slot_range{42, 42});
}

TEST_CASE("slot sets reject what is not a slot, naming the element") {
  auto e = error_of<rcplan::slot_set>("[[0,5],[9,3]]");
  CHECK(e.path() == "[1]");
  CHECK_THAT(e.detail(), Catch::Contains("reversed"));

  e = error_of<rcplan::slot_set>("[[0,16384]]");
  CHECK(e.path() == "[0][1]");
  CHECK_THAT(e.detail(), Catch::Contains("16384"));

  CHECK(error_of<rcplan::slot_set>("[-1]").path() == "[0]");
  CHECK(error_of<rcplan::slot_set>("[[0,1],[2]]").path() == "[1]");
  CHECK(error_of<rcplan::slot_set>("[[0,1,2]]").path() == "[0]");
  CHECK(error_of<rcplan::slot_set>("[1.5]").path() == "[0]");
  CHECK(error_of<rcplan::slot_set>("[[0,\"9\"]]").path() == "[0][1]");
  CHECK(error_of<rcplan::slot_set>("[99999999999999999999]").path() == "[0]");
  CHECK(error_of<rcplan::slot_set>("{\"0\": 5}").path().empty());
}

TEST_CASE("node flags use the wire names of CLUSTER NODES") {
  rcplan::node_flags f;
  f.myself = f.replica = f.pfail = f.nofailover = true;
  CHECK(json(f).dump() == R"(["myself","slave","fail?","nofailover"])");
  CHECK(json(f).get<rcplan::node_flags>() == f);
  CHECK(json(rcplan::node_flags{}).dump() == "[]");

  const auto e = error_of<rcplan::node_flags>(R"(["master","slave","bogus"])");
  CHECK(e.path() == "[2]");
  CHECK_THAT(e.detail(), Catch::Contains("bogus") && Catch::Contains("fail?") && Catch::Contains("nofailover"));
}

TEST_CASE("enums are snake_case strings - unknown ones list what is accepted") {
  CHECK(json(rcplan::node_role::replica).dump() == "\"replica\"");
  CHECK(json(rcplan::link_state::disconnected).dump() == "\"disconnected\"");
  CHECK(json(rcplan::open_slot::direction::importing).dump() == "\"importing\"");
  CHECK(json(rcplan::view_disagreement::kind::unknown_node).dump() == "\"unknown_node\"");
  CHECK(json(rcplan::severity::warning).dump() == "\"warning\"");

  const auto e = error_of<rcplan::cluster_node>(R"({"id":"x","link":"flaky"})");
  CHECK(e.path() == "link");
  CHECK(e.detail() == "unknown value \"flaky\"; expected one of: connected, disconnected");
  CHECK(error_of<rcplan::replication_info>(R"({"role":1})").path() == "role");
}

TEST_CASE("a cluster node has the documented shape") {
  rcplan::cluster_node n;
  n.id = {id_a};
  n.addr = {"10.0.0.1", 6379, 16379, "redis-0"};
  n.flags.replica = true;
  n.master_id = rcplan::node_id{id_b};
  n.pong_received = 1'700'000'000'000;
  n.config_epoch = 3;
  n.open_slots.push_back({5, rcplan::open_slot::direction::migrating, {id_b}});
  const nlohmann::ordered_json j = n;
  CHECK(j.dump() == R"({"id":")" + id_a +
                        R"(","addr":{"host":"10.0.0.1","port":6379,"bus_port":16379,"hostname":"redis-0"},)"
                        R"("flags":["slave"],"master_id":")" + id_b +
                        R"(","ping_sent":0,"pong_received":1700000000000,"config_epoch":3,"link":"connected",)"
                        R"("slots":[],"open_slots":[{"number":5,"dir":"migrating","peer":")" + id_b + R"("}]})");
  CHECK(json(n).get<rcplan::cluster_node>() == n);

  n.master_id.reset();
  CHECK_FALSE(json(n).contains("master_id"));
}

TEST_CASE("missing optional fields take the struct defaults - required ones are named") {
  const auto n = parse_as<rcplan::cluster_node>(R"({"id":"abc"})");
  rcplan::cluster_node expected;
  expected.id = {"abc"};
  CHECK(n == expected);

  auto e = error_of<rcplan::cluster_node>(R"({"flags":[]})");
  CHECK(e.path() == "id");
  CHECK(e.detail() == "required field is missing");
  CHECK(error_of<rcplan::cluster_view>(R"({"nodes":[]})").path() == "observer");
  CHECK(error_of<rcplan::open_slot>(R"({"number":1,"dir":"importing"})").path() == "peer");

  const auto o = parse_as<rcplan::node_observation>(R"({"id":"abc","keys_per_slot":null})");
  CHECK(o.reachable);
  CHECK_FALSE(o.keys_per_slot.has_value());
  CHECK_FALSE(o.replication.has_value());
}

TEST_CASE("unknown fields are ignored at every depth") {
  const auto t = parse_as<rcplan::topology>(R"({
    "future": {"anything": [1, 2]},
    "views": [{"observer": "o", "colour": "blue",
               "nodes": [{"id": "o", "shard": 3, "addr": {"host": "h", "port": 1, "tls": true},
                          "slots": [[0, 1]]}]}],
    "pods": [{"name": "p", "labels": {"a": "b"}}]
  })");
  REQUIRE(t.views.size() == 1);
  CHECK(t.views[0].nodes[0].addr == rcplan::address{"h", 1, 0, ""});
  CHECK(t.views[0].nodes[0].slots == rcplan::slot_set{{0, 1}});
  REQUIRE(t.pods.size() == 1);
  rcplan::pod expected;
  expected.name = "p";
  CHECK(t.pods[0] == expected);
}

TEST_CASE("wrong types name their full path") {
  const std::string node = R"({"id":"n"})";
  const std::string view = R"({"observer":"o","nodes":[)" + node + "]}";
  const auto with_node = [&](const std::string& bad) {
    return R"({"views":[)" + view + R"(,{"observer":"o","nodes":[)" + node + "," + node + "," + node + "," + bad +
           "]}]}";
  };

  auto e = error_of<rcplan::topology>(with_node(R"({"id":"n","slots":["x"]})"));
  CHECK(e.path() == "views[1].nodes[3].slots[0]");
  CHECK_THAT(e.what(), Catch::StartsWith("[rcplan.json] at views[1].nodes[3].slots[0]: "));

  CHECK(error_of<rcplan::topology>(with_node(R"({"id":"n","addr":{"port":"6379"}})")).path() ==
        "views[1].nodes[3].addr.port");
  CHECK(error_of<rcplan::topology>(with_node(R"({"id":"n","addr":{"port":70000}})")).path() ==
        "views[1].nodes[3].addr.port");
  CHECK(error_of<rcplan::topology>(with_node(R"({"id":7})")).path() == "views[1].nodes[3].id");
  CHECK(error_of<rcplan::topology>(with_node(R"({"id":"n","open_slots":[{"number":1,"dir":"up","peer":"p"}]})"))
            .path() == "views[1].nodes[3].open_slots[0].dir");
  CHECK(error_of<rcplan::topology>(with_node("[]")).path() == "views[1].nodes[3]");
  CHECK(error_of<rcplan::topology>(R"({"views":{}})").path() == "views");
  CHECK(error_of<rcplan::topology>("[]").path().empty());

  CHECK(error_of<rcplan::topology>(R"({"observations":[{"id":"a"},{"id":"b","keys_per_slot":{"12":"many"}}]})")
            .path() == "observations[1].keys_per_slot.12");
  CHECK(error_of<rcplan::topology>(R"({"observations":[{"id":"b","keys_per_slot":{"16384":1}}]})").path() ==
        "observations[0].keys_per_slot.16384");
  CHECK(error_of<rcplan::topology>(R"({"observations":[{"id":"b","keys_per_slot":{"-1":1}}]})").path() ==
        "observations[0].keys_per_slot.-1");
  CHECK(error_of<rcplan::topology>(
            R"({"observations":[{"id":"b","replication":{"replicas":[{"lag":-3}]}}]})")
            .path() == "observations[0].replication.replicas[0].lag");
  CHECK(error_of<rcplan::topology>(R"({"pods":[{"name":"p","ready":"yes"}]})").path() == "pods[0].ready");
  CHECK(error_of<rcplan::topology>(R"({"statefulsets":[{"name":"s","replicas":2.5}]})").path() ==
        "statefulsets[0].replicas");
}

TEST_CASE("observations write keys per slot as an object, only when observed") {
  rcplan::node_observation o;
  o.id = {id_a};
  o.keys_per_slot = std::map<rcplan::slot, std::uint64_t>{{12, 3}, {2, 40}};
  const json j = o;
  CHECK(j.at("keys_per_slot").dump() == R"({"12":3,"2":40})");
  CHECK(j.get<rcplan::node_observation>() == o);

  // Observed and empty is not the same as not observed: planners may drop an empty node only.
  o.keys_per_slot = std::map<rcplan::slot, std::uint64_t>{};
  CHECK(json(o).at("keys_per_slot").dump() == "{}");
  CHECK(json(o).get<rcplan::node_observation>().keys_per_slot == std::map<rcplan::slot, std::uint64_t>{});

  o.keys_per_slot.reset();
  CHECK_FALSE(json(o).contains("keys_per_slot"));
  CHECK_FALSE(json(o).get<rcplan::node_observation>().keys_per_slot.has_value());
}

TEST_CASE("observations write the password verdicts only when checked") {
  rcplan::node_observation o;
  o.id = {id_a};
  CHECK_FALSE(json(o).contains("password"));
  o.password = rcplan::password_state{false, true};
  const json j = o;
  CHECK(j.at("password").dump() == R"({"masterauth_current":true,"requirepass_current":false})");
  CHECK(j.get<rcplan::node_observation>() == o);
}

TEST_CASE("diagnostics and disagreements round trip") {
  const rcplan::diagnostic d{rcplan::severity::info, "views.disagree", "", "two views differ"};
  CHECK(nlohmann::ordered_json(d).dump() ==
        R"({"severity":"info","code":"views.disagree","message":"two views differ"})");
  CHECK(json(d).get<rcplan::diagnostic>() == d);
  const rcplan::diagnostic with_subject{rcplan::severity::error, "c", "spec.masterSize", "m"};
  CHECK(json(with_subject).get<rcplan::diagnostic>() == with_subject);

  const rcplan::view_disagreement v{{id_a}, {id_b}, rcplan::view_disagreement::kind::slots};
  CHECK(json(v).get<rcplan::view_disagreement>() == v);
  CHECK(error_of<rcplan::view_disagreement>(R"({"observer":"a","subject":"b","what":"colour"})").path() == "what");
}

TEST_CASE("generated model pieces round trip through JSON") {
  rc::prop("cluster views", [] {
    const rcplan::cluster_view v = *rcplan::testing::gen_cluster_view();
    const json j = v;
    RC_ASSERT(j.get<rcplan::cluster_view>() == v);
  });
  rc::prop("replication info", [] {
    const rcplan::replication_info r = *rcplan::testing::gen_replication_info();
    RC_ASSERT(json(r).get<rcplan::replication_info>() == r);
  });
  rc::prop("slot sets, also through text", [] {
    const rcplan::slot_set s = *rcplan::testing::gen_slot_set();
    const auto back = json::parse(json(s).dump()).get<rcplan::slot_set>();
    RC_ASSERT(back == s);
    RC_ASSERT(json(s).size() == s.range_count());
  });
}

TEST_CASE("generated topologies round trip through JSON, byte for byte") {
  rc::prop("topologies", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    const std::string text = json(t).dump();
    const auto back = json::parse(text).get<rcplan::topology>();
    RC_ASSERT(back == t);
    RC_ASSERT(json(back).dump() == text);
    RC_ASSERT(nlohmann::ordered_json(back).dump() == nlohmann::ordered_json(t).dump());
  });
}

TEST_CASE("optional observation fields round trip and stay out of the JSON when unset") {
  rcplan::topology t;
  t.observed_at_ms = 1764190000123;
  rcplan::statefulset s;
  s.name = "drc-a-0";
  s.image = "redis:7.0";
  s.config_hash = "c0ffee";
  s.password_secret = "a-password";
  t.statefulsets.push_back(s);
  rcplan::node_observation o;
  o.id = rcplan::node_id{std::string(40, 'a')};
  o.config = {{"maxmemory", "100mb"}};
  t.observations.push_back(o);
  const nlohmann::json j = t;
  CHECK(j.at("observed_at_ms") == 1764190000123ULL);
  CHECK(j.at("statefulsets").at(0).at("image") == "redis:7.0");
  CHECK(j.at("observations").at(0).at("config").at("maxmemory") == "100mb");
  CHECK(j.get<rcplan::topology>() == t);
  const nlohmann::json bare = rcplan::topology{};
  CHECK_FALSE(bare.contains("observed_at_ms"));
  rcplan::statefulset plain;
  plain.name = "drc-a-1";
  const nlohmann::json pj = plain;
  CHECK_FALSE(pj.contains("image"));
  CHECK_FALSE(pj.contains("config_hash"));
}
