#pragma once

// What every reconcile phase reads (the context, computed once per call), what it returns (the
// phase result), and the questions about replicas that several phases ask.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <range/v3/range/conversion.hpp>
#include <range/v3/view/addressof.hpp>
#include <range/v3/view/filter.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

/// Everything a reconcile phase reads, computed once per call.
struct reconcile_context {
  const topology& t;
  const cluster_resource& desired;  ///< defaulted
  /// `cluster-node-timeout` the nodes run with (reconcile_options::node_timeout_ms).
  std::uint64_t node_timeout_ms = 0;
  std::vector<cluster_node> nodes;  ///< merged view, sorted by id
  cluster_layout layout;            ///< points into `t` and `nodes`
  std::string name;
  int masters = 0;   ///< shards wanted
  int replicas = 0;  ///< replicas per shard wanted
  /// Nodes the cluster knows: those in the view of a live master holding slots, or every node
  /// of the merged view when there is none. Fresh pods not met yet and removed nodes are not.
  std::set<node_id> members;
  /// `t` with only the views of members: what the slot planner must agree on.
  topology cluster_only;
  /// The backup the cluster is being created from; null once the cluster is formed, or when
  /// it is not restored.
  const backup_manifest* restore = nullptr;

  reconcile_context(const topology& topo, const cluster_resource& r, std::uint64_t node_timeout,
                    const backup_manifest* restoring = nullptr)
      : t(topo), desired(r), node_timeout_ms(node_timeout), nodes(merged_nodes(topo)), name(r.metadata.name),
        masters(master_count(r.spec)), replicas(replica_count(r.spec)), restore(restoring) {
    layout = map_shards(t, nodes);
    find_members();
  }
  reconcile_context(const reconcile_context&) = delete;
  reconcile_context& operator=(const reconcile_context&) = delete;

  [[nodiscard]] bool member(const node_id& id) const { return members.count(id) != 0; }
  [[nodiscard]] bool wanted(int shard) const noexcept { return shard >= 0 && shard < masters; }
  [[nodiscard]] const cluster_node* node(const node_id& id) const { return find_node(nodes, id); }
  /// Masters holding slots.
  [[nodiscard]] std::vector<const cluster_node*> slot_masters() const {
    return nodes | ranges::views::filter([](const cluster_node& n) { return n.is_master() && !n.slots.empty(); }) |
           ranges::views::addressof | ranges::to<std::vector>();
  }
  void find_members() {
    const cluster_view* seed = nullptr;
    for (const cluster_view& v : t.views) {
      const cluster_node* self = find_node(nodes, v.observer);
      if (self == nullptr || !self->is_master() || self->slots.empty() || self->failed()) continue;
      if (seed == nullptr || v.observer < seed->observer) seed = &v;
    }
    if (seed != nullptr)
      for (const cluster_node& n : seed->nodes) members.insert(n.id);
    else
      for (const cluster_node& n : nodes) members.insert(n.id);
    cluster_only.observations = t.observations;
    cluster_only.pods = t.pods;
    cluster_only.statefulsets = t.statefulsets;
    cluster_only.observed_at_ms = t.observed_at_ms;
    for (const cluster_view& v : t.views)
      if (members.count(v.observer)) {
        cluster_view kept{v.observer, {}};
        for (const cluster_node& n : v.nodes)
          if (members.count(n.id)) kept.nodes.push_back(n);
        cluster_only.views.push_back(std::move(kept));
      }
  }

  /// How long `n` has looked dead, from its last pong and the observation time.
  [[nodiscard]] std::uint64_t down_for_ms(const cluster_node& n) const noexcept {
    if (t.observed_at_ms == 0 || n.pong_received == 0 || n.pong_received > t.observed_at_ms) return 0;
    return t.observed_at_ms - n.pong_received;
  }
};

/// Steps of one phase; `status` is what the plan says when this phase is the one acting.
struct phase_result {
  std::vector<step> steps;
  std::vector<diagnostic> diagnostics;
  plan_status status = plan_status::converged;
  plan_summary summary;  ///< only the slot phase fills it

  [[nodiscard]] bool acts() const noexcept { return status != plan_status::converged || !steps.empty(); }
  void add(int wave, std::string reason, action a) { steps.push_back({wave, std::move(reason), std::move(a)}); }
  void note(severity s, std::string code, std::string subject, std::string message) {
    diagnostics.push_back({s, std::move(code), std::move(subject), std::move(message)});
  }
};

[[nodiscard]] inline std::uint64_t replication_offset(const reconcile_context& c, const node_id& id) {
  const node_observation* o = c.t.observation(id);
  return o != nullptr && o->replication ? o->replication->offset() : 0;
}

[[nodiscard]] inline bool replica_synced(const reconcile_context& c, const node_id& id) {
  const node_observation* o = c.t.observation(id);
  return o != nullptr && o->replication && o->replication->role == node_role::replica &&
         o->replication->master_link_up && !o->replication->master_sync_in_progress;
}

/// The healthy replica of `master` with the highest replication offset (then lowest id).
[[nodiscard]] inline const cluster_node* best_replica(const reconcile_context& c, const node_id& master,
                                                      bool synced_only) {
  const cluster_node* best = nullptr;
  for (const cluster_node& n : c.nodes) {
    // a replica the cluster forgot (on its way out) gets no votes: never the one to promote
    if (n.is_master() || n.master_id != master || n.failed() || n.flags.handshake || !c.member(n.id)) continue;
    if (synced_only && !replica_synced(c, n.id)) continue;
    if (best == nullptr || replication_offset(c, n.id) > replication_offset(c, best->id)) best = &n;
  }
  return best;
}

/// The plan of the phase that acts: steps with no other status are `actions_planned`.
[[nodiscard]] inline plan to_plan(phase_result r) {
  plan p;
  p.status = r.status == plan_status::converged && !r.steps.empty() ? plan_status::actions_planned : r.status;
  p.diagnostics = std::move(r.diagnostics);
  p.steps = std::move(r.steps);
  p.summary = std::move(r.summary);
  return p;
}

}  // namespace rcplan::planner_detail
