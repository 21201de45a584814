#pragma once

// The plan that repairs a cluster's slots, like `redis-cli --cluster fix`: plan_repair()'s steps
// for open, contested and uncovered slots, plus add_slots for uncovered slots that hold no keys
// anywhere (plan_repair leaves those to the balancer; a fix hands them to the masters with the
// fewest slots, covering them without rebalancing). `rcplan fix` runs it.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/detail/fix.hpp>
#include <rcplan/planner/detail/rebalance.hpp>
#include <rcplan/planner/repair.hpp>

#include <algorithm>
#include <map>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan {

namespace fix_code {
/// Uncovered slots hold no keys, but no healthy master can take them.
inline constexpr const char* no_master = "fix.no_master";
}  // namespace fix_code

/// Whether `nodes` (merged_nodes of a topology) have slots a fix repairs: open, uncovered or
/// contested ones. Their safe repair depends on where their keys are, so an observation for
/// plan_fix or plan_rebalance needs key counts per slot when this holds.
[[nodiscard]] inline bool has_broken_slots(const std::vector<cluster_node>& nodes) {
  const bool open = std::any_of(nodes.begin(), nodes.end(), [](const cluster_node& n) { return !n.open_slots.empty(); });
  return open || !uncovered_slots(nodes).empty() || !contested_slots(nodes).empty();
}

/// The repair of `t`'s slots. Needs key counts per slot in `t` to repair anything that may hold
/// keys (else blocked); converged when nothing is broken.
[[nodiscard]] RCPLAN_ENTRY plan plan_fix(const topology& t);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/fix.hpp>
#endif
