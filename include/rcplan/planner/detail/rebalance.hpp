#pragma once

// The steps of plan_rebalance() before and around the slot moves: masters that cannot serve,
// hand-overs to repair while views disagree, who takes part, and key quotas.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace rcplan::planner_detail {

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
      p.diagnostics.push_back({severity::info, rebalance_code::failover_settling, n.id.value,
                               "master " + short_id(n.id) + " is down and another master already claims slots " +
                                   slots + "; waiting until every node agrees"});
      if (p.status != plan_status::blocked) p.status = plan_status::waiting;
    } else if (has_replica) {
      p.diagnostics.push_back({severity::warning, rebalance_code::failover_pending, n.id.value,
                               "master " + short_id(n.id) + " is down; its replica should take over slots " +
                                   slots + " before slots move"});
      if (p.status != plan_status::blocked) p.status = plan_status::waiting;
    } else {
      p.diagnostics.push_back({severity::error, rebalance_code::failed_master_no_replica, n.id.value,
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
    p.diagnostics.push_back({severity::error, rebalance_code::unclaimed_slots, to_string(limbo),
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
                                                            const std::map<node_id, double>& weights,
                                                            bool use_empty_masters,
                                                            std::vector<master_quota>& quotas) {
  std::vector<quota_input> in;
  std::vector<slot_holding> out;
  in.reserve(nodes.size());
  out.reserve(nodes.size() + 1);
  for (const cluster_node& n : nodes) {
    if (!n.is_master() || unavailable(n)) continue;
    const slot_set& slots = r.ownership.at(n.id);
    if (slots.empty() && !use_empty_masters) continue;
    const auto w = weights.find(n.id);
    in.push_back({n.id, w == weights.end() ? 1.0 : w->second, slots.count()});
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
    p.diagnostics.push_back({severity::error, rebalance_code::keys_unknown, q.id.value,
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

}  // namespace rcplan::planner_detail
