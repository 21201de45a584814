#pragma once

// Which slots change owner so that every master ends with exactly its slot quota, moving no
// more slots than the quotas require and keeping each master's slots in few ranges.

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>

#include <cstddef>
#include <vector>

namespace rcplan {

/// A master's current slots and the number it should end with.
struct slot_holding {
  node_id id;
  slot_set slots;
  std::size_t quota = 0;
};

/// Slots that change owner from `source` to `target`.
struct slot_transfer {
  node_id source;
  node_id target;
  slot_set slots;
  friend bool operator==(const slot_transfer&, const slot_transfer&) = default;
};

// How transfers are chosen
// ------------------------
// Every donor gives exactly its excess and every receiver takes exactly its deficit, so the
// number of moved slots always equals the lower bound Σ max(0, held − quota). Within that, the
// choice of *which* slots aims at few ranges per master:
//
//  1. Donors, in order of their lowest slot, first give away whole ranges (smallest first,
//     never their largest) while those fit in their excess: a fragmented donor gets tidier.
//  2. The rest is cut from range ends, one end at a time, best end first: an end next to a
//     receiver (which can then grow without a new range), next to slots already given (so the
//     pool of given slots stays in long runs), next to another donor, then anything else. A
//     range keeps at least one slot, so a donor never gains ranges.
//  3. Receivers first take given slots that touch one of their own ranges, growing that range
//     outwards; those that can grow on fewer sides go first (then by id), so that a receiver
//     between two runs of given slots takes what its neighbours leave.
//  4. The remaining given slots are dealt out in ascending slot order as consecutive chunks
//     to the receivers still short, ordered by their lowest slot (empty masters last, by id).
//
// Scaling up from k contiguous masters thus leaves every old master with one range; a new
// master gets one or two when there are at least half as many new masters as old ones, and
// never more than about k / (2 · new) + 1 otherwise (each run of given slots spans the seam of
// two donors, which is the best any minimal plan can do). Scaling back down undoes it, old
// masters returning to a single range. Cost: O(S + M log M + Σ r²) for S = 16384
// slots, M masters and r the ranges of one donor (cut ends are re-scanned per cut).

namespace planner_detail {
[[nodiscard]] inline std::vector<slot_transfer> slot_transfers(const std::vector<slot_holding>& holdings);
}  // namespace planner_detail

/// Which slots move from which master to which, so that every holding ends with exactly its
/// quota, moving exactly Σ max(0, held − quota) slots (see the algorithm above). Holdings must
/// own disjoint slots and their quotas must add up to the slots they hold; otherwise throws
/// std::invalid_argument. Transfers are sorted by (source, target).
[[nodiscard]] RCPLAN_ENTRY std::vector<slot_transfer> plan_slot_transfers(const std::vector<slot_holding>& holdings);

}  // namespace rcplan

// Header-only, the machinery and the definition come along; under rcplan::compiled the library
// has them.
#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/detail/slot_moves.hpp>
#include <rcplan/planner/impl/slot_moves.hpp>
#endif
