#pragma once

// The controller loop (rcplan/loop/loop.hpp) against a live cluster: observe → reconcile →
// execute the first wave (and the waits right after it) → observe …, until the plan is
// converged, blocked, or the step limit is reached.
// It keeps no state between iterations, so killing it at any moment and running it again is
// safe: the next observation shows what was done.

#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>
#include <rcplan/redis/platform.hpp>
#include <rcplan/spec/spec.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

namespace rcplan::redis {

struct converge_options {
  observe_options observe;    ///< its password and previous password are also used for execution
  /// max_waves is set per plan (its first wave and the waits after it); key_batch,
  /// migrate_timeout_ms and wait_timeout come from the spec's `migration` settings.
  execute_options execute;
  reconcile_options reconcile;
  std::size_t max_iterations = 200;
  /// How long to sleep after an iteration that could not change anything (a waiting plan, a
  /// converged cluster not serving yet, an execution cut short) before observing again. It
  /// doubles with each further such iteration up to `waiting_backoff_max`.
  std::chrono::milliseconds waiting_backoff{500};
  std::chrono::milliseconds waiting_backoff_max{500};
  /// Sees every plan before it is executed (for printing it).
  std::function<void(std::size_t iteration, const plan&)> on_plan;
  /// Sees every observation with the plan made from it, before execution (an operator writes
  /// the resource's status from the two).
  std::function<void(const topology&, const plan&)> on_observed;
  /// Sees what every execution did: steps, slots and keys moved, why it stopped early.
  std::function<void(const execute_result&)> on_executed;
};

struct converge_result {
  bool converged = false;
  std::size_t iterations = 0;
  plan last_plan;  ///< the last plan computed (converged, blocked, or the one in progress)
  std::vector<diagnostic> diagnostics;  ///< of the last execution that stopped early
};

/// What reconcile() needs observed to plan for `desired`, on top of `base` (its passwords,
/// timeouts): the keys of every node (a drained node is forgotten only once it is proven empty)
/// and the live value of every setting the spec gives or rcplan writes by default (reconcile
/// compares them). An embedder running its own loop observes with these options.
[[nodiscard]] observe_options observation_for(const cluster_resource& desired, observe_options base = {});

/// Runs the loop. Seeds come from `platform->seeds()` when a platform is given (its pods),
/// else from `seeds`. Throws rcplan::error for an invalid spec (its diagnostics in the message)
/// before touching anything.
[[nodiscard]] converge_result run_until_converged(const std::vector<address>& seeds, const cluster_resource& desired,
                                                  const converge_options& options = {},
                                                  redis::platform* platform = nullptr);

}  // namespace rcplan::redis
