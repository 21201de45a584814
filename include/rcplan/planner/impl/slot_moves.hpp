#pragma once

// The definitions of what rcplan/planner/slot_moves.hpp declares: included by that header when
// header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/detail/slot_moves.hpp>
#include <rcplan/planner/slot_moves.hpp>

namespace rcplan {

RCPLAN_ENTRY std::vector<slot_transfer> plan_slot_transfers(const std::vector<slot_holding>& holdings) {
  return planner_detail::slot_transfers(holdings);
}

}  // namespace rcplan
