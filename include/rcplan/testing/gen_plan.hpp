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

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/testing/gen_model.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::testing {

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<kube_resources> gen_kube_resources();

/// A StatefulSet description with every field exercised, opaque ones included.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<statefulset_description> gen_statefulset_description();

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<service_description> gen_service_description();

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<pdb_description> gen_pdb_description();

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<configmap_description> gen_configmap_description();

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<cluster_status> gen_cluster_status();

/// Any action, every type equally likely.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<action> gen_action();

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<diagnostic> gen_diagnostic();

/// A plan of any status with steps of every action type in ascending waves.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<plan> gen_plan();

}  // namespace rcplan::testing

#if RCPLAN_TESTING_HEADER_ONLY
#include <rcplan/testing/impl/gen_plan.hpp>
#endif
