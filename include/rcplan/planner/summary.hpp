#pragma once

// An observed cluster at a glance: masters with their replicas, orphan replicas, open slots,
// problem nodes and slot coverage, computed once from a topology and sorted by stable keys.
// `rcplan inspect`, `check` and `local status` render it; an operator may report it.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <cstddef>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

struct master_summary {
  cluster_node node;
  std::vector<cluster_node> replicas;  ///< by id
};

/// A slot in the middle of a migration, on the node that reported it.
struct open_slot_summary {
  node_id node;
  open_slot slot;
};

struct coverage_summary {
  std::size_t covered = 0;
  slot_set uncovered;
  slot_set contested;  ///< claimed by more than one master
  std::vector<std::pair<node_id, slot_set>> contested_by;  ///< each claimant's share, by id
  slot_set on_failed_masters;  ///< covered, but by a master flagged fail or fail?
};

struct topology_summary {
  std::vector<node_id> observers;  ///< one per view, by id; empty ids are left out
  std::vector<cluster_node> nodes;  ///< the merged picture, by id
  std::vector<master_summary> masters;  ///< by lowest slot, masters without slots last by id
  std::size_t replica_count = 0;
  std::size_t handshake_count = 0;  ///< nodes still in handshake: neither master nor replica yet
  std::vector<cluster_node> orphan_replicas;  ///< replicas whose master is not a known master
  /// Nodes outside the cluster: observed, but their own table lists only themselves and no other
  /// observer lists them (reset on the way out, or not met yet). Neither masters nor replicas.
  std::vector<cluster_node> outsiders;
  std::vector<open_slot_summary> open_slots;  ///< by slot, then node
  std::vector<cluster_node> problem_nodes;  ///< flagged fail, fail?, handshake or noaddr; by id
  coverage_summary coverage;
};

/// The flags that make a node a problem, as short names: fail, pfail, handshake, noaddr.
[[nodiscard]] inline std::vector<std::string_view> problems(const node_flags& flags);

[[nodiscard]] inline topology_summary summarize(const topology& t);

}  // namespace rcplan

// the definitions need the types above
#include <rcplan/planner/detail/summary.hpp>
