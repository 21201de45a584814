#pragma once

// Ready-made checks for users' property tests: run a plan in the simulator, optionally
// crashing part-way, and say what went wrong.
//
// Example (with gen_topology.hpp):
//
//   rc::prop("my controller's plans are safe", [] {
//     const rcplan::topology t = *rcplan::testing::gen_topology();
//     const rcplan::plan p = my_controller_plan(t);
//     if (const auto problem = rcplan::testing::check_plan_safe(t, p)) RC_FAIL(*problem);
//   });

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/sim/cluster.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <variant>

namespace rcplan::testing {

/// Where to stop a run, as a crash would: after `after_commands` lowered commands; if the
/// next command is a `move_keys` loop, `keys_fraction` of its keys were moved first.
struct crash_point {
  std::size_t after_commands = 0;
  double keys_fraction = 0.0;
};

/// Lowers each step against the simulator's current state and applies the commands in order.
/// Returns the first violation; stops early at `crash` when given.
[[nodiscard]] inline std::optional<sim::violation> run_plan(sim::cluster& c, const plan& p,
                                                            std::optional<crash_point> crash = std::nullopt,
                                                            lower_context ctx = {}) {
  std::size_t done = 0;
  for (const step& st : p.steps) {
    ctx.nodes = c.node_list();
    for (const lowered_command& cmd : lower(st.action, ctx)) {
      if (crash && done == crash->after_commands) {
        if (const auto* m = std::get_if<move_keys>(&cmd)) return c.apply_partial(*m, crash->keys_fraction);
        return std::nullopt;
      }
      if (auto v = c.apply(cmd)) return v;
      ++done;
    }
  }
  return std::nullopt;
}

/// Number of lowered commands a full run of `p` on `t` sends.
[[nodiscard]] inline std::size_t command_count(const topology& t, const plan& p) {
  sim::cluster c = sim::cluster::from_topology(t);
  lower_context ctx;
  std::size_t n = 0;
  for (const step& st : p.steps) {
    ctx.nodes = c.node_list();
    n += lower(st.action, ctx).size();
  }
  return n;
}

/// Runs `p` on `t` in the simulator: nothing Redis would refuse, no invariant of design §6
/// broken, no key lost. Returns a description of the first problem, or nothing.
[[nodiscard]] inline std::optional<std::string> check_plan_safe(const topology& t, const plan& p) {
  sim::cluster c = sim::cluster::from_topology(t);
  const auto keys = c.total_keys();
  if (auto v = run_plan(c, p)) return v->invariant + ": " + v->detail;
  if (c.total_keys() != keys)
    return "keys_lost: " + std::to_string(keys) + " keys before, " + std::to_string(c.total_keys()) + " after";
  return std::nullopt;
}

}  // namespace rcplan::testing
