#pragma once

// The definitions of what rcplan/planner/repair.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/detail/repair.hpp>
#include <rcplan/planner/repair.hpp>

namespace rcplan {

RCPLAN_ENTRY repair_result plan_repair(const topology& t, const std::vector<cluster_node>& nodes) {
  return planner_detail::repair_slots(t, nodes);
}

}  // namespace rcplan
