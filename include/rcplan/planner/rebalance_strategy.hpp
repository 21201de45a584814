#pragma once

// plan_rebalance() with a strategy of the caller's own (strategy.hpp). It is a template, so its
// pipeline compiles where it is called: rebalance.hpp brings it along when header-only, and a
// translation unit built against rcplan::compiled that calls it includes this header.

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/detail/rebalance_plan.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/strategy.hpp>

namespace rcplan {

// Declared here too: header-only, a translation unit that includes the pipeline's header
// (detail/rebalance_plan.hpp) first reaches this file through rebalance.hpp before the
// pipeline has defined rebalance_with.
namespace planner_detail {
template <typename S>
[[nodiscard]] plan rebalance_with(const topology& t, const rebalance_options& opt, const S& strategy);
}  // namespace planner_detail

/// plan_rebalance() with `strategy` choosing the transfers (strategy.hpp) in place of rcplan's
/// own: the repair, the availability and agreement checks, the waves and the summary are the
/// same, and the strategy's transfers are checked first (a fault blocks the plan with
/// `rebalance.strategy_invalid`, naming the strategy). Balancing by keys is rcplan's own; a
/// strategy sees slots, weights and quotas.
template <rebalance_strategy S>
[[nodiscard]] plan plan_rebalance(const topology& t, const rebalance_options& opt, const S& strategy) {
  return planner_detail::rebalance_with(t, opt, strategy);
}

}  // namespace rcplan
