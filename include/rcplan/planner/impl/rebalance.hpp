#pragma once

// The definitions of what rcplan/planner/rebalance.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/detail/rebalance_plan.hpp>
#include <rcplan/planner/rebalance.hpp>

namespace rcplan {

// Declared here too: header-only, a translation unit that includes the pipeline's header
// (detail/rebalance_plan.hpp) first reaches this file through rebalance.hpp before the
// pipeline has defined rebalance_own.
namespace planner_detail {
[[nodiscard]] inline plan rebalance_own(const topology& t, const rebalance_options& opt);
}  // namespace planner_detail

RCPLAN_ENTRY plan plan_rebalance(const topology& t, const rebalance_options& opt) {
  return planner_detail::rebalance_own(t, opt);
}

}  // namespace rcplan
