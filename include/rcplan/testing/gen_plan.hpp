#pragma once

// rapidcheck generators of actions, steps and plans. They cover every action type and every
// enum value, with text that needs escaping, which is what serialisation round trips need;
// they do not make plans a planner would emit (waves are ordered, nothing more).
//
// Example:
//
//   #include <rcplan/json/json.hpp>
//   #include <rcplan/testing/gen_plan.hpp>
//   #include <rapidcheck/catch.h>
//
//   TEST_CASE("plans survive my storage") {
//     rc::prop("round trip", [] {
//       const rcplan::plan p = *rcplan::testing::gen_plan();
//       RC_ASSERT(load(store(p)) == p);
//     });
//   }
//
// A secret `config_set` always holds `rcplan::secret_placeholder`, as the plan contract says.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/testing/gen_model.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::testing {

namespace detail {

/// Short text with quotes, backslashes, control characters and non-ASCII UTF-8: everything a
/// serialiser must escape, and nothing (invalid UTF-8) that JSON cannot carry.
[[nodiscard]] inline rc::Gen<std::string> gen_text() {
  const auto piece = rc::gen::weightedOneOf<std::string>({
      {8, rc::gen::map(rc::gen::inRange<int>(0x20, 0x7f), [](int c) { return std::string(1, static_cast<char>(c)); })},
      {1, rc::gen::element<std::string>("\"", "\\", "\n", "\t", std::string(1, '\x01'), "é", "→", "🙂")},
  });
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(piece), [](const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += p;
    return s;
  });
}

/// A node id or, for a node a plan creates, the pod name it is known by until it has an id.
[[nodiscard]] inline rc::Gen<node_id> gen_action_node() {
  return rc::gen::weightedOneOf<node_id>({
      {4, gen_node_id()},
      {1, rc::gen::map(rc::gen::inRange<int>(0, 20), [](int i) { return node_id{"drc-example-" + std::to_string(i) + "-0"}; })},
  });
}

[[nodiscard]] inline rc::Gen<std::string> gen_object_name() {
  return rc::gen::map(rc::gen::pair(rc::gen::element<std::string>("drc-example", "drc-cache", "redis"),
                                    rc::gen::inRange<int>(0, 12)),
                      [](const std::pair<std::string, int>& p) { return p.first + "-" + std::to_string(p.second); });
}

template <typename T>
[[nodiscard]] rc::Gen<action> as_action(rc::Gen<T> g) {
  return rc::gen::map(std::move(g), [](T a) { return action{std::move(a)}; });
}

}  // namespace detail

/// Any action, every type equally likely.
[[nodiscard]] inline rc::Gen<action> gen_action() {
  using detail::as_action;
  using detail::gen_action_node;
  using detail::gen_object_name;
  using detail::gen_text;
  const auto small_int = rc::gen::inRange<int>(-1, 10);
  return rc::gen::oneOf(
      as_action(rc::gen::construct<meet>(gen_action_node(), gen_address(), gen_action_node())),
      as_action(rc::gen::construct<add_slots>(gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_config_epoch>(gen_action_node(), rc::gen::arbitrary<std::uint64_t>())),
      as_action(rc::gen::construct<replicate>(gen_action_node(), gen_action_node())),
      as_action(rc::gen::construct<migrate_slots>(gen_action_node(), gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_slot_stable>(gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_slot_node>(gen_action_node(), gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<failover>(
          gen_action_node(), rc::gen::element(failover_mode::default_mode, failover_mode::force, failover_mode::takeover))),
      as_action(rc::gen::construct<forget>(gen_action_node())),
      as_action(rc::gen::construct<reset>(gen_action_node(), rc::gen::element(reset_mode::soft, reset_mode::hard))),
      as_action(rc::gen::exec([] {
        config_set c;
        c.node = *detail::gen_action_node();
        c.parameter = *rc::gen::element<std::string>("maxmemory", "masterauth", "requirepass", "cluster-node-timeout");
        c.secret = *rc::gen::arbitrary<bool>();
        c.value = c.secret ? std::string(secret_placeholder) : *detail::gen_text();
        return c;
      })),
      as_action(rc::gen::construct<wait_until>(
          rc::gen::element(wait_condition::views_agree, wait_condition::replica_synced, wait_condition::node_known,
                           wait_condition::pods_ready, wait_condition::node_reachable, wait_condition::failover_done),
          gen_text(), rc::gen::arbitrary<std::uint32_t>())),
      as_action(rc::gen::construct<apply_statefulset>(gen_object_name(), small_int, small_int,
                                                      rc::gen::element<std::string>("redis:7.0", "redis:6.2.14"),
                                                      rc::gen::container<std::string>(16, detail::gen_hex_digit()))),
      as_action(rc::gen::construct<apply_service>(gen_object_name(), rc::gen::arbitrary<bool>(), small_int)),
      as_action(rc::gen::construct<apply_pdb>(gen_object_name(), small_int, small_int)),
      as_action(rc::gen::construct<apply_configmap>(
          gen_object_name(), rc::gen::container<std::map<std::string, std::string>>(gen_text(), gen_text()))),
      as_action(rc::gen::construct<scale_statefulset>(gen_object_name(), small_int)),
      as_action(rc::gen::construct<delete_pod>(gen_object_name())),
      as_action(rc::gen::construct<delete_statefulset>(gen_object_name())),
      as_action(rc::gen::construct<delete_pvc>(gen_object_name())),
      as_action(rc::gen::construct<update_status>(
          rc::gen::element<std::string>("Healthy", "Creating", "Scaling", "Rebalancing", "Failed"), gen_text())));
}

[[nodiscard]] inline rc::Gen<diagnostic> gen_diagnostic() {
  return rc::gen::construct<diagnostic>(
      rc::gen::element(severity::info, severity::warning, severity::error),
      rc::gen::element<std::string>("slots.uncovered", "views.disagree", "spec.invalid"),
      rc::gen::weightedOneOf<std::string>({{1, rc::gen::just(std::string{})}, {2, detail::gen_text()}}),
      detail::gen_text());
}

/// A plan of any status with steps of every action type in ascending waves.
[[nodiscard]] inline rc::Gen<plan> gen_plan() {
  return rc::gen::exec([] {
    plan p;
    p.status = *rc::gen::element(plan_status::converged, plan_status::actions_planned, plan_status::waiting,
                                 plan_status::blocked);
    p.diagnostics = *rc::gen::container<std::vector<diagnostic>>(gen_diagnostic());
    int wave = 0;
    for (const action& a : *rc::gen::container<std::vector<action>>(gen_action())) {
      wave += *rc::gen::weightedElement<int>({{2, 0}, {1, 1}});
      p.steps.push_back(step{wave, *detail::gen_text(), a});
    }
    p.summary.slots_moved = *rc::gen::inRange<std::size_t>(0, slot_count + 1);
    p.summary.lower_bound = *rc::gen::inRange<std::size_t>(0, p.summary.slots_moved + 1);
    for (const node_id& id : *rc::gen::container<std::vector<node_id>>(gen_node_id()))
      p.summary.ranges_after[id] = *rc::gen::inRange<std::size_t>(0, 40);
    return p;
  });
}

}  // namespace rcplan::testing
