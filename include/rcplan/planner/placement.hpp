#pragma once

// Where masters run: one master per shard, spread across Kubernetes nodes (hosts) and zones as
// far as the pods allow (design §6: no master and one of its replicas share a host, and a zone
// where zones allow it, unless a diagnostic says why).
//
// What "as far as possible" means
// -------------------------------
// Every function here compares ways of giving each shard its master by one cost, compared
// lexicographically, level by level:
//
//   1. host pairs   pairs of masters on the same host        Σ_h C(masters on h, 2)
//   2. zone pairs   pairs of masters in the same zone        Σ_z C(masters in z, 2)
//   3. switches     shards whose master changes (failover planning only; 0 at creation)
//   4. host coloc   replicas left on their master's host
//   5. zone coloc   replicas left in their master's zone
//   6. rank         lowest ordinal at creation; highest replication offset (then node id) when
//                   choosing which replica to promote
//
// Levels 1 and 4 count only when the policy spreads by host, 2 and 5 only when it spreads by
// zone. Counting pairs rather than "masters beyond the first" also balances masters when
// there are more shards than hosts or zones: 6 masters over 3 zones end 2-2-2, not 4-1-1.
// Replica co-location ranks below switches so that a failover is only ever planned to spread
// masters, never merely to move a replica away; among the replicas that spread masters equally
// well, one whose promotion leaves no replica on its host is preferred over a higher offset,
// because offsets of synced replicas differ by moments of traffic while hosts fail.
// A pod with no host (or no zone) is in no failure domain: it conflicts with nothing. A host's
// zone is the smallest zone any of its pods reports, so that a host is in one zone only.
//
// Algorithm
// ---------
// Choosing one option per shard so that the cost is minimal is an exact min-cost flow:
//
//   source ─1─► shard ─(option: levels 3..6)─► host ─(k-th unit: k host pairs)─► zone
//          ─(k-th unit: k zone pairs)─► sink
//
// Zones contain hosts, so the two spread levels nest and each is a convex cost on one edge
// bundle (the k-th master on a host adds k pairs: parallel unit edges of cost 0, 1, 2, ...).
// A pod without a host goes to a per-zone "no host" vertex with no pair cost. Costs are vectors
// of the six levels, compared lexicographically (an ordered group, so shortest paths and
// potentials work unchanged and nothing overflows). A bundle is one arc whose k-th unit costs
// k, so the graph stays O(Σ options) arcs. Successive shortest paths push one unit per shard,
// each by Dijkstra with Johnson potentials (all initial costs are non-negative), stopping at
// the sink. With S shards and E = O(Σ options) arcs: O(S · E log E) time, O(E) memory. Measured
// (-O2, host and zone, 3 pods a shard): 10 shards ≈ 0.1 ms, 50 ≈ 2–3 ms, 200 ≈ 40 ms; beyond a
// few hundred shards a cost-scaling solver would be the next step. Ties of the whole cost
// vector are broken by the fixed vertex order (shards by index, hosts and zones by name), so
// results are deterministic but not otherwise specified (two equal shards: either may move).
//
// Failover planning fixes every shard whose master is unhealthy to its current master, and
// offers a healthy master's shard its current master (cost 0) or any replica of it that is
// healthy, ready and synced (cost 1 switch). The optimum is therefore the best reachable
// spread with the fewest failovers. That can move a shard whose master shares no host, when
// freeing a host for a conflicting shard takes a chain of promotions (A → B's host, B → a free
// host); it never moves one that does not help.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rcplan {

/// Failovers that restore the spread of masters, and why the spread stays imperfect if it does.
struct placement_plan {
  std::vector<failover> failovers;  ///< by shard index, at most one per shard
  std::vector<diagnostic> diagnostics;

  friend bool operator==(const placement_plan&, const placement_plan&) = default;
};

/// At creation: the member of each shard (among members running Redis, healthy ones first)
/// to make its master so that masters spread as far as the policy and the pods allow, then
/// replicas away from their master, then the lowest ordinal. Keyed by shard index; shards with
/// no member running Redis are absent. Pointers point into `layout`.
[[nodiscard]] RCPLAN_ENTRY std::map<int, const shard_member*> choose_masters(const cluster_layout& layout,
                                                                             const placement_policy& policy);

/// Where the current masters break the spread: masters sharing a host or zone
/// (`placement.masters_share_host`, `placement.masters_share_zone`, subject the later master's
/// pod), replicas on their master's host or zone (`placement.replica_on_master_host`,
/// `placement.replica_on_master_zone`, subject the replica's pod). Error under a required
/// policy, warning under a preferred one; info when no choice of masters with the pods where
/// they are could avoid it, in which case one `placement.best_effort` (subject
/// `spec.placement`, the policy's severity) says what keeps the placement from the ideal.
[[nodiscard]] RCPLAN_ENTRY std::vector<diagnostic> placement_findings(const cluster_layout& layout,
                                                                      const placement_policy& policy);

/// The fewest default-mode failovers that bring masters back to the best spread reachable now:
/// only shards whose current master is healthy are touched, each at most once, each promoting a
/// healthy, ready replica of that master whose replication link is up; among equally good
/// replicas the one leaving no replica on its host, then the highest replication offset, then
/// the lowest node id. When masters still share a host or zone afterwards, one
/// `placement.best_effort` (subject `spec.placement`, the policy's severity) says how far the
/// plan gets and whether unhealthy or unsynced replicas are what holds it back.
[[nodiscard]] RCPLAN_ENTRY placement_plan plan_spread_failovers(const cluster_layout& layout, const placement_policy& policy);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/placement.hpp>
#endif
