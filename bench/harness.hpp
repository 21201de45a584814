#pragma once

// The strategy harness: runs a rebalance strategy on a scenario the way an operator would —
// plan, carry out, observe, plan again until nothing is left — and measures the result with
// the design's quality measures, checking the slot-planner properties on the way: every slot
// owned exactly once after every pass, no strategy fault (plan_rebalance blocks those), at
// least the lower bound of moves, and (on clusters small enough to simulate slot by slot)
// every plan run cleanly in rcplan's simulator. A scenario with keys or open slots is carried
// out in the simulator, which moves keys and closes slots as Redis would.

#include "metrics.hpp"
#include "scenarios.hpp"

#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/rebalance_strategy.hpp>
#include <rcplan/planner/strategy.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/testing/run_plan.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
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
  std::uint64_t keys_moved = 0;   ///< where keys are known: keys in the slots moved, all passes
  double key_spread = 0;          ///< where keys are known: most keys / weighted share − 1, in %
  std::optional<std::string> problem;  ///< the first property that failed
};

/// rcplan's own planner, not through the strategy interface: it also balances by keys.
struct own_planner {
  [[nodiscard]] std::string_view name() const noexcept { return "rcplan"; }
};

[[nodiscard]] inline rcplan::plan plan_with(const own_planner&, const rcplan::topology& t,
                                            const rcplan::rebalance_options& o) {
  return rcplan::plan_rebalance(t, o);
}

template <rcplan::rebalance_strategy S>
[[nodiscard]] rcplan::plan plan_with(const S& s, const rcplan::topology& t, const rcplan::rebalance_options& o) {
  return rcplan::plan_rebalance(t, o, s);
}

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

/// Keys of each slot on each master, from the observations.
using key_table = std::map<rcplan::node_id, std::map<rcplan::slot, std::uint64_t>>;

[[nodiscard]] inline key_table keys_of(const rcplan::topology& t) {
  key_table out;
  for (const rcplan::node_observation& o : t.observations)
    if (o.keys_per_slot) out[o.id] = *o.keys_per_slot;
  return out;
}

/// Keys the plan's migrations carry: what their sources hold of the slots they move.
[[nodiscard]] inline std::uint64_t keys_carried(const rcplan::topology& t, const rcplan::plan& p) {
  const key_table keys = keys_of(t);
  std::uint64_t n = 0;
  for (const rcplan::step& st : p.steps)
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&st.action)) {
      const auto held = keys.find(m->source);
      if (held == keys.end()) continue;
      m->slots.for_each([&](rcplan::slot s) {
        const auto k = held->second.find(s);
        if (k != held->second.end()) n += k->second;
      });
    }
  return n;
}

/// How far the most loaded master is above its weighted share of the keys, in percent.
[[nodiscard]] inline double key_spread(const rcplan::topology& t, const rcplan::rebalance_options& o) {
  std::map<rcplan::node_id, std::uint64_t> held;
  std::uint64_t total = 0;
  for (const auto& [id, slots] : keys_of(t))
    for (const auto& [s, k] : slots) {
      held[id] += k;
      total += k;
    }
  double weights = 0;
  std::vector<std::pair<rcplan::node_id, double>> masters;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t)) {
    if (!n.is_master()) continue;
    const auto w = o.weights.find(n.id);
    masters.emplace_back(n.id, w == o.weights.end() ? 1.0 : w->second);
    weights += masters.back().second;
  }
  double worst = 0;
  for (const auto& [id, w] : masters) {
    if (w <= 0 || total == 0) continue;
    const double share = static_cast<double>(total) * w / weights;
    worst = std::max(worst, 100.0 * (static_cast<double>(held[id]) / share - 1.0));
  }
  return worst;
}

/// The cluster after `p`: slots moved in every view, or, with keys or open slots, the
/// simulator's state after running the plan (keys moved, slots closed).
inline std::optional<std::string> carry_out(const scenario& sc, rcplan::topology& t, const rcplan::plan& p) {
  if (!sc.keys_known && !sc.open_slots) {
    apply_moves(t, p);
    return std::nullopt;
  }
  rcplan::sim::cluster c = rcplan::sim::cluster::from_topology(t);
  if (const auto v = rcplan::testing::run_plan(c, p)) return "simulator: " + v->invariant + ": " + v->detail;
  t = c.to_topology();
  return std::nullopt;
}

template <typename S>
[[nodiscard]] double plan_time_us(const S& s, const scenario& sc) {
  double best = 0;
  for (int run = 0; run < 5; ++run) {
    const auto start = std::chrono::steady_clock::now();
    const rcplan::plan p = plan_with(s, sc.topology, sc.options);
    const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
    best = run == 0 ? us : std::min(best, us);
    if (p.steps.empty()) break;
  }
  return best;
}

}  // namespace detail

/// Runs `s` on `sc` pass after pass (at most `max_passes`); with `simulate`, each plan also runs
/// in the simulator first (slow beyond a hundred masters: every slot is lowered and applied).
template <typename S>
[[nodiscard]] evaluation evaluate(const S& s, const scenario& sc, std::size_t max_passes, bool simulate) {
  evaluation e;
  e.strategy = std::string(s.name());
  e.scenario = sc.name;
  e.masters = sc.masters;
  e.plan_us = detail::plan_time_us(s, sc);
  rcplan::topology t = sc.topology;
  for (std::size_t pass = 0; pass < max_passes && !e.problem; ++pass) {
    const rcplan::plan p = plan_with(s, t, sc.options);
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
    if (sc.keys_known) e.keys_moved += detail::keys_carried(t, p);
    if (auto v = detail::carry_out(sc, t, p); v && !e.problem) e.problem = std::move(v);
    if (!e.problem) e.problem = detail::coverage_problem(t);
  }
  if (sc.keys_known) e.key_spread = detail::key_spread(t, sc.options);
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
