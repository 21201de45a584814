#pragma once

// to_json/from_json for plan_repair()'s result (rcplan/planner/repair.hpp):
//
//   {"steps": [...], "diagnostics": [...], "blocked": false,
//    "ownership": {"<master id>": [[0, 5460]]}, "unassigned": [], "slots_repaired": 1}

#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/planner/repair.hpp>

#include <string>
#include <tuple>

namespace rcplan::json_detail {

/// Master ids as object keys (`ownership`).
struct master_slots_key {
  using type = node_id;
  static constexpr const char* expected = "an object of master id to slot ranges";
  [[nodiscard]] static node_id from_key(const std::string& key) { return node_id{key}; }
  [[nodiscard]] static std::string to_key(const node_id& id) { return id.value; }
};

template <> inline constexpr auto fields_of<repair_result> = std::tuple{
    defaulted("steps", &repair_result::steps), defaulted("diagnostics", &repair_result::diagnostics),
    defaulted("blocked", &repair_result::blocked),
    defaulted("ownership", &repair_result::ownership, keyed_map<master_slots_key, codec<slot_set>>{}),
    defaulted("unassigned", &repair_result::unassigned), defaulted("slots_repaired", &repair_result::slots_repaired)};

}  // namespace rcplan::json_detail

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_REPAIR_RECORDS(X) X(repair_result)
namespace rcplan {
RCPLAN_JSON_REPAIR_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
