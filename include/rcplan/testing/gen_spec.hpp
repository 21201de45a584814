#pragma once

// rapidcheck generators of desired specs and resources, for property tests of anything that
// consumes a spec (validation, JSON, planners).
//
//   #include <rcplan/testing/gen_spec.hpp>
//   #include <rcplan/spec/validate.hpp>
//
//   TEST_CASE("planner accepts every valid spec") {
//     rc::prop("no errors, so the planner must not throw", [] {
//       const rcplan::cluster_spec spec = *rcplan::testing::gen_cluster_spec();
//       RC_ASSERT(!rcplan::has_errors(rcplan::validate(spec)));
//       // ... plan from `spec` ...
//     });
//     rc::prop("a broken spec is reported at its field", [] {
//       const auto broken = *rcplan::testing::gen_broken_cluster_spec();
//       const auto diags = rcplan::validate(broken.spec);
//       RC_ASSERT(std::any_of(diags.begin(), diags.end(),
//                             [&](const auto& d) { return d.subject == broken.subject; }));
//     });
//   }
//
// Valid specs have no validation errors but may carry warnings (1 master, 0 replicas,
// takeover allowed): those are legal and planners must cope with them. Opaque values and
// unknown fields are generated with sorted, unique object keys and small dyadic doubles, so
// that they survive a JSON round trip exactly.

#include <rcplan/config.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/spec/value.hpp>

#include <rapidcheck.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::testing {

/// Any opaque value, nested at most `depth` levels.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<value> gen_value(int depth = 2);

/// An object with sorted, unique keys, like the ones a JSON reader produces.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<value> gen_object(int depth = 2, std::string key_prefix = "");

/// Null or a non-empty object whose keys start with "x-", so they never collide with a known
/// field: what `unknown_fields` holds after reading JSON.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<value> gen_unknown_fields();

/// Requests no larger than limits, written in the usual units.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<resource_requirements> gen_resources();

/// A spec without validation errors (warnings allowed), touching every field.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<cluster_spec> gen_cluster_spec();

/// A whole DistributedRedisCluster around gen_cluster_spec(), sometimes with unknown
/// metadata (uid, ...) and top-level members (status, ...).
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<cluster_resource> gen_cluster_resource();

/// A spec with exactly one deliberate mistake, and where validate() must report it.
struct broken_spec {
  cluster_spec spec;
  std::string subject;  ///< the field path, e.g. `spec.shardWeights[2]`
  std::string code;     ///< the spec_code expected at that subject
};

[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<broken_spec> gen_broken_cluster_spec();

}  // namespace rcplan::testing

#if RCPLAN_TESTING_HEADER_ONLY
#include <rcplan/testing/impl/gen_spec.hpp>
#endif
