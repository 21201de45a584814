#pragma once

// The level-triggered loop of design §1, run against the simulated world: observe, plan,
// apply the first wave, let time pass, again, until the planner says converged. Faults can be
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

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/sim/world.hpp>

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

}  // namespace detail

/// Runs the loop on `w` until `planner` returns a converged plan, a step breaks an invariant,
/// or `max_iterations` plans were computed. Only the first wave of each plan is applied: the
/// rest is re-planned from what is then observed. A wait that does not hold ends the wave
/// early, as a binding's wait would time out.
template <typename Planner>
  requires std::invocable<const Planner&, const topology&>
[[nodiscard]] converge_report converge(sim::world& w, const Planner& planner, const converge_options& o = {}) {
  converge_report r;
  r.keys_before = w.cluster().total_keys();
  for (std::size_t i = 0; i < o.max_iterations; ++i) {
    std::optional<std::size_t> budget;
    for (const fault& f : o.faults) {
      if (f.at_iteration != i) continue;
      switch (f.what) {
        case fault::kind::kill_pod: w.kill_pod(f.target, f.lose_pvc, f.down_ticks); break;
        case fault::kind::lose_host: w.lose_host(f.target); break;
        case fault::kind::change_pod_ip: w.change_pod_ip(f.target); break;
        case fault::kind::interrupt_wave: budget = f.after_commands; break;
      }
    }
    const topology t = w.to_topology();
    const plan p = planner(t);
    ++r.iterations;
    r.last_status = p.status;
    r.last_diagnostics = p.diagnostics;
    if (p.status == plan_status::converged && p.steps.empty()) {
      r.converged = true;
      if (o.trace) r.trace.push_back(std::to_string(i) + ": converged");
      break;
    }
    int first = p.steps.empty() ? 0 : p.steps.front().wave;
    for (const step& s : p.steps) first = s.wave < first ? s.wave : first;
    if (o.trace)
      r.trace.push_back(std::to_string(i) + ": " + std::string(to_string(p.status)) + ", wave " +
                        std::to_string(first) + ": " + detail::describe_wave(p, first));
    for (const step& s : p.steps) {
      if (s.wave != first) continue;
      if (budget && *budget == 0) break;
      if (const auto* wait = std::get_if<wait_until>(&s.action)) {
        if (!w.holds(*wait)) break;
        continue;
      }
      std::size_t done = 0;
      r.violation = w.apply(s.action, p.diagnostics, budget, &done);
      if (r.violation) {
        if (o.trace) r.trace.push_back("  violation in '" + s.reason + "': " + r.violation->invariant + ": " +
                                       r.violation->detail);
        break;
      }
      if (budget) *budget -= done < *budget ? done : *budget;
    }
    if (r.violation) break;
    w.tick();
  }
  r.keys_after = w.cluster().total_keys();
  return r;
}

}  // namespace rcplan::testing
