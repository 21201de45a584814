// Round trips through both directions of every description, for the generated documents:
// from_json(to_json(x)) == x, and writing what was read gives the same bytes, sorted
// (nlohmann::json) and in the documented order (nlohmann::ordered_json).

#include <rcplan/json/json.hpp>
#include <rcplan/testing/gen_model.hpp>
#include <rcplan/testing/gen_plan.hpp>
#include <rcplan/testing/gen_spec.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <variant>
#include <vector>

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

/// Asserts both round-trip properties for `x`, through text, in both orders.
template <typename T>
void check_round_trip(const T& x) {
  const std::string sorted = json(x).dump();
  const T from_sorted = json::parse(sorted).get<T>();
  RC_ASSERT(from_sorted == x);
  RC_ASSERT(json(from_sorted).dump() == sorted);

  const std::string ordered = ordered_json(x).dump();
  const T from_ordered = json::parse(ordered).get<T>();
  RC_ASSERT(from_ordered == x);
  RC_ASSERT(ordered_json(from_ordered).dump() == ordered);
  // the two orders hold the same document
  RC_ASSERT(json::parse(ordered) == json::parse(sorted));
}

}  // namespace

TEST_CASE("actions and plans: from_json(to_json(x)) == x, and the bytes are stable") {
  rc::prop("every action", [] { check_round_trip(*rcplan::testing::gen_action()); });
  rc::prop("steps", [] {
    const rcplan::step s{*rc::gen::inRange(0, 100), *rc::gen::element<std::string>("", "move slots", "say \"why\"\n"),
                         *rcplan::testing::gen_action()};
    check_round_trip(s);
  });
  rc::prop("plans", [] { check_round_trip(*rcplan::testing::gen_plan()); });
}

TEST_CASE("Kubernetes objects and status: from_json(to_json(x)) == x, and the bytes are stable") {
  rc::prop("objects", [] {
    rcplan::kube_objects o;
    o.statefulsets = *rc::gen::container<std::vector<rcplan::statefulset_description>>(
        rcplan::testing::gen_statefulset_description());
    o.services = *rc::gen::container<std::vector<rcplan::service_description>>(
        rcplan::testing::gen_service_description());
    o.pdbs = *rc::gen::container<std::vector<rcplan::pdb_description>>(rcplan::testing::gen_pdb_description());
    o.configmap = *rcplan::testing::gen_configmap_description();
    check_round_trip(o);
  });
  rc::prop("status", [] { check_round_trip(*rcplan::testing::gen_cluster_status()); });
}

TEST_CASE("topologies: from_json(to_json(x)) == x, and the bytes are stable") {
  rc::prop("topologies", [] { check_round_trip(*rcplan::testing::gen_topology()); });
  rc::prop("cluster views", [] { check_round_trip(*rcplan::testing::gen_cluster_view()); });
  rc::prop("replication info", [] { check_round_trip(*rcplan::testing::gen_replication_info()); });
}

TEST_CASE("specs and resources: from_json(to_json(x)) == x, and the bytes are stable") {
  rc::prop("specs", [] { check_round_trip(*rcplan::testing::gen_cluster_spec()); });
  rc::prop("resources", [] { check_round_trip(*rcplan::testing::gen_cluster_resource()); });
  rc::prop("resources through load_resource", [] {
    const auto r = *rcplan::testing::gen_cluster_resource();
    const std::string text = json(r).dump();
    const auto any = rcplan::load_resource(json::parse(text));
    RC_ASSERT(std::get<rcplan::cluster_resource>(any) == r);
    RC_ASSERT(json(any).dump() == text);
  });
}
