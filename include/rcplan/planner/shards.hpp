#pragma once

// The Kubernetes shape of a cluster: shards (StatefulSets) and their pods, each matched to the
// Redis node it runs, as every planner that knows about pods reads them.

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/topology.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

// The Kubernetes shape of a cluster named N (as the original operator lays it out): shard i
// is StatefulSet `drc-N-i`, its pods are `drc-N-i-<ordinal>`, each running one Redis node.

[[nodiscard]] inline std::string statefulset_name(std::string_view cluster, int shard) {
  return "drc-" + std::string(cluster) + "-" + std::to_string(shard);
}
[[nodiscard]] inline std::string pod_name(std::string_view cluster, int shard, int ordinal) {
  return statefulset_name(cluster, shard) + "-" + std::to_string(ordinal);
}

/// One pod of a shard and the Redis node running in it, if it is known to the cluster.
struct shard_member {
  const pod* p = nullptr;
  const cluster_node* node = nullptr;           ///< from the merged view; null: not met yet
  const node_observation* observed = nullptr;   ///< the node's own observation, if reached
};

/// A shard: its StatefulSet (if it exists) and its pods, by ordinal.
struct shard_view {
  int index = 0;
  const statefulset* sts = nullptr;
  std::vector<shard_member> members;

  /// The member whose node is a master, preferring one that holds slots, then a healthy one,
  /// then the lowest ordinal; null when no member is a master.
  [[nodiscard]] const shard_member* master() const {
    const shard_member* best = nullptr;
    const auto rank = [](const shard_member& m) {
      return (m.node->slots.empty() ? 0 : 2) + (m.node->failed() ? 0 : 1);
    };
    for (const shard_member& m : members)
      if (m.node != nullptr && m.node->is_master() && (best == nullptr || rank(m) > rank(*best))) best = &m;
    return best;
  }
};

/// Shards in index order, and the cluster's nodes that no pod accounts for.
struct cluster_layout {
  std::vector<shard_view> shards;
  std::vector<const cluster_node*> unmapped;

  [[nodiscard]] const shard_view* shard(int index) const {
    for (const shard_view& s : shards)
      if (s.index == index) return &s;
    return nullptr;
  }
  /// The shard and member running node `id`, if a pod runs it.
  [[nodiscard]] std::pair<const shard_view*, const shard_member*> find(const node_id& id) const {
    for (const shard_view& s : shards)
      for (const shard_member& m : s.members)
        if (m.node != nullptr && m.node->id == id) return {&s, &m};
    return {nullptr, nullptr};
  }
};

/// Matches pods to Redis nodes. A pod runs the node that answered at its address
/// (an observation), else the node whose announced address is the pod's; a node that moved to
/// a new address keeps its id, so the observation wins over a stale address in the views.
/// `merged` must be `merged_nodes(t)` and outlive the result, as must `t`.
[[nodiscard]] RCPLAN_ENTRY cluster_layout map_shards(const topology& t, const std::vector<cluster_node>& merged);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/shards.hpp>
#endif
