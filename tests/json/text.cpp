#include <rcplan/json/text.hpp>

#include <rcplan/json/json.hpp>
#include <rcplan/testing/gen_plan.hpp>
#include <rcplan/testing/gen_spec.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <rapidcheck/catch.h>

#include <string>

namespace {

/// What the CLI and the C ABI write for `x`: its fields in the documented order.
template <typename T>
std::string ordered_dump(const T& x, int indent) {
  nlohmann::ordered_json j;
  to_json(j, x);
  return j.dump(indent);
}

}  // namespace

TEST_CASE("json text: written as the CLI writes it, and read back to the same value", "[json]") {
  rc::prop("plans", [] {
    const rcplan::plan p = *rcplan::testing::gen_plan();
    const std::string text = rcplan::to_json_text(p);
    RC_ASSERT(text == ordered_dump(p, -1));
    RC_ASSERT(rcplan::to_json_text(p, 2) == ordered_dump(p, 2));
    RC_ASSERT(rcplan::plan_from_json(text) == p);
  });
  rc::prop("topologies", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    const std::string text = rcplan::to_json_text(t);
    RC_ASSERT(text == ordered_dump(t, -1));
    RC_ASSERT(rcplan::to_json_text(rcplan::topology_from_json(text)) == text);
  });
  rc::prop("resources", [] {
    const rcplan::cluster_resource r = *rcplan::testing::gen_cluster_resource();
    const std::string text = rcplan::to_json_text(r);
    RC_ASSERT(text == ordered_dump(r, -1));
    RC_ASSERT(rcplan::to_json_text(rcplan::cluster_resource_from_json(text)) == text);
  });
}

TEST_CASE("json text: a resource reads as load_cluster_resource reads it, whole or as a bare spec", "[json]") {
  const std::string whole = R"({"apiVersion": "redis.kun/v1alpha1", "kind": "DistributedRedisCluster",
      "metadata": {"name": "example"}, "spec": {"masterSize": 3, "clusterReplicas": 1}})";
  CHECK(rcplan::cluster_resource_from_json(whole) == rcplan::load_cluster_resource(nlohmann::json::parse(whole)));
  const rcplan::cluster_resource bare = rcplan::cluster_resource_from_json(R"({"masterSize": 5})");
  CHECK(bare.metadata.name.empty());
  CHECK(bare.spec.master_size == 5);
}

TEST_CASE("json text: malformed text names its line, a wrong shape names the field", "[json]") {
  try {
    (void)rcplan::cluster_resource_from_json("{\n  \"spec\": {\n    \"masterSize\": 3,\n  }\n}");
    FAIL("accepted");
  } catch (const rcplan::parse_error& e) {
    CHECK(e.id() == "rcplan.json");
    CHECK(e.line() == 4);
    CHECK(std::string(e.what()).find("not JSON") != std::string::npos);
  }
  try {
    (void)rcplan::cluster_resource_from_json(R"({"spec": {"masterSize": "three"}})");
    FAIL("accepted");
  } catch (const rcplan::json_error& e) {
    CHECK(e.path() == "spec.masterSize");
  }
  try {
    (void)rcplan::plan_from_json(std::string("{\"status\": \"\x01\xff") + "\"");
    FAIL("accepted");
  } catch (const rcplan::parse_error& e) {
    // the input's bytes come back escaped
    for (const char c : std::string(e.what())) CHECK(static_cast<unsigned char>(c) >= 0x20);
  }
  CHECK_THROWS_AS(rcplan::topology_from_json("[]"), rcplan::error);
}
