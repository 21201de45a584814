#pragma once

// The design's quality measures of a slot plan (moves, balance, contiguity, waves), computed
// the same way for an rcplan plan and for the redis-cli rule so that the two compare fairly.

#include "redis_cli_rule.hpp"
#include "scenarios.hpp"

#include <rcplan/model/slot_set.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/slot_quota.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <variant>
#include <vector>

namespace rcplan_bench {

using ownership = std::map<rcplan::node_id, rcplan::slot_set>;

struct outcome {
  std::size_t moved = 0;
  std::size_t lower_bound = 0;
  std::size_t max_ranges = 0;   ///< over masters that end with slots
  double mean_ranges = 0;       ///< over masters that end with slots
  std::size_t max_off_quota = 0;  ///< largest |slots held after − quota|
  std::size_t slots_owned = 0;    ///< slots owned by someone after the moves
  int waves = 0;
};

/// The masters taking part and their quotas, by rcplan's rounding; the yardstick for both.
[[nodiscard]] inline std::vector<rcplan::master_quota> quotas_of(const scenario& sc) {
  std::vector<rcplan::quota_input> in;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(sc.topology)) {
    if (!n.is_master() || (n.slots.empty() && !sc.options.use_empty_masters)) continue;
    const auto w = sc.options.weights.find(n.id);
    in.push_back({n.id, w == sc.options.weights.end() ? 1.0 : w->second, n.slots.count()});
  }
  return rcplan::compute_quotas(in);
}

[[nodiscard]] inline ownership initial_ownership(const scenario& sc) {
  ownership out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(sc.topology))
    if (n.is_master()) out[n.id] = n.slots;
  return out;
}

inline void move(ownership& o, const rcplan::node_id& from, const rcplan::node_id& to, const rcplan::slot_set& s) {
  o[from] -= s;
  o[to] |= s;
}

[[nodiscard]] inline outcome measure(const scenario& sc, const ownership& after) {
  outcome r;
  const std::vector<rcplan::master_quota> quotas = quotas_of(sc);
  r.lower_bound = rcplan::move_lower_bound(quotas);
  std::size_t holders = 0, ranges = 0;
  for (const auto& [id, slots] : after) {
    r.slots_owned += slots.count();
    if (slots.empty()) continue;
    const std::size_t k = slots.range_count();
    r.max_ranges = std::max(r.max_ranges, k);
    ranges += k;
    ++holders;
  }
  r.mean_ranges = holders == 0 ? 0.0 : static_cast<double>(ranges) / static_cast<double>(holders);
  for (const rcplan::master_quota& q : quotas) {
    const std::size_t held = after.at(q.id).count();
    r.max_off_quota = std::max(r.max_off_quota, held > q.quota ? held - q.quota : q.quota - held);
  }
  return r;
}

/// Measured from the plan's own steps, so the summary rcplan reports is checked, not trusted.
[[nodiscard]] inline outcome measure_plan(const scenario& sc, const rcplan::plan& p) {
  ownership after = initial_ownership(sc);
  std::size_t moved = 0;
  for (const rcplan::step& st : p.steps) {
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&st.action)) {
      move(after, m->source, m->target, m->slots);
      moved += m->slots.count();
    } else if (const auto* a = std::get_if<rcplan::add_slots>(&st.action)) {
      after[a->node] |= a->slots;
    }
  }
  outcome r = measure(sc, after);
  r.moved = moved;
  r.waves = p.wave_count();
  return r;
}

[[nodiscard]] inline outcome measure_cli(const scenario& sc, const std::vector<cli_move>& moves) {
  ownership after = initial_ownership(sc);
  std::size_t moved = 0;
  for (const cli_move& m : moves) {
    move(after, m.source, m.target, m.slots);
    moved += m.slots.count();
  }
  outcome r = measure(sc, after);
  r.moved = moved;
  // redis-cli runs its moves one after another
  r.waves = static_cast<int>(moves.size());
  return r;
}

}  // namespace rcplan_bench
