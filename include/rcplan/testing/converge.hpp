#pragma once

// The controller loop (rcplan/loop/loop.hpp) run against the simulated world: observe, plan,
// apply the first wave, let a tick pass, again, until the planner says converged. Faults can be
// injected between iterations and in the middle of a wave.
//
// Example:
//
//   rcplan::sim::world w;
//   const auto report = rcplan::testing::converge(w, [&](const rcplan::topology& t) {
//     return rcplan::reconcile(t, resource);
//   });
//   REQUIRE(report.converged);
//   REQUIRE_FALSE(report.violation);

#include <rcplan/loop/loop.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/sim/world.hpp>

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rcplan::testing {

/// Something that goes wrong at the start of iteration `at_iteration` (before observing), or,
/// for `interrupt_wave`, during that iteration's wave.
struct fault {
  enum class kind : std::uint8_t {
    kill_pod,        ///< `target` pod's process dies (restarts after `down_ticks`)
    lose_host,       ///< `target` host goes away with every pod on it
    interrupt_wave,  ///< the wave stops after `after_commands` lowered commands
    change_pod_ip,   ///< `target` pod gets a new address
  };
  kind what = kind::kill_pod;
  std::size_t at_iteration = 0;
  std::string target;
  bool lose_pvc = false;
  int down_ticks = 1;
  std::size_t after_commands = 0;
};

struct converge_options {
  std::size_t max_iterations = 50;
  std::vector<fault> faults;
  /// Keep one line per iteration in the report (status, first wave's actions): the first
  /// thing to read when a planner does not converge.
  bool trace = true;
};

struct converge_report {
  std::size_t iterations = 0;  ///< plans computed
  bool converged = false;      ///< the last plan was `converged` with no steps
  std::optional<sim::violation> violation;  ///< the first one; the loop stops there
  std::uint64_t keys_before = 0;
  std::uint64_t keys_after = 0;
  plan_status last_status = plan_status::converged;
  std::vector<diagnostic> last_diagnostics;
  std::vector<std::string> trace;
};

namespace detail {

[[nodiscard]] inline std::string describe_wave(const plan& p, int wave) {
  std::string out;
  std::size_t n = 0;
  for (const step& s : p.steps) {
    if (s.wave != wave) continue;
    if (n++ < 8) out += (out.empty() ? "" : ", ") + std::string(action_type_name(s.action));
  }
  if (n > 8) out += ", ... (" + std::to_string(n) + " steps)";
  return out;
}

[[nodiscard]] inline int first_wave(const plan& p) {
  int first = p.steps.empty() ? 0 : p.steps.front().wave;
  for (const step& s : p.steps) first = s.wave < first ? s.wave : first;
  return first;
}

/// The world as the loop's observe / execute / let-time-pass callables: faults land when an
/// iteration starts, a wave runs step by step through the world's interpreter, and time passes
/// one tick per iteration, whatever the backoff asks for.
class sim_loop {
 public:
  sim_loop(sim::world& w, const converge_options& o, converge_report& r) : w_(w), o_(o), r_(r) {}

  [[nodiscard]] topology observe() {
    budget_.reset();
    for (const fault& f : o_.faults) {
      if (f.at_iteration != iteration_) continue;
      switch (f.what) {
        case fault::kind::kill_pod: w_.kill_pod(f.target, f.lose_pvc, f.down_ticks); break;
        case fault::kind::lose_host: w_.lose_host(f.target); break;
        case fault::kind::change_pod_ip: w_.change_pod_ip(f.target); break;
        case fault::kind::interrupt_wave: budget_ = f.after_commands; break;
      }
    }
    ++iteration_;
    return w_.to_topology();
  }

  void trace(std::size_t iteration, const plan& p) {
    r_.last_status = p.status;
    r_.last_diagnostics = p.diagnostics;
    if (!o_.trace) return;
    const std::string i = std::to_string(iteration - 1);
    if (p.status == plan_status::converged && p.steps.empty()) {
      r_.trace.push_back(i + ": converged");
      return;
    }
    const int first = first_wave(p);
    r_.trace.push_back(i + ": " + std::string(to_string(p.status)) + ", wave " + std::to_string(first) + ": " +
                       describe_wave(p, first));
  }

  /// A wait that does not hold ends the execution, as a binding's wait would time out.
  [[nodiscard]] execution execute(const plan& p, int waves) {
    execution e;
    const int first = first_wave(p);
    for (int wave = first; wave < first + waves && e.complete; ++wave)
      for (const step& s : p.steps) {
        if (s.wave != wave) continue;
        if (!run(s, p.diagnostics, e)) break;
      }
    return e;
  }

 private:
  bool run(const step& s, const std::vector<diagnostic>& diagnostics, execution& e) {
    if (budget_ && *budget_ == 0) {
      e.complete = false;
      return false;
    }
    if (const auto* wait = std::get_if<wait_until>(&s.action)) {
      e.complete = w_.holds(*wait);
      return e.complete;
    }
    std::size_t done = 0;
    r_.violation = w_.apply(s.action, diagnostics, budget_, &done);
    if (r_.violation) {
      if (o_.trace)
        r_.trace.push_back("  violation in '" + s.reason + "': " + r_.violation->invariant + ": " + r_.violation->detail);
      e.complete = false;
      e.stop = true;
      return false;
    }
    if (budget_) *budget_ -= done < *budget_ ? done : *budget_;
    return true;
  }

  sim::world& w_;
  const converge_options& o_;
  converge_report& r_;
  std::size_t iteration_ = 0;
  std::optional<std::size_t> budget_;
};

}  // namespace detail

/// Runs the loop (rcplan::run_loop) on `w` until `planner` returns a converged plan, a step
/// breaks an invariant, or `max_iterations` plans were computed. Only the first wave of each
/// plan is applied (and the waits right after it): the rest is re-planned from what is then
/// observed. A wait that does not hold ends the wave early, as a binding's wait would time out.
/// Each iteration that does not end the loop lets one tick pass.
template <typename Planner>
  requires std::invocable<const Planner&, const topology&>
[[nodiscard]] converge_report converge(sim::world& w, const Planner& planner, const converge_options& o = {}) {
  converge_report r;
  r.keys_before = w.cluster().total_keys();
  detail::sim_loop sim(w, o, r);
  loop_callables<topology> c;
  c.observe = [&] { return sim.observe(); };
  c.make_plan = [&](const topology& t) { return plan(planner(t)); };
  c.execute = [&](const topology&, const plan& p, int waves) { return sim.execute(p, waves); };
  c.let_time_pass = [&](std::chrono::milliseconds) { w.tick(); };
  loop_options lo;
  lo.max_iterations = o.max_iterations;
  lo.on_plan = [&](std::size_t iteration, const plan& p) { sim.trace(iteration, p); };
  const loop_result result = run_loop(c, lo);
  r.iterations = result.iterations;
  r.converged = result.converged();
  r.keys_after = w.cluster().total_keys();
  return r;
}

}  // namespace rcplan::testing
