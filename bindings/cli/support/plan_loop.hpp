#pragma once

// observe → plan → execute, again until the plan is empty: how `fix` and `rebalance --redis`
// act on a live cluster, through the controller loop (rcplan/loop/loop.hpp) with every wave of
// a printed plan run in its round. Each round plans from a fresh observation, so a run killed at
// any moment is finished by running the command again, and a migration cut short by a dropped
// connection is repaired by the next round; a waiting plan is looked at again a second later.

#include "io.hpp"
#include "live.hpp"

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>

#include <functional>

namespace rcplan::cli {

struct plan_loop_settings {
  bool dry_run = false;
  output_format format = output_format::text;
  bool keys_per_slot = false;  ///< observe key counts per slot every round
  /// Whether a round observed without key counts must observe again with them.
  std::function<bool(const topology&)> want_key_counts;
  int max_rounds = 8;
};

/// Observes from `connection`'s seeds, plans with `make_plan`, prints the plan, and (unless a
/// dry run) executes it with progress on standard error, round after round until the plan is
/// empty. Throws command_exit(exit_blocked) for a blocked plan or one that never empties.
void run_plan_loop(const connection_options& connection, const plan_loop_settings& settings,
                   const std::function<plan(const topology&)>& make_plan);

}  // namespace rcplan::cli
