#pragma once

// from_json for the action variant: one reader per alternative, chosen by "type". Included by
// json/plan.hpp when header-only, compiled into rcplan::compiled otherwise (config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/json/plan.hpp>

#include <nlohmann/json.hpp>

namespace rcplan {

RCPLAN_ENTRY void from_json(const nlohmann::json& j, action& a) {
  json_detail::require_object(j);
  const nlohmann::json* type = json_detail::member_of(j, "type");
  if (type == nullptr) json_detail::missing_field("type");
  a = json_detail::read_action(json_detail::within("type", [type] { return json_detail::read_string(*type); }), j);
}

}  // namespace rcplan
