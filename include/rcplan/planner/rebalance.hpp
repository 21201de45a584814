#pragma once

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/key_moves.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>
#include <rcplan/planner/waves.hpp>

#include <algorithm>
#include <variant>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
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

namespace detail {

/// A master that cannot give or take slots right now.
[[nodiscard]] inline bool unavailable(const cluster_node& n) noexcept {
  return n.failed() || n.flags.handshake || n.flags.noaddr;
}

/// Masters that hold slots but cannot serve them: their slots must not move (keys would be
/// lost). Blocked when no healthy replica can take over, waiting when one can.
[[nodiscard]] inline bool check_unavailable_masters(const std::vector<cluster_node>& nodes, plan& p) {
  bool stop = false;
  for (const cluster_node& n : nodes) {
    if (!n.is_master() || n.slots.empty() || !unavailable(n)) continue;
    const bool has_replica = std::any_of(nodes.begin(), nodes.end(), [&](const cluster_node& r) {
      return !r.is_master() && r.master_id == n.id && !unavailable(r);
    });
    // a promoted replica already claims the slots, but not every view has accepted it yet
    const bool taken_over = std::any_of(nodes.begin(), nodes.end(), [&](const cluster_node& r) {
      return r.is_master() && r.id != n.id && !unavailable(r) && !(r.slots & n.slots).empty();
    });
    const std::string slots = to_string(n.slots);
    if (taken_over) {
      p.diagnostics.push_back({severity::info, "rebalance.failover_settling", n.id.value,
                               "master " + short_id(n.id) + " is down and another master already claims slots " +
                                   slots + "; waiting until every node agrees"});
      if (p.status != plan_status::blocked) p.status = plan_status::waiting;
    } else if (has_replica) {
      p.diagnostics.push_back({severity::warning, "rebalance.failover_pending", n.id.value,
                               "master " + short_id(n.id) + " is down; its replica should take over slots " +
                                   slots + " before slots move"});
      if (p.status != plan_status::blocked) p.status = plan_status::waiting;
    } else {
      p.diagnostics.push_back({severity::error, "rebalance.failed_master_no_replica", n.id.value,
                               "master " + short_id(n.id) + " is down with no replica; slots " + slots +
                                   " stay with it until it returns (moving them would lose their keys)"});
      p.status = plan_status::blocked;
    }
    stop = true;
  }
  return stop;
}

/// Slots no node claims for itself although some node's table gives them to another.
[[nodiscard]] inline slot_set unclaimed_handovers(const topology& t, const std::vector<cluster_node>& nodes) {
  const slot_set uncovered = uncovered_slots(nodes);
  slot_set assigned;
  if (uncovered.empty()) return assigned;
  for (const cluster_view& v : t.views)
    for (const cluster_node& n : v.nodes)
      if (n.id != v.observer && n.is_master()) assigned |= n.slots;
  return uncovered & assigned;
}

/// While views disagree, only the repair of unclaimed hand-overs goes ahead (their set_slot_node
/// steps, then a wait for the views): the rest waits for gossip. False when there are none.
[[nodiscard]] inline bool repair_handovers(const topology& t, const std::vector<cluster_node>& nodes, plan& p) {
  const slot_set limbo = unclaimed_handovers(t, nodes);
  if (limbo.empty()) return false;
  const repair_result r = plan_repair(t, nodes);
  for (const step& s : r.steps)
    if (const auto* x = std::get_if<set_slot_node>(&s.action); x != nullptr && (x->slots & limbo) == x->slots)
      p.steps.push_back(s);
  if (p.steps.empty()) {
    p.status = plan_status::blocked;
    p.diagnostics = r.diagnostics;
    p.diagnostics.push_back({severity::error, "rebalance.unclaimed_slots", to_string(limbo),
                             "no node claims these slots and the keys' holder is not known; settle them by hand"});
    return true;
  }
  int last = 0;
  for (const step& s : p.steps) last = std::max(last, s.wave);
  p.steps.push_back({last + 1, "let gossip settle", wait_until{wait_condition::views_agree, "", 0}});
  p.status = plan_status::actions_planned;
  return true;
}

[[nodiscard]] inline std::vector<slot_holding> participants(const std::vector<cluster_node>& nodes,
                                                            const repair_result& r,
                                                            const rebalance_options& opt,
                                                            std::vector<master_quota>& quotas) {
  std::vector<quota_input> in;
  std::vector<slot_holding> out;
  in.reserve(nodes.size());
  out.reserve(nodes.size() + 1);
  for (const cluster_node& n : nodes) {
    if (!n.is_master() || unavailable(n)) continue;
    const slot_set& slots = r.ownership.at(n.id);
    if (slots.empty() && !opt.use_empty_masters) continue;
    const auto w = opt.weights.find(n.id);
    in.push_back({n.id, w == opt.weights.end() ? 1.0 : w->second, slots.count()});
    out.push_back({n.id, slots, 0});
  }
  quotas = compute_quotas(in);
  for (std::size_t i = 0; i < out.size(); ++i) out[i].quota = quotas[i].quota;
  return out;
}

[[nodiscard]] inline std::string move_reason(const slot_transfer& t, const master_quota& s, const master_quota& d,
                                             std::size_t keys = 0, bool by_keys = false) {
  const std::string unit = by_keys ? " keys" : "";
  return "move " + std::to_string(t.slots.count()) + " slots" +
         (by_keys ? " (" + std::to_string(keys) + " keys)" : "") + " from " + short_id(t.source) + " (holds " +
         std::to_string(s.held) + unit + ", quota " + std::to_string(s.quota) + ") to " + short_id(t.target) +
         " (holds " + std::to_string(d.held) + unit + ", quota " + std::to_string(d.quota) + ")";
}

/// Keys of every slot once the repair ran (a slot's keys end on its owner), into `keys`, and
/// the key quotas of the masters taking part, in the order of `holdings`. False, with the plan
/// blocked, when a master taking part has no observed key counts: guessing could move the
/// wrong slots.
[[nodiscard]] inline bool key_quotas(const topology& t, const std::vector<cluster_node>& nodes,
                                     const std::vector<slot_holding>& holdings,
                                     const std::vector<master_quota>& slot_quotas, plan& p,
                                     std::vector<std::uint64_t>& keys, std::vector<master_quota>& quotas) {
  for (const master_quota& q : slot_quotas) {
    const node_observation* o = t.observation(q.id);
    if (o != nullptr && o->keys_per_slot) continue;
    p.diagnostics.push_back({severity::error, "rebalance.keys_unknown", q.id.value,
                             "keys per slot of master " + short_id(q.id) +
                                 " were not observed; balancing by keys needs them for every master"});
    p.status = plan_status::blocked;
  }
  if (p.status == plan_status::blocked) return false;
  keys.assign(slot_count, 0);
  for (const cluster_node& n : nodes) {
    const node_observation* o = n.is_master() ? t.observation(n.id) : nullptr;
    if (o == nullptr || !o->keys_per_slot) continue;
    for (const auto& [s, k] : *o->keys_per_slot) keys[s] += k;
  }
  std::vector<quota_input> in;
  in.reserve(slot_quotas.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < slot_quotas.size(); ++i) {
    std::size_t held = 0;
    holdings[i].slots.for_each([&](slot s) { held += static_cast<std::size_t>(keys[s]); });
    in.push_back({slot_quotas[i].id, slot_quotas[i].weight, held});
    total += held;
  }
  quotas = compute_quotas(in, total);
  return true;
}

}  // namespace detail

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
  if (detail::check_unavailable_masters(nodes, p)) return p;
  if (!view_disagreements(t, nodes).empty()) {
    // a hand-over each side thinks the other finished never settles by gossip: repair it now
    if (detail::repair_handovers(t, nodes, p)) return p;
    p.status = plan_status::waiting;
    p.diagnostics.push_back({severity::warning, "rebalance.views_disagree", "",
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
  std::vector<slot_holding> holdings = detail::participants(nodes, r, opt, quotas);
  if (!holdings.empty() && std::none_of(quotas.begin(), quotas.end(), [](const master_quota& q) { return q.weight > 0; })) {
    // nowhere to put the slots: draining every master would lose them all
    p.status = plan_status::blocked;
    p.diagnostics.push_back({severity::error, "rebalance.all_weights_zero", "",
                             "every master that could hold slots has weight 0"});
    return p;
  }
  const bool by_keys = opt.balance == balance_mode::keys;
  std::vector<std::uint64_t> slot_keys;
  std::vector<master_quota> key_quotas;
  if (by_keys && !detail::key_quotas(t, nodes, holdings, quotas, p, slot_keys, key_quotas)) return p;
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
                       detail::move_reason(tr, *quota_of.at(tr.source), *quota_of.at(tr.target), keys, by_keys),
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
