// rcplan::compiled: the conversions of plans, their actions and commands (see
// rcplan/json/detail/record.hpp), compiled once.
#include <rcplan/json/command.hpp>
#include <rcplan/json/impl/action.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/repair.hpp>

namespace rcplan {
RCPLAN_JSON_PLAN_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_COMMAND_RECORDS(RCPLAN_JSON_INSTANTIATE)
RCPLAN_JSON_REPAIR_RECORDS(RCPLAN_JSON_INSTANTIATE)
template void to_json<nlohmann::json>(nlohmann::json&, const action&);
template void to_json<nlohmann::ordered_json>(nlohmann::ordered_json&, const action&);
}  // namespace rcplan
