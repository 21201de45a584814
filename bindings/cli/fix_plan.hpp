#pragma once

// The plan `rcplan fix` runs: plan_repair()'s steps for open, contested and uncovered slots,
// plus add_slots for uncovered slots that hold no keys anywhere (plan_repair leaves those to the
// balancer; `fix` hands them to the masters with the fewest slots, as redis-cli's fix covers
// them without rebalancing).

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>

namespace rcplan::cli {

/// Needs key counts per slot in `t` to repair anything that may hold keys (else blocked).
[[nodiscard]] plan plan_fix(const topology& t);

}  // namespace rcplan::cli
