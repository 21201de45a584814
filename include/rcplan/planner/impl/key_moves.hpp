#pragma once

// The definitions of what rcplan/planner/key_moves.hpp declares: included by that header when
// header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/detail/key_moves.hpp>
#include <rcplan/planner/key_moves.hpp>

namespace rcplan {

RCPLAN_ENTRY std::vector<slot_transfer> plan_key_transfers(const std::vector<key_holding>& holdings,
                                                           const std::vector<std::uint64_t>& keys_per_slot) {
  return planner_detail::key_transfers(holdings, keys_per_slot);
}

}  // namespace rcplan
