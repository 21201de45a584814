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
  const std::vector<cluster_node> nodes = merged_nodes(t);
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
  repair_result r = plan_repair(t, nodes);
  p.diagnostics = r.diagnostics;
  if (r.blocked) {
    p.status = plan_status::blocked;
    return p;
  }

  std::vector<master_quota> quotas;
  std::vector<slot_holding> holdings = planner_detail::participants(nodes, r, opt.weights, opt.use_empty_masters, quotas);
  if (!holdings.empty() && std::none_of(quotas.begin(), quotas.end(), [](const master_quota& q) { return q.weight > 0; })) {
    // nowhere to put the slots: draining every master would lose them all
    p.status = plan_status::blocked;
    p.diagnostics.push_back({severity::error, rebalance_code::all_weights_zero, "",
                             "every master that could hold slots has weight 0"});
    return p;
  }
  const bool by_keys = opt.balance == balance_mode::keys;
  std::vector<std::uint64_t> slot_keys;
  std::vector<master_quota> key_quotas;
  if (by_keys && !planner_detail::key_quotas(t, nodes, holdings, quotas, p, slot_keys, key_quotas)) return p;
  if (!r.unassigned.empty()) holdings.push_back({node_id{}, r.unassigned, 0});  // free slots, no keys
  const bool act = !r.unassigned.empty() || threshold_exceeded(quotas, opt.threshold_percent) ||
                   (by_keys && threshold_exceeded(key_quotas, opt.threshold_percent));
  std::vector<slot_transfer> transfers;
  if (act && !quotas.empty()) {
    if (by_keys) {
      std::vector<key_holding> kh;
      kh.reserve(holdings.size());
      for (std::size_t i = 0; i < holdings.size(); ++i)
        kh.push_back(i < key_quotas.size()
                         ? key_holding{holdings[i].id, holdings[i].slots, key_quotas[i].weight, key_quotas[i].quota}
                         : key_holding{holdings[i].id, holdings[i].slots, 0.0, 0});
      transfers = plan_key_transfers(kh, slot_keys);
    } else {
      transfers = plan_slot_transfers(holdings);
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

  std::vector<wave_job> moves;
  std::vector<step> add;
  for (const slot_transfer& tr : transfers) {
    if (tr.source.empty()) {
      add.push_back({0, "assign keyless uncovered slots " + to_string(tr.slots) + " to " +
                            short_id(tr.target) + ", which is below its quota",
                     add_slots{tr.target, tr.slots}});
      continue;
    }
    p.summary.slots_moved += tr.slots.count();
    if (by_keys) tr.slots.for_each([&](slot s) { p.summary.keys_moved += static_cast<std::size_t>(slot_keys[s]); });
    moves.push_back({tr.source, tr.target, tr.slots.count()});
  }
  const std::vector<int> move_waves = assign_waves(moves, opt.max_concurrent_migrations, next);
  std::map<node_id, const master_quota*> quota_of;
  for (const master_quota& q : by_keys ? key_quotas : quotas) quota_of.emplace(q.id, &q);
  // Steps are built in wave order directly: they hold 2 KiB slot sets, so sorting them after
  // the fact would copy megabytes on large clusters.
  std::stable_sort(out.begin(), out.end(), [](const step& a, const step& b) { return a.wave < b.wave; });
  std::vector<std::size_t> by_wave;
  for (std::size_t i = 0; i < transfers.size(); ++i)
    if (!transfers[i].source.empty()) by_wave.push_back(i);
  std::vector<int> wave_of(transfers.size(), 0);
  for (std::size_t k = 0; k < by_wave.size(); ++k) wave_of[by_wave[k]] = move_waves[k];
  std::stable_sort(by_wave.begin(), by_wave.end(), [&](std::size_t a, std::size_t b) { return wave_of[a] < wave_of[b]; });
  p.steps.reserve(add.size() + out.size() + by_wave.size());
  for (step& s : add) p.steps.push_back(std::move(s));
  for (step& s : out) p.steps.push_back(std::move(s));
  for (std::size_t i : by_wave) {
    const slot_transfer& tr = transfers[i];
    std::size_t keys = 0;
    if (by_keys) tr.slots.for_each([&](slot s) { keys += static_cast<std::size_t>(slot_keys[s]); });
    p.steps.push_back({wave_of[i],
                       planner_detail::move_reason(tr, *quota_of.at(tr.source), *quota_of.at(tr.target), keys, by_keys),
                       migrate_slots{tr.source, tr.target, tr.slots}});
  }

  p.summary.lower_bound = act && !by_keys ? move_lower_bound(quotas) : 0;
  std::map<node_id, slot_set> after = std::move(r.ownership);
  for (const slot_transfer& tr : transfers) {
    if (!tr.source.empty()) after[tr.source] -= tr.slots;
    after[tr.target] |= tr.slots;
  }
  for (const master_quota& q : quotas) p.summary.ranges_after[q.id] = after[q.id].range_count();
  p.status = p.steps.empty() ? plan_status::converged : plan_status::actions_planned;
  return p;
}

}  // namespace rcplan
