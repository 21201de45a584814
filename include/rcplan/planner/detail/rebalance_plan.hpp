#pragma once

// plan_rebalance()'s pipeline: merged picture, availability, agreement and repair, the masters
// taking part, the transfers (rcplan's own, or a strategy's, checked), then waves, steps and
// the summary.

#include <rcplan/planner/rebalance.hpp>

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/limits.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/detail/merged.hpp>
#include <rcplan/planner/detail/rebalance.hpp>
#include <rcplan/planner/key_moves.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>
#include <rcplan/planner/strategy.hpp>
#include <rcplan/planner/detail/order.hpp>
#include <rcplan/planner/waves.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::planner_detail {

/// What the pipeline knows once the repair ran and the masters taking part are known.
struct rebalance_state {
  const topology& t;
  const std::vector<cluster_node>& nodes;
  const repair_result& r;
  const taking_part& tp;
  const rebalance_options& opt;
};

/// The transfers chosen, between positions in the taking part; tp.size() stands for the free
/// slots as a source. By keys, the keys per slot and key quotas the reasons quote.
struct chosen_transfers {
  bool blocked = false;
  bool acted = false;
  bool by_keys = false;
  std::vector<indexed_transfer> transfers;
  std::vector<std::uint64_t> slot_keys;
  std::vector<master_quota> key_quotas;
};

/// Whether the cluster is off its quotas by more than the threshold, or has slots to hand out.
[[nodiscard]] inline bool worth_acting(const rebalance_state& s) {
  return !s.r.unassigned.empty() || s.tp.far_from_quotas(s.opt.threshold_percent);
}

[[nodiscard]] inline std::vector<indexed_transfer> own_slot_transfers(const rebalance_state& s) {
  // the free slots first: an empty id sorts first, so the holdings stay in id order
  const bool has_free = !s.r.unassigned.empty();
  const node_id nobody;
  std::vector<holding_ref> refs;
  refs.reserve(s.tp.size() + 1);
  if (has_free) refs.push_back({&nobody, &s.r.unassigned, 0});
  for (std::size_t i = 0; i < s.tp.size(); ++i) refs.push_back({&s.tp.node[i]->id, s.tp.slots[i], s.tp.quota[i]});
  std::vector<indexed_transfer> out = indexed_slot_transfers(std::move(refs));
  if (has_free)
    for (indexed_transfer& tr : out) {
      tr.source = tr.source == 0 ? s.tp.size() : tr.source - 1;
      tr.target -= 1;
    }
  return out;
}

/// Named transfers as positions in the taking part (an empty source: the free slots).
inline void append_positions(const taking_part& tp, std::vector<slot_transfer>&& named,
                             std::vector<indexed_transfer>& out) {
  out.reserve(out.size() + named.size());
  for (slot_transfer& tr : named)
    out.push_back({tr.source.empty() ? tp.size() : tp.index_of(tr.source), tp.index_of(tr.target), std::move(tr.slots)});
}

/// How the options bound a wave.
[[nodiscard]] inline wave_limits limits_of(const rebalance_options& opt) {
  return {opt.max_concurrent_migrations, opt.max_migrations_per_node};
}

/// Key quotas (blocking the plan when keys are unknown) and the key-balancing transfers.
[[nodiscard]] inline chosen_transfers own_key_transfers(const rebalance_state& s, plan& p) {
  chosen_transfers c;
  c.by_keys = true;
  std::vector<slot_holding> holdings = s.tp.holdings();
  if (!key_quotas(s.t, s.nodes, holdings, s.tp.quotas(), p, c.slot_keys, c.key_quotas)) {
    c.blocked = true;
    return c;
  }
  c.acted = worth_acting(s) || threshold_exceeded(c.key_quotas, s.opt.threshold_percent);
  if (!c.acted || s.tp.size() == 0) return c;
  if (!s.r.unassigned.empty()) holdings.push_back({node_id{}, s.r.unassigned, 0});  // free slots, no keys
  std::vector<key_holding> kh;
  kh.reserve(holdings.size());
  for (std::size_t i = 0; i < holdings.size(); ++i)
    kh.push_back(i < c.key_quotas.size()
                     ? key_holding{holdings[i].id, holdings[i].slots, c.key_quotas[i].weight, c.key_quotas[i].quota}
                     : key_holding{holdings[i].id, holdings[i].slots, 0.0, 0});
  append_positions(s.tp, plan_key_transfers(kh, c.slot_keys), c.transfers);
  return c;
}

