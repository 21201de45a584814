#pragma once

// The strategy harness: runs a rebalance strategy on a scenario the way an operator would —
// plan, carry out, observe, plan again until nothing is left — and measures the result with
// the design's quality measures, checking the slot-planner properties on the way: every slot
// owned exactly once after every pass, no strategy fault (plan_rebalance blocks those), at
// least the lower bound of moves, and (on clusters small enough to simulate slot by slot)
// every plan run cleanly in rcplan's simulator.

#include "metrics.hpp"
#include "scenarios.hpp"

#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/strategy.hpp>
#include <rcplan/testing/run_plan.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rcplan_bench {

struct evaluation {
  std::string strategy;
  std::string scenario;
  std::size_t masters = 0;
  double plan_us = 0;         ///< the first pass's plan time, best of a few runs
  std::size_t passes = 0;     ///< plans with steps until the strategy had nothing left to do
  std::size_t moved = 0;      ///< slots moved over all passes
  std::size_t lower_bound = 0;
  int waves = 0;              ///< over all passes
  std::size_t max_ranges = 0;  ///< per master at the end
  double mean_ranges = 0;
  std::size_t max_off_quota = 0;  ///< against rcplan's weighted quotas
  std::optional<std::string> problem;  ///< the first property that failed
};

namespace detail {

/// Carries out the plan's slot moves on every view of `t` (the bench topologies are one view).
inline void apply_moves(rcplan::topology& t, const rcplan::plan& p) {
  const auto give = [&](const rcplan::node_id& id, const rcplan::slot_set& s, bool add) {
    for (rcplan::cluster_view& v : t.views)
      for (rcplan::cluster_node& n : v.nodes)
        if (n.id == id) {
          if (add) n.slots |= s;
          else n.slots -= s;
        }
  };
  for (const rcplan::step& st : p.steps) {
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&st.action)) {
      give(m->source, m->slots, false);
      give(m->target, m->slots, true);
    } else if (const auto* a = std::get_if<rcplan::add_slots>(&st.action)) {
      give(a->node, a->slots, true);
    }
  }
}

[[nodiscard]] inline std::optional<std::string> coverage_problem(const rcplan::topology& t) {
  const auto nodes = rcplan::merged_nodes(t);
  if (const auto twice = rcplan::contested_slots(nodes); !twice.empty()) return "slots owned twice: " + rcplan::to_string(twice);
  if (const auto none = rcplan::uncovered_slots(nodes); !none.empty()) return "slots owned by nobody: " + rcplan::to_string(none);
  return std::nullopt;
}

template <typename S>
[[nodiscard]] double plan_time_us(const S& s, const scenario& sc) {
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const rcplan::plan p = rcplan::plan_rebalance(sc.topology, sc.options, s);
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    best = run == 0 ? us : std::min(best, us);
    if (p.steps.empty()) break;
  }
  return best;
}

}  // namespace detail

/// Runs `s` on `sc` pass after pass (at most `max_passes`); with `simulate`, each plan also runs
/// in the simulator first (slow beyond a hundred masters: every slot is lowered and applied).
template <rcplan::rebalance_strategy S>
[[nodiscard]] evaluation evaluate(const S& s, const scenario& sc, std::size_t max_passes, bool simulate) {
  evaluation e;
  e.strategy = std::string(s.name());
  e.scenario = sc.name;
  e.masters = sc.masters;
  e.plan_us = detail::plan_time_us(s, sc);
  rcplan::topology t = sc.topology;
  for (std::size_t pass = 0; pass < max_passes && !e.problem; ++pass) {
    const rcplan::plan p = rcplan::plan_rebalance(t, sc.options, s);
    if (p.status == rcplan::plan_status::blocked) {
      e.problem = p.diagnostics.empty() ? "blocked" : p.diagnostics.back().code + ": " + p.diagnostics.back().message;
      break;
    }
    if (p.steps.empty()) break;
    if (simulate)
      if (auto v = rcplan::testing::check_plan_safe(t, p)) e.problem = "simulator: " + *v;
    ++e.passes;
    e.moved += p.summary.slots_moved;
    e.waves += p.wave_count();
    detail::apply_moves(t, p);
    if (!e.problem) e.problem = detail::coverage_problem(t);
  }
  ownership after;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t))
    if (n.is_master()) after[n.id] = n.slots;
  const outcome o = measure(sc, after);
  e.lower_bound = o.lower_bound;
  e.max_ranges = o.max_ranges;
  e.mean_ranges = o.mean_ranges;
  e.max_off_quota = o.max_off_quota;
  if (!e.problem && e.moved < e.lower_bound && e.max_off_quota == 0)
    e.problem = "moved fewer slots than the lower bound yet reached the quotas: the accounting is wrong";
  return e;
}

}  // namespace rcplan_bench
