#pragma once

// Slot rebalancing: repair broken slots, then the fewest slot moves that bring every master to
// its weighted quota (of slots, or of observed keys), in waves of node-disjoint migrations.

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/key_moves.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>
#include <rcplan/planner/strategy.hpp>
#include <rcplan/planner/waves.hpp>
#include <rcplan/spec/spec.hpp>  // the defaults the spec and the options share

#include <cstddef>
#include <cstdint>
#include <map>

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
  std::size_t max_concurrent_migrations = 0;  ///< per wave; 0: no limit
  /// Migrations one master takes part in within a wave (as source or target); 0: no limit.
  /// Above 1, a receiver imports from several donors at once (see waves.hpp).
  std::size_t max_migrations_per_node = static_cast<std::size_t>(default_max_migrations_per_node);
  balance_mode balance = balance_mode::slots;
};

/// Plans a slot rebalance of the cluster observed in `t`: first the repair of open, uncovered
/// and contested slots (see repair.hpp), then the fewest slot moves that bring every available
/// master to its weighted quota (see slot_quota.hpp and slot_moves.hpp), grouped into waves in
/// which a master takes part in at most `max_migrations_per_node` migrations. Blocked when a
/// master that holds slots is down with no replica, waiting while one with a replica awaits
/// failover or while the nodes' views disagree.
///
/// With `balance_mode::keys`, the moves bring every master close to its weighted share of the
/// observed keys instead (key_moves.hpp; the shares' leftover keys go by largest remainder and
/// node id, never by who holds them, so a re-plan on the result has the same quotas); blocked
/// (`rebalance.keys_unknown`) when a master taking part has no observed key counts. The threshold then applies to key quotas as well
/// as slot quotas, `summary.keys_moved` counts the keys the balancing moves carry, and
/// `summary.lower_bound` is 0: whole slots of uneven keys have no slot-count lower bound.
[[nodiscard]] RCPLAN_ENTRY plan plan_rebalance(const topology& t, const rebalance_options& opt = {});

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/rebalance.hpp>
#include <rcplan/planner/rebalance_strategy.hpp>
#endif
