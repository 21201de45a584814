#pragma once

// The controller loop of design §1, once for every place that runs it (the simulator, the Redis
// binding, the CLI, an operator): observe → plan → execute the first wave → observe …, with
// how to observe, plan, execute and let time pass given as callables.
//
// Level-triggered: nothing is carried from one iteration to the next but the backoff, so a loop
// killed at any moment is finished by starting it again. Each iteration ends in one of:
//   - the plan is converged (no steps), and `ready` (if given) accepts the observation: done;
//   - the plan is blocked: stop, a person or a spec change has to act;
//   - the plan is waiting (or converged but not ready yet): let time pass, observe again;
//   - the plan has steps: execute its first wave and the waits right after it, then re-plan.
//
// Example (a planner, an executor and a clock of your own):
//
//   rcplan::loop_callables<rcplan::topology> c;
//   c.observe = [&] { return my_observe(); };
//   c.make_plan = [&](const rcplan::topology& t) { return rcplan::reconcile(t, resource); };
//   c.execute = [&](const rcplan::topology& t, const rcplan::plan& p, int waves) { return my_execute(t, p, waves); };
//   const rcplan::loop_result r = rcplan::run_loop(c);

#include <rcplan/diagnostic.hpp>
#include <rcplan/loop/detail/backoff.hpp>
#include <rcplan/loop/detail/waves.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string_view>
#include <thread>
#include <variant>
#include <vector>

namespace rcplan {

/// What executing part of a plan reported back to the loop.
struct execution {
  /// Every step of the waves it was given ran. An execution cut short (a wait that timed out, a
  /// dropped connection) is not an error: the next observation shows where it stopped.
  bool complete = true;
  /// End the loop now: the executor saw something no re-plan can fix (in the simulator, a
  /// broken invariant).
  bool stop = false;
  /// Why it stopped early, and anything it left open.
  std::vector<diagnostic> diagnostics;
};

/// The callables the loop is made of, for one kind of observation.
template <typename Observation>
struct loop_callables {
  std::function<Observation()> observe;
  std::function<plan(const Observation&)> make_plan;
  /// Runs the steps of the first `waves` waves of the plan (counted from its lowest wave), the
  /// plan as planned from `observed` so that step indices and wave numbers stay those printed.
  std::function<execution(const Observation& observed, const plan&, int waves)> execute;
  /// Lets `delay` pass before the next observation (zero after an iteration that did work).
  /// Unset: the calling thread sleeps. A simulator advances its clock one tick whatever the delay.
  std::function<void(std::chrono::milliseconds delay)> let_time_pass;
  /// Unset, or whether a cluster whose plan is converged also serves requests; until it does the
  /// loop waits as for a waiting plan (a master that just started, a node that has not yet
  /// noticed that every slot is covered again).
  std::function<bool(const Observation&)> ready;
};

/// Limits, backoff and progress of one run of the loop.
struct loop_options {
  /// Plans computed at most (each iteration computes one).
  std::size_t max_iterations = 200;
  /// The delay after the first idle iteration; it doubles after each further one up to
  /// `backoff_max`, and falls back to `backoff` after an iteration that did work.
  std::chrono::milliseconds backoff{500};
  std::chrono::milliseconds backoff_max{500};
  /// Execute only the first wave of each plan (and the waits right after it) before observing
  /// again, as a controller does. False runs every wave of a plan before re-planning: a runbook
  /// that was printed is carried out as printed (`rcplan fix`, `rcplan rebalance --redis`).
  bool first_wave_only = true;
  /// Sees every plan, before it is executed, with its iteration number (from 1).
  std::function<void(std::size_t iteration, const plan&)> on_plan;
  /// Sees what every execution reported.
  std::function<void(std::size_t iteration, const execution&)> on_result;
};

enum class loop_end : std::uint8_t {
  converged,        ///< the last plan is converged and the cluster ready
  blocked,          ///< the last plan is blocked: its diagnostics say why
  stopped,          ///< an execution asked to stop
  iteration_limit,  ///< max_iterations plans were computed without converging
};

[[nodiscard]] constexpr std::string_view to_string(loop_end e) noexcept {
  switch (e) {
    case loop_end::converged: return "converged";
    case loop_end::blocked: return "blocked";
    case loop_end::stopped: return "stopped";
    case loop_end::iteration_limit: return "iteration_limit";
  }
  return "iteration_limit";
}

struct loop_result {
  loop_end end = loop_end::iteration_limit;
  std::size_t iterations = 0;  ///< plans computed
  plan last_plan;              ///< converged, blocked, or the one in progress
  std::vector<diagnostic> diagnostics;  ///< of the last execution

  [[nodiscard]] bool converged() const noexcept { return end == loop_end::converged; }
};

/// How many waves one iteration runs: the first, and the waves right after it that only wait
/// (for a handover, for the views). Re-planning before such a wait held would repeat the first
/// wave: a second CLUSTER FAILOVER restarts the handover it was meant to wait for.
[[nodiscard]] inline int first_wave_and_its_waits(const plan& p) {
  std::map<int, bool> only_waits;  // wave -> it holds nothing but wait_until steps
  for (const step& s : p.steps) {
    const bool wait = std::holds_alternative<wait_until>(s.action);
    const auto [it, fresh] = only_waits.try_emplace(s.wave, wait);
    if (!fresh) it->second = it->second && wait;
  }
  int n = 0;
  for (const auto& [wave, waits] : only_waits) {
    if (n > 0 && !waits) break;
    ++n;
  }
  return n > 0 ? n : 1;
}

/// Runs the loop until the plan is converged (and the cluster ready), blocked, an execution
/// asks to stop, or `max_iterations` plans were computed.
template <typename Observation>
[[nodiscard]] loop_result run_loop(const loop_callables<Observation>& c, const loop_options& o = {}) {
  loop_result r;
  loop_detail::backoff pause(o.backoff, o.backoff_max);
  const auto let_time_pass = [&](std::chrono::milliseconds delay) {
    if (c.let_time_pass) c.let_time_pass(delay);
    else if (delay.count() > 0) std::this_thread::sleep_for(delay);
  };
  while (r.iterations < o.max_iterations) {
    ++r.iterations;
    const Observation observed = c.observe();
    r.last_plan = c.make_plan(observed);
    const plan& p = r.last_plan;
    if (o.on_plan) o.on_plan(r.iterations, p);
    bool progress = false;
    if (p.status == plan_status::blocked) {
      r.end = loop_end::blocked;
      return r;
    }
    if (p.status == plan_status::converged && p.empty()) {
      if (!c.ready || c.ready(observed)) {
        r.end = loop_end::converged;
        return r;
      }
    } else if (p.status != plan_status::waiting && !p.empty()) {
      const execution e = c.execute(observed, p, o.first_wave_only ? first_wave_and_its_waits(p) : loop_detail::waves_of(p));
      r.diagnostics = e.diagnostics;
      if (o.on_result) o.on_result(r.iterations, e);
      if (e.stop) {
        r.end = loop_end::stopped;
        return r;
      }
      progress = e.complete;
    }
    let_time_pass(progress ? pause.after_progress() : pause.after_idle());
  }
  r.end = loop_end::iteration_limit;
  return r;
}

}  // namespace rcplan
