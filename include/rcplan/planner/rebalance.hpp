#pragma once

// Slot rebalancing: repair broken slots, then the fewest slot moves that bring every master to
// its weighted quota (of slots, or of observed keys), in waves of node-disjoint migrations.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
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
#include <rcplan/planner/waves.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan {

/// What a rebalance evens out between masters, by weight.
enum class balance_mode : std::uint8_t {
  slots,  ///< slot counts (what redis-cli does)
  keys,   ///< observed keys per slot (key_moves.hpp); needs keys_per_slot of every master
};

/// What `plan_rebalance` should aim for; the same knobs as `redis-cli --cluster rebalance`.
struct rebalance_options {
  std::map<node_id, double> weights;  ///< by full node id; masters not listed weigh 1
  bool use_empty_masters = false;     ///< let masters without slots take part
  double threshold_percent = 2.0;     ///< act only if some master is this far off its quota
  std::size_t max_concurrent_migrations = 0;  ///< per wave; 0: no limit beyond disjoint nodes
  balance_mode balance = balance_mode::slots;
};

/// Plans a slot rebalance of the cluster observed in `t`: first the repair of open, uncovered
/// and contested slots (see repair.hpp), then the fewest slot moves that bring every available
/// master to its weighted quota (see slot_quota.hpp and slot_moves.hpp), grouped into waves of
/// node-disjoint migrations. Blocked when a master that holds slots is down with no replica,
/// waiting while one with a replica awaits failover or while the nodes' views disagree.
///
/// With `balance_mode::keys`, the moves bring every master close to its weighted share of the
/// observed keys instead (key_moves.hpp); blocked (`rebalance.keys_unknown`) when a master
/// taking part has no observed key counts. The threshold then applies to key quotas as well
/// as slot quotas, `summary.keys_moved` counts the keys the balancing moves carry, and
/// `summary.lower_bound` is 0: whole slots of uneven keys have no slot-count lower bound.
[[nodiscard]] inline plan plan_rebalance(const topology& t, const rebalance_options& opt = {}) {
  plan p;
  const planner_detail::merged_picture merged(t);
  const std::vector<cluster_node>& nodes = merged.nodes();
  if (planner_detail::check_unavailable_masters(nodes, p)) return p;
  if (!view_disagreements(t, nodes).empty()) {
    // a hand-over each side thinks the other finished never settles by gossip: repair it now
    if (planner_detail::repair_handovers(t, nodes, p)) return p;
    p.status = plan_status::waiting;
    p.diagnostics.push_back({severity::warning, rebalance_code::views_disagree, "",
                             "nodes disagree about the cluster configuration; wait for it to settle"});
    p.steps.push_back({0, "let gossip settle before moving slots", wait_until{wait_condition::views_agree, "", 0}});
    return p;
  }
  repair_result r = planner_detail::repair_slots(t, nodes, planner_detail::ownership_scope::changed);
  p.diagnostics = r.diagnostics;
  if (r.blocked) {
    p.status = plan_status::blocked;
    return p;
  }

  const planner_detail::taking_part tp = planner_detail::participants(nodes, r, opt.weights, opt.use_empty_masters);
  if (tp.size() > 0 && !tp.any_weight()) {
    // nowhere to put the slots: draining every master would lose them all
    p.status = plan_status::blocked;
    p.diagnostics.push_back({severity::error, rebalance_code::all_weights_zero, "",
                             "every master that could hold slots has weight 0"});
    return p;
  }
  const bool by_keys = opt.balance == balance_mode::keys;
  std::vector<slot_holding> holdings;
  std::vector<std::uint64_t> slot_keys;
  std::vector<master_quota> key_quotas;
  if (by_keys) {
    holdings = tp.holdings();
    if (!planner_detail::key_quotas(t, nodes, holdings, tp.quotas(), p, slot_keys, key_quotas)) return p;
  }
  const bool act = !r.unassigned.empty() || tp.far_from_quotas(opt.threshold_percent) ||
                   (by_keys && threshold_exceeded(key_quotas, opt.threshold_percent));
  // transfers between positions in tp; tp.size() stands for the free slots as a source
  std::vector<planner_detail::indexed_transfer> transfers;
  const std::size_t free_slots = tp.size();
  if (act && tp.size() > 0) {
    if (by_keys) {
      if (!r.unassigned.empty()) holdings.push_back({node_id{}, r.unassigned, 0});  // free slots, no keys
      std::vector<key_holding> kh;
      kh.reserve(holdings.size());
      for (std::size_t i = 0; i < holdings.size(); ++i)
        kh.push_back(i < key_quotas.size()
                         ? key_holding{holdings[i].id, holdings[i].slots, key_quotas[i].weight, key_quotas[i].quota}
                         : key_holding{holdings[i].id, holdings[i].slots, 0.0, 0});
      for (slot_transfer& tr : plan_key_transfers(kh, slot_keys))
        transfers.push_back({tr.source.empty() ? free_slots : tp.index_of(tr.source), tp.index_of(tr.target),
                             std::move(tr.slots)});
    } else {
      // the free slots first: an empty id sorts first, so the holdings stay in id order
      const bool has_free = !r.unassigned.empty();
      const node_id nobody;
      std::vector<planner_detail::holding_ref> refs;
      refs.reserve(tp.size() + 1);
      if (has_free) refs.push_back({&nobody, &r.unassigned, 0});
      for (std::size_t i = 0; i < tp.size(); ++i) refs.push_back({&tp.node[i]->id, tp.slots[i], tp.quota[i]});
      transfers = planner_detail::indexed_slot_transfers(std::move(refs));
      if (has_free)
        for (planner_detail::indexed_transfer& tr : transfers) {
          tr.source = tr.source == 0 ? free_slots : tr.source - 1;
          tr.target -= 1;
        }
    }
  }

  // steps: repair (wave 0 housekeeping, then its migrations), then the balancing migrations
  std::vector<step> out = std::move(r.steps);
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
  const int repair_first = wave0 ? 1 : 0;
  const std::vector<int> repair_waves = assign_waves(jobs, opt.max_concurrent_migrations, repair_first);
  int next = repair_first;
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    out[job_step[j]].wave = repair_waves[j];
    next = std::max(next, repair_waves[j] + 1);
  }
  if (jobs.empty()) next = wave0 ? 1 : 0;

  std::vector<std::pair<std::size_t, std::size_t>> move_ends;
  std::vector<std::size_t> move_weight;
  std::vector<step> add;
  for (const planner_detail::indexed_transfer& tr : transfers) {
    const node_id& target = tp.node[tr.target]->id;
    if (tr.source == free_slots) {
      add.push_back({0, "assign keyless uncovered slots " + to_string(tr.slots) + " to " + short_id(target) +
                            ", which is below its quota",
                     add_slots{target, tr.slots}});
      continue;
    }
    const std::size_t n = tr.slots.count();
    p.summary.slots_moved += n;
    if (by_keys) tr.slots.for_each([&](slot s) { p.summary.keys_moved += static_cast<std::size_t>(slot_keys[s]); });
    move_ends.emplace_back(tr.source, tr.target);
    move_weight.push_back(n);
  }
  const std::vector<int> move_waves =
      planner_detail::dense_waves(move_ends, move_weight, tp.size(), opt.max_concurrent_migrations, next);
  const auto ends_of = [&](const planner_detail::indexed_transfer& tr) {
    const std::size_t a = tr.source, b = tr.target;
    if (by_keys) return planner_detail::move_ends{key_quotas[a].held, key_quotas[a].quota, key_quotas[b].held, key_quotas[b].quota};
    return planner_detail::move_ends{tp.held[a], tp.quota[a], tp.held[b], tp.quota[b]};
  };
  // Steps are built in wave order directly: they hold 2 KiB slot sets, so sorting them after
  // the fact would copy megabytes on large clusters.
  std::stable_sort(out.begin(), out.end(), [](const step& a, const step& b) { return a.wave < b.wave; });
  std::vector<std::size_t> by_wave;
  for (std::size_t i = 0; i < transfers.size(); ++i)
    if (transfers[i].source != free_slots) by_wave.push_back(i);
  std::vector<int> wave_of(transfers.size(), 0);
  for (std::size_t k = 0; k < by_wave.size(); ++k) wave_of[by_wave[k]] = move_waves[k];
  std::stable_sort(by_wave.begin(), by_wave.end(), [&](std::size_t a, std::size_t b) { return wave_of[a] < wave_of[b]; });
  p.steps.reserve(add.size() + out.size() + by_wave.size());
  for (step& s : add) p.steps.push_back(std::move(s));
  for (step& s : out) p.steps.push_back(std::move(s));
  for (std::size_t i : by_wave) {
    const planner_detail::indexed_transfer& tr = transfers[i];
    std::size_t keys = 0;
    if (by_keys) tr.slots.for_each([&](slot s) { keys += static_cast<std::size_t>(slot_keys[s]); });
    const node_id& source = tp.node[tr.source]->id;
    const node_id& target = tp.node[tr.target]->id;
    std::string why = planner_detail::move_reason(source, target, tr.slots.count(), ends_of(tr), keys, by_keys);
    p.steps.push_back({wave_of[i], std::move(why), migrate_slots{source, target, tr.slots}});
  }

  p.summary.lower_bound = act && !by_keys ? tp.lower_bound() : 0;
  planner_detail::ranges_after(tp, transfers, p.summary);
  p.status = p.steps.empty() ? plan_status::converged : plan_status::actions_planned;
  return p;
}

}  // namespace rcplan
