// One wording for one mistake, whichever document it is made in: the model, a plan, the
// Kubernetes objects or the spec. Paths name the offending value in full.

#include <rcplan/json/json.hpp>

#include "json/json_errors.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using nlohmann::json;

using rcplan::json_test::error_from;
using rcplan::json_test::error_of;

rcplan::json_error spec_error(const std::string& spec) {
  return error_from([&] { (void)rcplan::load_cluster_resource(json{{"spec", json::parse(spec)}}); });
}

std::string plan_with_action(const std::string& action) {
  return R"({"status":"waiting","steps":[{"wave":0,"action":)" + action + "}]}";
}

}  // namespace

TEST_CASE("a string where true or false belongs reads the same everywhere") {
  const auto model = error_of<rcplan::topology>(R"({"pods":[{"name":"p","ready":"yes"}]})");
  const auto plan = error_of<rcplan::plan>(plan_with_action(R"({"type":"config_set","node":"n","parameter":"p","secret":"no"})"));
  const auto spec = spec_error(R"({"storage":{"deleteClaim":"true"}})");
  CHECK(model.path() == "pods[0].ready");
  CHECK(plan.path() == "steps[0].action.secret");
  CHECK(spec.path() == "spec.storage.deleteClaim");
  for (const auto& e : {model, plan, spec}) CHECK(e.detail() == "expected true or false, got string");
}

TEST_CASE("integers: the wrong type, a fraction and a value out of range read the same everywhere") {
  CHECK(error_of<rcplan::topology>(R"({"pods":[{"name":"p","port":"6379"}]})").detail() ==
        "expected an integer, got string");
  CHECK(spec_error(R"({"masterSize":"3"})").detail() == "expected an integer, got string");
  CHECK(spec_error(R"({"masterSize":true})").detail() == "expected an integer, got boolean");

  CHECK(error_of<rcplan::plan>(R"({"status":"waiting","steps":[{"wave":1.5,"action":{"type":"forget","node":"n"}}]})")
            .detail() == "expected an integer, got 1.5");
  CHECK(spec_error(R"({"migration":{"keyBatchSize":1.5}})").detail() == "expected an integer, got 1.5");

  CHECK(error_of<rcplan::address>(R"({"port":70000})").detail() == "70000 is out of range 0..65535");
  CHECK(spec_error(R"({"masterSize":4294967296})").detail() == "4294967296 is out of range -2147483648..2147483647");
  const auto negative = error_of<rcplan::plan>(plan_with_action(R"({"type":"wait_until","condition":"views_agree","timeout_seconds":-5})"));
  CHECK(negative.path() == "steps[0].action.timeout_seconds");
  CHECK(negative.detail() == "-5 is out of range 0..4294967295");
}

TEST_CASE("strings, enums, objects and arrays read the same everywhere") {
  CHECK(error_of<rcplan::pod>(R"({"name":1})").detail() == "expected a string, got number");
  CHECK(error_of<rcplan::plan>(plan_with_action(R"({"type":"scale_statefulset","name":[],"replicas":1})")).detail() ==
        "expected a string, got array");
  CHECK(spec_error(R"({"image":false})").detail() == "expected a string, got boolean");

  CHECK(error_of<rcplan::cluster_node>(R"({"id":"x","link":"flaky"})").detail() ==
        "unknown value \"flaky\"; expected one of: connected, disconnected");
  CHECK(spec_error(R"({"placement":{"spreadBy":"rack"}})").detail() ==
        "unknown value \"rack\"; expected one of: none, host, zone, hostAndZone");
  CHECK(error_of<rcplan::node_flags>(R"(["bogus"])").detail() ==
        "unknown value \"bogus\"; expected one of: myself, master, slave, fail?, fail, handshake, noaddr, nofailover");

  CHECK(error_of<rcplan::topology>(R"({"views":[5]})").detail() == "expected an object, got number");
  CHECK(spec_error(R"({"storage":5})").detail() == "expected an object, got number");
  CHECK(error_of<rcplan::topology>(R"({"views":{}})").detail() == "expected an array, got object");
  CHECK(spec_error(R"({"command":{}})").detail() == "expected an array, got object");
}

TEST_CASE("a required field that is missing or null reads the same everywhere") {
  for (const auto& e : {error_of<rcplan::cluster_view>(R"({"nodes":[]})"), error_of<rcplan::plan>(R"({"status":null})"),
                        error_of<rcplan::service_port>(R"({"name":"client"})"),
                        error_from([] { (void)rcplan::load_resource(json{{"spec", json::object()}}); })})
    CHECK(e.detail() == "required field is missing");
}

TEST_CASE("a type mismatch never repeats the value, which may be a secret") {
  const auto e = error_of<rcplan::plan>(
      plan_with_action(R"({"type":"config_set","node":"n","parameter":"requirepass","secret":true,"value":987654321})"));
  CHECK(e.path() == "steps[0].action.value");
  CHECK(std::string(e.what()).find("987654321") == std::string::npos);
}

TEST_CASE("a single action of another type is refused at its type") {
  const auto e = error_of<rcplan::meet>(R"({"type":"forget","node":"n"})");
  CHECK(e.path() == "type");
  CHECK(e.detail() == "expected \"meet\", got \"forget\"");
  // without a type the fields say what it is
  CHECK(json::parse(R"({"node":"n"})").get<rcplan::forget>() == rcplan::forget{{"n"}});
}

TEST_CASE("the kind of a resource is checked with the same wording") {
  const auto e = error_from([] {
    (void)rcplan::load_cluster_resource(json{{"kind", "RedisClusterBackup"}, {"spec", json::object()}});
  });
  CHECK(e.path() == "kind");
  CHECK(e.detail() == "expected \"DistributedRedisCluster\", got \"RedisClusterBackup\"");
}