/// rcplan's own choice: by slots (the fast path, on positions) or by keys.
[[nodiscard]] inline chosen_transfers own_transfers(const rebalance_state& s, plan& p) {
  if (s.opt.balance == balance_mode::keys) return own_key_transfers(s, p);
  chosen_transfers c;
  c.acted = worth_acting(s);
  if (c.acted && s.tp.size() > 0) c.transfers = own_slot_transfers(s);
  return c;
}

/// A strategy's choice, checked before anything is planned on it.
template <typename S>
[[nodiscard]] chosen_transfers strategy_transfers(const rebalance_state& s, const S& strategy, plan& p) {
  chosen_transfers c;
  c.acted = worth_acting(s);
  if (!c.acted || s.tp.size() == 0) return c;
  strategy_input in;
  in.masters.reserve(s.tp.size());
  for (std::size_t i = 0; i < s.tp.size(); ++i)
    in.masters.push_back({s.tp.node[i]->id, *s.tp.slots[i], s.tp.weight[i], s.tp.quota[i]});
  in.unassigned = s.r.unassigned;
  std::vector<slot_transfer> out = strategy.transfers(in);
  if (const std::optional<std::string> fault = check_transfers(in, out)) {
    c.blocked = true;
    p.status = plan_status::blocked;
    p.diagnostics.push_back({severity::error, rebalance_code::strategy_invalid, std::string(strategy.name()),
                             "strategy " + std::string(strategy.name()) + ": " + *fault});
    return c;
  }
  append_positions(s.tp, std::move(out), c.transfers);
  return c;
}

/// Waves of the repair's own migrations, after its wave-0 housekeeping; returns the first wave
/// free for the balancing migrations.
[[nodiscard]] inline int wave_repair_steps(std::vector<step>& out, const rebalance_options& opt) {
  std::vector<wave_job> jobs;
  std::vector<std::size_t> job_step;
  bool wave0 = false;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (const auto* m = std::get_if<migrate_slots>(&out[i].action)) {
      jobs.push_back({m->source, m->target, m->slots.count()});
      job_step.push_back(i);
    } else {
      wave0 = true;
    }
  }
  const int first = wave0 ? 1 : 0;
  const std::vector<int> waves = assign_waves(jobs, limits_of(opt), first);
  int next = first;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    out[job_step[j]].wave = waves[j];
    next = std::max(next, waves[j] + 1);
  }
  // Steps are put in wave order here, once: a step is over a kilobyte (the action variant is as
  // large as its largest alternative), so sorting the whole plan after the fact would move
  // megabytes on large clusters.
  std::stable_sort(out.begin(), out.end(), [](const step& a, const step& b) { return a.wave < b.wave; });
  return next;
}

/// Positions of `waves` ordered by wave, keeping their order within a wave.
[[nodiscard]] inline std::vector<std::size_t> by_wave(const std::vector<int>& waves) {
  const int top = waves.empty() ? 0 : *std::max_element(waves.begin(), waves.end());
  std::vector<std::size_t> order = identity_order(waves.size());
  stable_order_by(order, static_cast<std::size_t>(top) + 1, [&](std::size_t k) { return static_cast<std::size_t>(waves[k]); });
  return order;
}

