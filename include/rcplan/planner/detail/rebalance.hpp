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
#include <rcplan/planner/detail/repair.hpp>
#include <rcplan/planner/detail/slot_moves.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rcplan::planner_detail {

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

/// Slots migrating to `target` according to the other nodes' own lines, and those `target`
/// itself imports.
[[nodiscard]] inline slot_set open_toward(const std::vector<cluster_node>& nodes, const cluster_node& target) {
  slot_set out;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots)
      if ((n.id == target.id && o.dir == open_slot::direction::importing) ||
          (o.dir == open_slot::direction::migrating && o.peer == target.id))
        out.insert(o.number);
  return out;
}

/// Masters the observer could not reach. One the cluster still counts as up is cut off from
/// the observer alone, or not yet flagged: its own line, open slots and keys are unknown, so
/// nothing moves until it answers. One the cluster flagged down keeps what is open toward it:
/// keys it took of a migration wait there until it returns, so nothing moves meanwhile (closing
/// the migration would strand them, finishing it would send keys where none can arrive). A
/// down master with no slot and nothing open toward it stays out of the plan.
[[nodiscard]] inline bool check_unreachable_masters(const topology& t, const std::vector<cluster_node>& nodes, plan& p) {
  bool stop = false;
  for (const cluster_node& n : nodes) {
    if (!n.is_master()) continue;  // a replica's keys are its master's
    const node_observation* o = t.observation(n.id);
    const bool cut_off = o != nullptr && !o->reachable;
    const std::string why = cut_off && !o->error.empty() ? " (" + o->error + ")" : "";
    if (cut_off && !unavailable(n)) {
      p.diagnostics.push_back({severity::warning, rebalance_code::node_unreachable, n.id.value,
                               "master " + short_id(n.id) + " does not answer" + why +
                                   " although the cluster counts it as up; its slots, open slots and keys are "
                                   "unknown, so nothing moves until it answers or is flagged down"});
    } else if (const slot_set open = unavailable(n) ? open_toward(nodes, n) : slot_set{}; !open.empty()) {
      p.diagnostics.push_back({severity::warning, rebalance_code::migration_peer_down, n.id.value,
                               "slots " + to_string(open) + " were migrating to master " + short_id(n.id) +
                                   ", which is down" + why +
                                   "; the keys it took wait there, so they stay open until it returns"});
    } else {
      continue;
    }
    if (p.status != plan_status::blocked) p.status = plan_status::waiting;
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

/// Slots a node imports from a peer that no longer gives them: a peer that is gone, not a
/// master, or (its own line observed) not migrating the slot to the importer. Redis never
/// updates an importing slot from gossip, so such an importer keeps naming the old source as
/// owner and the views never agree: typically the source failed over mid-migration and came
/// back as its promoted replica's replica.
[[nodiscard]] inline slot_set stuck_imports(const topology& t, const std::vector<cluster_node>& nodes) {
  slot_set out;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots) {
      if (o.dir != open_slot::direction::importing) continue;
      const cluster_node* peer = find_node(nodes, o.peer);
      if (peer == nullptr || !peer->is_master()) {
        out.insert(o.number);
        continue;
      }
      const node_observation* seen = t.observation(peer->id);
      if (seen == nullptr || !seen->reachable) continue;  // its open slots are not known
      const bool gives = std::any_of(peer->open_slots.begin(), peer->open_slots.end(), [&](const open_slot& m) {
        return m.number == o.number && m.dir == open_slot::direction::migrating && m.peer == n.id;
      });
      if (!gives) out.insert(o.number);
    }
  return out;
}

/// The slots a repair step acts on; empty for other actions.
[[nodiscard]] inline slot_set repaired_slots(const action& a) {
  if (const auto* x = std::get_if<set_slot_node>(&a)) return x->slots;
  if (const auto* x = std::get_if<set_slot_stable>(&a)) return x->slots;
  if (const auto* x = std::get_if<migrate_slots>(&a)) return x->slots;
  if (const auto* x = std::get_if<add_slots>(&a)) return x->slots;
  return {};
}

/// While views disagree, only the repair of what gossip can never settle goes ahead: hand-overs
/// each side thinks the other finished, and imports from a source that no longer gives the
/// slot. Their repair steps run, then a wait for the views; the rest waits for gossip. False
/// when there are none, or when only stuck imports are found and their repair is not plannable
/// yet (a dead executor's last commands may still be on their way): the views are waited for.
[[nodiscard]] inline bool repair_handovers(const topology& t, const std::vector<cluster_node>& nodes, plan& p) {
  const slot_set limbo = unclaimed_handovers(t, nodes);
  const slot_set stuck = stuck_imports(t, nodes);
  if (limbo.empty() && stuck.empty()) return false;
  const repair_result r = plan_repair(t, nodes);
  std::vector<step> steps;
  for (const step& s : r.steps) {
    const slot_set touched = repaired_slots(s.action);
    if (touched.empty()) continue;
    const bool handover = std::holds_alternative<set_slot_node>(s.action) && (touched & limbo) == touched;
    if (handover || (touched & stuck) == touched) steps.push_back(s);
  }
  if (steps.empty()) {
    if (limbo.empty()) return false;
    p.status = plan_status::blocked;
    p.diagnostics = r.diagnostics;
    p.diagnostics.push_back({severity::error, rebalance_code::unclaimed_slots, to_string(limbo),
                             "no node claims these slots and the keys' holder is not known; settle them by hand"});
    return true;
  }
  if (!stuck.empty())
    p.diagnostics.push_back({severity::warning, rebalance_code::stuck_imports, to_string(stuck),
                             "slots " + to_string(stuck) +
                                 " are imported from a node that no longer gives them (a failover mid-migration?); "
                                 "repairing them before anything else"});
  int last = 0;
  for (const step& s : steps) last = std::max(last, s.wave);
  p.steps = std::move(steps);
  p.steps.push_back({last + 1, "let gossip settle", wait_until{wait_condition::views_agree, "", 0}});
  p.status = plan_status::actions_planned;
  return true;
}

/// A master's slots once the repair ran: the repair lists only the masters it changes.
[[nodiscard]] inline const slot_set& owned_after_repair(const cluster_node& n, const repair_result& r) {
  const auto it = r.ownership.find(n.id);
  return it == r.ownership.end() ? n.slots : it->second;
}

/// The masters taking part in a rebalance, in merged_nodes' id order, as parallel arrays: the
/// planner works on positions and touches ids and slot sets only to name or hand them on.
struct taking_part {
  std::vector<const cluster_node*> node;
  std::vector<const slot_set*> slots;  ///< once the repair ran
  std::vector<double> weight;
  std::vector<std::size_t> held;
  std::vector<std::size_t> quota;

  [[nodiscard]] std::size_t size() const noexcept { return node.size(); }
  /// Position of the master `id`; size() when it does not take part.
  [[nodiscard]] std::size_t index_of(const node_id& id) const {
    const auto it = std::lower_bound(node.begin(), node.end(), id,
                                     [](const cluster_node* n, const node_id& k) { return n->id < k; });
    return it != node.end() && (*it)->id == id ? static_cast<std::size_t>(it - node.begin()) : size();
  }
  [[nodiscard]] std::vector<master_quota> quotas() const {
    std::vector<master_quota> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) out.push_back({node[i]->id, weight[i], held[i], quota[i]});
    return out;
  }
  [[nodiscard]] std::vector<slot_holding> holdings() const {
    std::vector<slot_holding> out;
    out.reserve(size() + 1);
    for (std::size_t i = 0; i < size(); ++i) out.push_back({node[i]->id, *slots[i], quota[i]});
    return out;
  }
  [[nodiscard]] bool any_weight() const noexcept {
    return std::any_of(weight.begin(), weight.end(), [](double w) { return w > 0; });
  }
  [[nodiscard]] bool far_from_quotas(double threshold_percent) const noexcept {
    for (std::size_t i = 0; i < size(); ++i)
      if (far_from_quota(held[i], quota[i], threshold_percent)) return true;
    return false;
  }
  [[nodiscard]] std::size_t lower_bound() const noexcept {
    std::size_t n = 0;
    for (std::size_t i = 0; i < size(); ++i) n += held[i] > quota[i] ? held[i] - quota[i] : 0;
    return n;
  }
};

