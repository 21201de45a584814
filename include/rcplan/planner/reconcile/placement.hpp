#pragma once

// Spreading masters over hosts (zones) again after failovers left them together, once nothing
// else is left to do.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <string>

namespace rcplan::planner_detail {

/// After failovers left masters sharing a host (or zone), the fewest planned failovers that
/// spread them again; only once everything else is done, so they never race a migration.
[[nodiscard]] inline phase_result spread_masters(const reconcile_context& c) {
  phase_result r;
  placement_plan pp = plan_spread_failovers(c.layout, c.desired.spec.placement);
  r.diagnostics = std::move(pp.diagnostics);
  for (const failover& f : pp.failovers) {
    r.add(0, "spread masters over " + std::string(c.desired.spec.placement.spread_by == spread_domain::zone ? "zones" : "hosts") +
                 ": promote " + short_id(f.replica),
          f);
    r.add(1, "wait for the handover to " + short_id(f.replica), wait_until{wait_condition::failover_done, f.replica.value, 0});
  }
  r.status = pp.failovers.empty() ? plan_status::converged : plan_status::actions_planned;
  return r;
}

}  // namespace rcplan::planner_detail
