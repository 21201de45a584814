#pragma once

// Rebalance strategies: the choice of which slots move from which master to which, behind a
// small concept, so that another algorithm gets rcplan's repair, waves, lowering, simulator and
// reports unchanged. rcplan's own choice (slot_moves.hpp) is the default.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/planner/slot_moves.hpp>

#include <concepts>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

/// A master a strategy may move slots from or to.
struct strategy_master {
  node_id id;
  slot_set slots;     ///< once the repair ran
  double weight = 1;  ///< from rebalance_options::weights; 0 drains the master
  std::size_t quota = 0;  ///< rcplan's weighted quota (slot_quota.hpp); a strategy may ignore it
};

/// What a strategy sees: the available masters taking part, in id order, and the keyless
/// uncovered slots that someone must take (transfers with an empty source hand them out).
struct strategy_input {
  std::vector<strategy_master> masters;
  slot_set unassigned;
};

/// A rebalance strategy: a name for reports and diagnostics, and the transfers for an input.
/// plan_rebalance() checks every transfer a strategy returns (check_transfers()) and blocks the
/// plan, naming the strategy and the fault, rather than run one that could lose a slot.
template <typename S>
concept rebalance_strategy = requires(const S& s, const strategy_input& in) {
  { s.name() } -> std::convertible_to<std::string_view>;
  { s.transfers(in) } -> std::convertible_to<std::vector<slot_transfer>>;
};

/// rcplan's strategy: every master to its weighted quota, moving exactly the lower bound of
/// slots and keeping ranges few (plan_slot_transfers()).
struct rcplan_strategy {
  [[nodiscard]] std::string_view name() const noexcept { return "rcplan"; }
  [[nodiscard]] std::vector<slot_transfer> transfers(const strategy_input& in) const {
    std::vector<slot_holding> h;
    h.reserve(in.masters.size() + 1);
    if (!in.unassigned.empty()) h.push_back({node_id{}, in.unassigned, 0});
    for (const strategy_master& m : in.masters) h.push_back({m.id, m.slots, m.quota});
    return plan_slot_transfers(h);
  }
};

/// Why `transfers` cannot be carried out on `in`, or nullopt when they can: every transfer goes
/// between two different masters of the input (or hands out unassigned slots), moves slots its
/// source holds, no slot moves twice, and every unassigned slot is handed out, so that every
/// slot still has exactly one owner afterwards.
[[nodiscard]] inline std::optional<std::string> check_transfers(const strategy_input& in,
                                                                const std::vector<slot_transfer>& transfers) {
  std::map<node_id, const strategy_master*> by_id;
  for (const strategy_master& m : in.masters) by_id.emplace(m.id, &m);
  slot_set moved;
  for (std::size_t i = 0; i < transfers.size(); ++i) {
    const slot_transfer& t = transfers[i];
    const std::string which = "transfer " + std::to_string(i) + " (" + short_id(t.source) + " -> " + short_id(t.target) + ")";
    if (t.slots.empty()) return which + " moves no slot";
    if (!by_id.contains(t.target)) return which + ": the target is not a master taking part";
    if (t.source == t.target) return which + ": source and target are the same master";
    if (!t.source.empty() && !by_id.contains(t.source)) return which + ": the source is not a master taking part";
    const slot_set& from = t.source.empty() ? in.unassigned : by_id.at(t.source)->slots;
    if (const slot_set foreign = t.slots - from; !foreign.empty())
      return which + ": slots " + to_string(foreign) + " are not " + (t.source.empty() ? "unassigned" : "the source's");
    if (const slot_set twice = t.slots & moved; !twice.empty()) return which + ": slots " + to_string(twice) + " move twice";
    moved |= t.slots;
  }
  if (const slot_set left = in.unassigned - moved; !left.empty())
    return "unassigned slots " + to_string(left) + " are handed to nobody and would stay uncovered";
  return std::nullopt;
}

}  // namespace rcplan