/// Available masters with slots (and empty ones with `use_empty_masters`), their weights,
/// holdings and slot quotas. `nodes` is merged_nodes' output, sorted by id.
[[nodiscard]] inline taking_part participants(const std::vector<cluster_node>& nodes, const repair_result& r,
                                              const std::map<node_id, double>& weights, bool use_empty_masters) {
  taking_part p;
  p.node.reserve(nodes.size());
  p.slots.reserve(nodes.size());
  p.weight.reserve(nodes.size());
  p.held.reserve(nodes.size());
  for (const cluster_node& n : nodes) {
    if (!n.is_master() || unavailable(n)) continue;
    const slot_set& slots = owned_after_repair(n, r);
    if (slots.empty() && !use_empty_masters) continue;
    const auto w = weights.empty() ? weights.end() : weights.find(n.id);
    p.node.push_back(&n);
    p.slots.push_back(&slots);
    p.weight.push_back(w == weights.end() ? 1.0 : w->second);
    p.held.push_back(slots.count());
  }
  p.quota = dense_quotas(p.weight, p.held, slot_count);
  return p;
}

/// Ranges each master taking part holds once the repair and the transfers ran, from one owner
/// table of the final layout.
inline void ranges_after(const taking_part& tp, const std::vector<indexed_transfer>& transfers, plan_summary& out) {
  out.ranges_after.reserve(tp.size());
  if (transfers.empty()) {  // nothing moves: each master's own ranges
    for (std::size_t i = 0; i < tp.size(); ++i) out.ranges_after.push_back({tp.node[i]->id, tp.slots[i]->range_count()});
    return;
  }
  // owner tp.size() stands for no master taking part; a range starts wherever the owner changes
  const auto nobody = static_cast<std::uint32_t>(tp.size());
  std::vector<std::uint32_t> owner(slot_count, nobody);
  for (std::size_t i = 0; i < tp.size(); ++i)
    tp.slots[i]->for_each_range([&](slot_range r) {
      std::fill(owner.begin() + r.first, owner.begin() + r.last + 1, static_cast<std::uint32_t>(i));
    });
  for (const indexed_transfer& tr : transfers)  // the source loses them
    tr.slots.for_each_range([&](slot_range r) {
      std::fill(owner.begin() + r.first, owner.begin() + r.last + 1, static_cast<std::uint32_t>(tr.target));
    });
  std::vector<std::size_t> ranges(tp.size() + 1, 0);
  std::uint32_t previous = nobody;
  for (const std::uint32_t o : owner) {
    ranges[o] += o != previous ? 1U : 0U;
    previous = o;
  }
  for (std::size_t i = 0; i < tp.size(); ++i) out.ranges_after.push_back({tp.node[i]->id, ranges[i]});
}

