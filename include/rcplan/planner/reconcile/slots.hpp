#pragma once

// The slot phase: plan_rebalance() on the members' views, with each shard's weight from the
// spec (removed shards and nodes no pod runs weigh 0, so they drain).

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <algorithm>
#include <cstddef>
#include <utility>

namespace rcplan::planner_detail {

[[nodiscard]] inline phase_result balance_slots(const reconcile_context& c) {
  rebalance_options o;
  o.use_empty_masters = c.desired.spec.rebalance.use_empty_masters;
  o.threshold_percent = c.desired.spec.rebalance.threshold_percent;
  o.max_concurrent_migrations = static_cast<std::size_t>(std::max(0, c.desired.spec.migration.max_concurrent_migrations));
  o.max_migrations_per_node = static_cast<std::size_t>(std::max(1, c.desired.spec.migration.max_migrations_per_node));
  o.balance = c.desired.spec.rebalance.balance_by == balance_metric::keys ? balance_mode::keys : balance_mode::slots;
  for (const cluster_node& n : c.nodes) {
    if (!n.is_master() || c.t.pods.empty()) continue;  // without pods, every master serves
    const auto [s, m] = c.layout.find(n.id);
    // only the masters of wanted shards serve slots; removed shards and strangers drain
    const bool serves = s != nullptr && c.wanted(s->index) && s->master() == m;
    o.weights[n.id] = serves ? shard_weight(c.desired.spec, s->index) : 0.0;
  }
  plan p = plan_rebalance(c.cluster_only, o);
  return {std::move(p.steps), std::move(p.diagnostics), p.status, std::move(p.summary)};
}

}  // namespace rcplan::planner_detail
