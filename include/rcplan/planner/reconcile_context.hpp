#pragma once

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan {

/// Knobs of the loop that are not part of the resource.
struct reconcile_options {
  /// `cluster-node-timeout` the nodes run with: how long Redis takes to mark a master failed
  /// and promote a replica. A failed master not replaced within twice this is helped along.
  std::uint64_t node_timeout_ms = 15000;
};

namespace detail {

/// Everything a reconcile phase reads, computed once per call.
struct reconcile_context {
  const topology& t;
  const cluster_resource& desired;  ///< defaulted
  const reconcile_options& options;
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

  reconcile_context(const topology& topo, const cluster_resource& r, const reconcile_options& o)
      : t(topo), desired(r), options(o), nodes(merged_nodes(topo)), name(r.metadata.name),
        masters(master_count(r.spec)), replicas(replica_count(r.spec)) {
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
    std::vector<const cluster_node*> out;
    for (const cluster_node& n : nodes)
      if (n.is_master() && !n.slots.empty()) out.push_back(&n);
    return out;
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

  [[nodiscard]] bool acts() const noexcept { return status != plan_status::converged || !steps.empty(); }
  void add(int wave, std::string reason, action a) { steps.push_back({wave, std::move(reason), std::move(a)}); }
  void note(severity s, std::string code, std::string subject, std::string message) {
    diagnostics.push_back({s, std::move(code), std::move(subject), std::move(message)});
  }
};

}  // namespace detail
}  // namespace rcplan