/// Held and quota of a move's two ends, in slots or keys.
struct move_ends {
  std::size_t source_held, source_quota, target_held, target_quota;
};

[[nodiscard]] inline std::string move_reason(const node_id& source, const node_id& target, std::size_t slots,
                                             const move_ends& e, std::size_t keys = 0, bool by_keys = false) {
  // written into one buffer: a reason per step, thousands per plan on large clusters
  char buf[256];
  char* at = buf;
  char* const stop = buf + sizeof buf;
  const auto text = [&](std::string_view s) {
    const std::size_t n = std::min(s.size(), static_cast<std::size_t>(stop - at));
    std::copy_n(s.data(), n, at);
    at += n;
  };
  const auto number = [&](std::size_t v) { at = std::to_chars(at, stop, v).ptr; };
  const auto end = [&](std::string_view lead, const node_id& id, std::size_t held, std::size_t quota) {
    text(lead);
    text(std::string_view{id.value}.substr(0, 8));
    text(" (holds ");
    number(held);
    if (by_keys) text(" keys");
    text(", quota ");
    number(quota);
    text(")");
  };
  text("move ");
  number(slots);
  text(" slots");
  if (by_keys) {
    text(" (");
    number(keys);
    text(" keys)");
  }
  end(" from ", source, e.source_held, e.source_quota);
  end(" to ", target, e.target_held, e.target_quota);
  return std::string(buf, at);
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
  // The quotas follow the weights alone (`held` 0 for compute_quotas): were the leftover keys
  // given to those who hold them, as for slots, the moves would change the quotas, and a
  // re-plan on the result could find a master a key off that the plan had left in place.
  std::vector<quota_input> in;
  std::vector<std::size_t> held(slot_quotas.size(), 0);
  in.reserve(slot_quotas.size());
  std::size_t total = 0;
  for (std::size_t i = 0; i < slot_quotas.size(); ++i) {
    holdings[i].slots.for_each([&](slot s) { held[i] += static_cast<std::size_t>(keys[s]); });
    in.push_back({slot_quotas[i].id, slot_quotas[i].weight, 0});
    total += held[i];
  }
  quotas = compute_quotas(in, total);
  for (std::size_t i = 0; i < quotas.size(); ++i) quotas[i].held = held[i];
  return true;
}

}  // namespace rcplan::planner_detail
