#pragma once

// Repair of slots a crash or an interrupted migration left broken: open (migrating or
// importing), uncovered or claimed by several masters. It never plans a step that could lose keys.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>

#include <cstddef>
#include <map>
#include <vector>

namespace rcplan {

/// What the slot repair decided: steps to run first, and who owns what once they ran.
struct repair_result {
  std::vector<step> steps;  ///< waves numbered from 0
  std::vector<diagnostic> diagnostics;
  bool blocked = false;
  /// Slots of each master (by id) once the repair ran; every master of the input appears.
  std::map<node_id, slot_set> ownership;
  /// Uncovered slots that hold no keys anywhere: whoever needs slots may take them.
  slot_set unassigned;
  std::size_t slots_repaired = 0;
};

// How each broken slot is repaired
// --------------------------------
// Open slots are read from each node's own line (`[s->-id]`, `[s-<-id]`), key counts from the
// observations; an unknown key count is treated as "may hold keys". Nothing here deletes keys:
// SETSLOT STABLE leaves keys where they are, SETSLOT NODE naming another node is only planned
// for a node known to hold none of the slot's keys or for an importer (which keeps importing,
// and Redis deletes nothing of a slot a node does not own), and migrations move keys before
// ownership.
//
//  migrating on owner o → t, importing on t ← o      finish: migrate_slots o → t
//  importing on t only, t holds no keys               close: set_slot_stable on t
//  importing on t ← owner o only, t may hold keys     finish: migrate_slots o → t
//  importing on t ← s, s replaced by its promoted     t's table names o: finish o → t; else
//  replica o (s gone, or now o's replica)             first set_slot_node t → o (t keeps
//                                                     importing; Redis clears that only when a
//                                                     node takes the slot itself), then finish
//  migrating on o → t only, t known to hold no keys   close: set_slot_stable on o
//  migrating on o → t only, t may hold keys           finish: migrate_slots o → t (t may be
//                                                     importing in a view nobody observed)
//  migrating on o → t, t already claims the slot      o holds no keys: set_slot_node o → t;
//                                                     else blocked
//  several importers                                  close the empty ones; one left is handled
//                                                     as above; several with keys: blocked
//  uncovered, no node holds keys                      left for the balancer to hand out; when
//                                                     some table names an owner (ADDSLOTS is
//                                                     refused there) and no node imports it:
//                                                     the live master most tables name, else
//                                                     the one holding fewest slots, takes it
//                                                     as below; imported by t from a source
//                                                     known empty whose own table names t
//                                                     (the source let go first): t takes it
//  uncovered, exactly one node holds keys             add_slots on that node; when some
//                                                     table names another owner (a hand-over
//                                                     both sides think the other finished):
//                                                     set_slot_node to it on it, then on the
//                                                     other masters
//  uncovered, keys on several nodes or unknown        blocked (nodes in handshake are not
//                                                     members yet and are not asked)
//  claimed by several masters                         the one with most keys (then highest
//                                                     config epoch, then lowest id) keeps it;
//                                                     losers known to be empty: set_slot_node;
//                                                     otherwise blocked

namespace planner_detail {
[[nodiscard]] inline repair_result repair_slots(const topology& t, const std::vector<cluster_node>& nodes);
}  // namespace planner_detail

/// Plans the repair of open, uncovered and contested slots (table above) on the merged view
/// `nodes` of `t`. Pure and deterministic.
[[nodiscard]] RCPLAN_ENTRY repair_result plan_repair(const topology& t, const std::vector<cluster_node>& nodes);

}  // namespace rcplan

// Header-only, the machinery and the definition come along; under rcplan::compiled the library
// has them.
#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/detail/repair.hpp>
#include <rcplan/planner/impl/repair.hpp>
#endif
