#pragma once

// Balancing by keys: which slots move so that every master ends as close to its share of the
// observed keys as whole slots allow, with keyless slots spread by weight.

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/planner/slot_moves.hpp>

#include <cstdint>
#include <vector>

namespace rcplan {

/// A master's current slots, its weight and how many keys it should end with.
struct key_holding {
  node_id id;
  slot_set slots;
  double weight = 1.0;          ///< share of the slot count (second phase); 0 drains
  std::uint64_t key_quota = 0;  ///< keys it should end with (first phase)
};

// How slots are chosen when balancing by keys
// -------------------------------------------
// A slot's keys cannot be split, so key quotas can only be approached. Let dev(i) be the keys
// master i holds minus its key quota (Σ dev = 0), and m the most keys in one slot.
//
//  1. Keys. Repeatedly, x is the master furthest below its quota and the donors are the masters
//     above theirs, furthest first. The first donor d that can act moves one keyed slot to x:
//       - a slot that fits, 1 ≤ k ≤ min(dev(d), −dev(x)): neither side overshoots, so every
//         key moved is a key of imbalance removed. A fitting end of one of d's ranges is taken
//         (one next to x first, then one next to no other master below quota, then the most
//         keys), unless a fitting slot inside a range holds more than twice as many keys
//         (contiguity first, but not at the price of many slots) or the only fitting ends lie
//         next to other receivers (taking those interleaves the receivers' slots): then the
//         fitting slot with the most keys, which later moves to x can extend;
//       - otherwise the fewest-keys slot with k < dev(d) − dev(x): it overshoots, but both
//         sides end strictly between their old deviations, so Σ |dev| still drops.
//     Keyless slots never move here. Stops when no donor has such a slot.
//  2. Slot counts. Keyless slots are where new keys land, and they must not pile up: with
//     share(i) = slots · weight(i) / Σ weights, a master above ⌈share⌉ gives keyless slots
//     (never keyed ones) down to ⌈share⌉; masters below ⌊share⌋ take them, the neediest first,
//     then masters below ⌈share⌉ (largest fraction first). Which keyless slots move is decided
//     by plan_slot_transfers on the keyless slots alone (range ends, adjacency).
//  3. No master of weight > 0 is left without a slot: it takes one keyless slot (a range end
//     when there is one) from the master with the most slots among those that hold a keyless
//     slot and at least two slots.
//
// Guarantees. After phase 1, for the master x furthest below quota and every master d above
// it, every keyed slot of d holds at least dev(d) − dev(x) keys; hence max dev − min dev ≤ m
// and every master ends within m keys of its key quota (within the smallest keyed slot of the
// most loaded master, in fact). A keyed slot moves only when that lowers Σ |dev|; when all
// keys sit in one slot, no keyed slot moves. After phase 2, every master is at or below
// ⌈share⌉ slots unless all its slots beyond that hold keys, and the slots moved there are the
// fewest that bring the others down to ⌈share⌉. Every phase stops in a state from which it
// would plan nothing, so re-planning on the result plans no moves. A slot that moves twice
// (overshoots) appears once, from its first owner to its last.
//
// Cost. Phase 1 makes at most one move per fitting slot plus the overshoots (each lowers
// Σ |dev| by at least 2; the loop is also cut off after 2^20 moves, far beyond what any key
// distribution of 16384 slots needs in practice); a move costs O(S/64 + r + log S + log M) for
// the donor tried (r its ranges), more when the furthest donors cannot act. Phase 2 is
// O(S + M log M + Σ r²) as in slot_moves.hpp, phase 3 O(M · S / 64) at most.

namespace planner_detail {
[[nodiscard]] inline std::vector<slot_transfer> key_transfers(const std::vector<key_holding>& holdings,
                                                              const std::vector<std::uint64_t>& keys_per_slot);
}  // namespace planner_detail

/// Which slots move from which master to which so that every holding ends as close to its key
/// quota as whole slots allow, and keyless slots are spread by weight (see the algorithm
/// above). `keys_per_slot` has one entry per slot: the keys of that slot wherever it is held.
/// Holdings must own disjoint slots and their key quotas must add up to the keys they hold;
/// otherwise throws std::invalid_argument. A holding with an empty id and weight 0 can carry
/// keyless slots nobody owns yet: they are handed out in phase 2. Transfers are sorted by
/// (source, target).
[[nodiscard]] RCPLAN_ENTRY std::vector<slot_transfer> plan_key_transfers(const std::vector<key_holding>& holdings,
                                                                         const std::vector<std::uint64_t>& keys_per_slot);

}  // namespace rcplan

// Header-only, the machinery and the definition come along; under rcplan::compiled the library
// has them.
#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/detail/key_moves.hpp>
#include <rcplan/planner/impl/key_moves.hpp>
#endif
