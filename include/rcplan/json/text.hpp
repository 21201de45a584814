#pragma once

// rcplan's JSON documents as text, for translation units that need no JSON library of their
// own: the resource, the observed topology and the plan read from and written to strings, in
// the shapes of the rest of rcplan/json/. The text they write is what `rcplan --output json`
// prints and what the C ABI returns for the same value, and it is deterministic.
//
// Errors: malformed JSON is an rcplan::parse_error with id `rcplan.json` and the line; a
// document of the wrong shape a json_error (`rcplan.json`) naming the field's path.

#include <rcplan/config.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/spec/spec.hpp>

#include <string>
#include <string_view>

namespace rcplan {

/// A DistributedRedisCluster resource (the CRD's shape, or the bare spec rcplan's JSON writes).
[[nodiscard]] RCPLAN_ENTRY cluster_resource cluster_resource_from_json(std::string_view text);
[[nodiscard]] RCPLAN_ENTRY topology topology_from_json(std::string_view text);
[[nodiscard]] RCPLAN_ENTRY plan plan_from_json(std::string_view text);

/// `indent` < 0: one line; otherwise that many spaces per level. Fields in their documented order.
[[nodiscard]] RCPLAN_ENTRY std::string to_json_text(const cluster_resource& r, int indent = -1);
[[nodiscard]] RCPLAN_ENTRY std::string to_json_text(const topology& t, int indent = -1);
[[nodiscard]] RCPLAN_ENTRY std::string to_json_text(const plan& p, int indent = -1);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/json/impl/text.hpp>
#endif
