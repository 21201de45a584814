// action.hpp: the action variant, its snake_case type names and the Redis/Kubernetes split.

#include <rcplan/plan/action.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace {

/// Every alternative of the variant, default-constructed, in variant order.
template <std::size_t... I>
std::vector<rcplan::action> each_alternative(std::index_sequence<I...>) {
  return {rcplan::action{std::in_place_index<I>}...};
}
std::vector<rcplan::action> each_alternative() {
  return each_alternative(std::make_index_sequence<std::variant_size_v<rcplan::action>>{});
}

/// The variant index of the action named `name`, or the variant size when none is.
std::size_t index_of(std::string_view name) {
  for (const rcplan::action& a : each_alternative())
    if (rcplan::action_type_name(a) == name) return a.index();
  return std::variant_size_v<rcplan::action>;
}

bool snake_case(std::string_view s) {
  if (s.empty() || s.front() == '_' || s.back() == '_') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return false;
  return true;
}

}  // namespace

TEST_CASE("the action variant holds the 21 actions of design section 3, Redis ones first") {
  const std::vector<std::string_view> want = {
      "meet",          "add_slots",        "set_config_epoch",  "replicate",       "migrate_slots",
      "set_slot_stable", "set_slot_node",  "failover",          "forget",          "reset",
      "config_set",    "wait_until",       "apply_statefulset", "apply_service",   "apply_pdb",
      "apply_configmap", "scale_statefulset", "delete_pod",     "delete_statefulset", "delete_pvc",
      "update_status"};
  std::vector<std::string_view> names;
  for (const rcplan::action& a : each_alternative()) names.push_back(rcplan::action_type_name(a));
  CHECK(names == want);
}

TEST_CASE("type names are unique snake_case and round trip to their alternative") {
  std::set<std::string_view> seen;
  for (const rcplan::action& a : each_alternative()) {
    const std::string_view name = rcplan::action_type_name(a);
    INFO(name);
    CHECK(snake_case(name));
    CHECK(seen.insert(name).second);
    CHECK(index_of(name) == a.index());
  }
  CHECK(index_of("migrate_slot") == std::variant_size_v<rcplan::action>);
}

TEST_CASE("the name of a type and of a value of it agree") {
  STATIC_REQUIRE(rcplan::action_type_name<rcplan::migrate_slots>() == "migrate_slots");
  STATIC_REQUIRE(rcplan::action_type_name<rcplan::update_status>() == "update_status");
  CHECK(rcplan::action_type_name(rcplan::action{rcplan::forget{}}) == rcplan::action_type_name<rcplan::forget>());
  CHECK(rcplan::action_type_name(rcplan::action{rcplan::delete_pvc{"data-x"}}) == "delete_pvc");
}

TEST_CASE("Redis actions, waits included, come before the Kubernetes ones") {
  std::size_t redis = 0;
  for (const rcplan::action& a : each_alternative()) {
    INFO(rcplan::action_type_name(a));
    const bool kube = rcplan::action_type_name(a).substr(0, 6) == "apply_" ||
                      rcplan::action_type_name(a).substr(0, 7) == "delete_" ||
                      rcplan::action_type_name(a) == "scale_statefulset" ||
                      rcplan::action_type_name(a) == "update_status";
    CHECK(rcplan::is_redis_action(a) == !kube);
    if (rcplan::is_redis_action(a)) ++redis;
  }
  CHECK(redis == 12);
  CHECK(rcplan::is_redis_action(rcplan::wait_until{}));
}

TEST_CASE("actions compare by value and default to the safe modes") {
  CHECK(rcplan::action{rcplan::replicate{rcplan::node_id{"a"}, rcplan::node_id{"b"}}} ==
        rcplan::action{rcplan::replicate{rcplan::node_id{"a"}, rcplan::node_id{"b"}}});
  CHECK_FALSE(rcplan::action{rcplan::forget{rcplan::node_id{"a"}}} ==
              rcplan::action{rcplan::reset{rcplan::node_id{"a"}, rcplan::reset_mode::soft}});
  CHECK(rcplan::failover{}.mode == rcplan::failover_mode::default_mode);
  CHECK(rcplan::reset{}.mode == rcplan::reset_mode::soft);
  CHECK_FALSE(rcplan::config_set{}.secret);
  CHECK(rcplan::secret_placeholder == "<secret>");
}