/// The plan's steps: hand-outs of free slots, the repair, then the balancing migrations in
/// waves; and the summary.
inline void write_steps(const rebalance_state& s, const chosen_transfers& c, std::vector<step> repair, plan& p) {
  const taking_part& tp = s.tp;
  const std::size_t free_slots = tp.size();
  const int next = wave_repair_steps(repair, s.opt);
  std::vector<std::pair<std::size_t, std::size_t>> ends;
  std::vector<std::size_t> weight;
  std::vector<std::size_t> moves;  // positions in c.transfers of the migrations
  std::vector<step> add;
  for (std::size_t i = 0; i < c.transfers.size(); ++i) {
    const indexed_transfer& tr = c.transfers[i];
    const node_id& target = tp.node[tr.target]->id;
    if (tr.source == free_slots) {
      add.push_back({0, "assign keyless uncovered slots " + to_string(tr.slots) + " to " + short_id(target) +
                            ", which is below its quota",
                     add_slots{target, tr.slots}});
      continue;
    }
    const std::size_t n = tr.slots.count();
    p.summary.slots_moved += n;
    if (c.by_keys) tr.slots.for_each([&](slot x) { p.summary.keys_moved += static_cast<std::size_t>(c.slot_keys[x]); });
    ends.emplace_back(tr.source, tr.target);
    weight.push_back(n);
    moves.push_back(i);
  }
  const std::vector<int> waves = dense_waves(ends, weight, tp.size(), limits_of(s.opt), next);
  const std::vector<std::size_t> order = by_wave(waves);
  p.steps.reserve(add.size() + repair.size() + moves.size());
  for (step& x : add) p.steps.push_back(std::move(x));
  for (step& x : repair) p.steps.push_back(std::move(x));
  for (std::size_t k : order) {
    const indexed_transfer& tr = c.transfers[moves[k]];
    const std::size_t a = tr.source, b = tr.target;
    std::size_t keys = 0;
    if (c.by_keys) tr.slots.for_each([&](slot x) { keys += static_cast<std::size_t>(c.slot_keys[x]); });
    const move_ends e = c.by_keys ? move_ends{c.key_quotas[a].held, c.key_quotas[a].quota, c.key_quotas[b].held, c.key_quotas[b].quota}
                                  : move_ends{tp.held[a], tp.quota[a], tp.held[b], tp.quota[b]};
    const node_id& source = tp.node[a]->id;
    const node_id& target = tp.node[b]->id;
    std::string why = move_reason(source, target, tr.slots.count(), e, keys, c.by_keys);
    p.steps.push_back({waves[k], std::move(why), migrate_slots{source, target, tr.slots}});
  }
  p.summary.lower_bound = c.acted && !c.by_keys ? tp.lower_bound() : 0;
  ranges_after(tp, c.transfers, p.summary);
  p.status = p.steps.empty() ? plan_status::converged : plan_status::actions_planned;
}

/// Weights valid_weight() refuses block the plan, each named: a huge weight
/// would turn every share into 0 or infinity.
[[nodiscard]] inline bool refuse_weights(const rebalance_options& opt, plan& p) {
  for (const auto& [id, w] : opt.weights)
    if (!valid_weight(w))
      p.diagnostics.push_back({severity::error, rebalance_code::weight_invalid, id.value,
                               "the weight of " + short_id(id) + " must be " + weight_range_text()});
  if (p.diagnostics.empty()) return false;
  p.status = plan_status::blocked;
  return true;
}

/// The pipeline, with `choose(state, plan&)` deciding the transfers.
template <typename Choose>
[[nodiscard]] plan rebalance(const topology& t, const rebalance_options& opt, Choose&& choose) {
  plan p;
  if (refuse_weights(opt, p)) return p;
  const merged_picture merged(t);
  const std::vector<cluster_node>& nodes = merged.nodes();
  const bool down = check_unavailable_masters(nodes, p);  // both checks run: each names its masters
  if (check_unreachable_masters(t, nodes, p) || down) return p;
  if (!view_disagreements(t, nodes).empty()) {
    // a hand-over each side thinks the other finished never settles by gossip: repair it now
    if (repair_handovers(t, nodes, p)) return p;
    p.status = plan_status::waiting;
    p.diagnostics.push_back({severity::warning, rebalance_code::views_disagree, "",
                             "nodes disagree about the cluster configuration; wait for it to settle"});
    p.steps.push_back({0, "let gossip settle before moving slots", wait_until{wait_condition::views_agree, "", 0}});
    return p;
  }
  repair_result r = repair_slots(t, nodes, ownership_scope::changed);
  p.diagnostics = r.diagnostics;
  if (r.blocked) {
    p.status = plan_status::blocked;
    return p;
  }
  const taking_part tp = participants(nodes, r, opt.weights, opt.use_empty_masters);
  if (tp.size() > 0 && !tp.any_weight()) {
    // nowhere to put the slots: draining every master would lose them all
    p.status = plan_status::blocked;
    p.diagnostics.push_back({severity::error, rebalance_code::all_weights_zero, "",
                             "every master that could hold slots has weight 0"});
    return p;
  }
  const rebalance_state state{t, nodes, r, tp, opt};
  const chosen_transfers c = choose(state, p);
  if (c.blocked) return p;
  write_steps(state, c, std::move(r.steps), p);
  return p;
}

[[nodiscard]] inline plan rebalance_own(const topology& t, const rebalance_options& opt) {
  return rebalance(t, opt, [](const rebalance_state& s, plan& p) { return own_transfers(s, p); });
}

template <typename S>
[[nodiscard]] plan rebalance_with(const topology& t, const rebalance_options& opt, const S& strategy) {
  return rebalance(t, opt, [&](const rebalance_state& s, plan& p) { return strategy_transfers(s, strategy, p); });
}

}  // namespace rcplan::planner_detail
