#pragma once

// The definitions of what rcplan/planner/placement.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/detail/placement.hpp>

namespace rcplan {

RCPLAN_ENTRY std::map<int, const shard_member*> choose_masters(const cluster_layout& layout,
                                                               const placement_policy& policy) {
  return planner_detail::masters_at_creation(layout, policy);
}

RCPLAN_ENTRY std::vector<diagnostic> placement_findings(const cluster_layout& layout,
                                                        const placement_policy& policy) {
  std::vector<diagnostic> out;
  for (planner_detail::placement_finding& f : planner_detail::placement_issues(layout, policy))
    out.push_back(std::move(f.diagnostic));
  return out;
}

RCPLAN_ENTRY placement_plan plan_spread_failovers(const cluster_layout& layout, const placement_policy& policy) {
  placement_plan out;
  const planner_detail::placement_domains d = planner_detail::domains_of(layout, policy);
  if (!d.by_host && !d.by_zone) return out;
  const auto masters = planner_detail::current_masters(layout);
  const auto options = planner_detail::spread_options(masters, d);
  const std::vector<std::size_t> chosen = planner_detail::solve_placement(options);
  auto after = masters;
  for (std::size_t i = 0; i < masters.size(); ++i) {
    if (chosen[i] == 0) continue;
    after[i].second = options[i][chosen[i]].member;
    out.failovers.push_back({after[i].second->node->id, failover_mode::default_mode});
  }
  if (const std::optional<std::string> why = planner_detail::spread_shortfall(layout, d, after))
    out.diagnostics.push_back({planner_detail::placement_severity(policy), placement_code::best_effort, "spec.placement",
                               "masters cannot all be kept apart by failovers now: " + *why});
  return out;
}

}  // namespace rcplan
