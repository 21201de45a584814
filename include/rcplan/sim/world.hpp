#pragma once

// A simulated Kubernetes deployment of a Redis Cluster: the cluster of cluster.hpp plus
// StatefulSets, pods on hosts with zones, and PVCs. It applies every action a plan lists,
// moves time on one tick at a time, and injects faults; use it to run a controller's loop.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/sim/detail/kube.hpp>
#include <rcplan/sim/detail/placement.hpp>
#include <rcplan/sim/detail/resolve.hpp>
#include <rcplan/sim/kube_state.hpp>
#include <rcplan/sim/node_state.hpp>
#include <rcplan/sim/violation.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::sim {

struct world_options {
  /// Hosts in scheduling order; pod (shard s, ordinal o) goes to host (s + o) mod n, skipping
  /// lost hosts, so a shard's pods spread over hosts and zones.
  std::vector<kube_host> hosts = {{"node-a", "zone-a"}, {"node-b", "zone-b"}, {"node-c", "zone-c"}};
  std::uint64_t start_ms = 1'700'000'000'000;  ///< the clock at construction
  std::uint64_t tick_ms = 1000;                ///< how far one tick() moves the clock
  std::uint64_t node_timeout_ms = 5000;        ///< Redis' cluster-node-timeout: auto failover after it
  view_mode views = view_mode::per_node;       ///< what to_topology() reports
  std::uint64_t seed = 0;                      ///< varies the node ids a world hands out
};

/// A Redis Cluster and the Kubernetes objects around it: StatefulSets, pods scheduled on hosts
/// with zones, PVCs that carry a node's nodes.conf and data over restarts. It applies every
/// action a plan lists (Redis ones lowered to commands, Kubernetes ones to the objects), moves
/// time forward one tick() at a time (pods start, Redis fails over) and injects faults. Pure
/// and deterministic: the same calls give the same world.
class world {
 public:
  explicit world(world_options o = {}) : o_(std::move(o)) {
    c_.set_clock(o_.start_ms);
    k_.hosts = o_.hosts;
    k_.seed = o_.seed;
  }

  [[nodiscard]] const sim::cluster& cluster() const noexcept { return c_; }
  /// For preloading keys (cluster().add_keys) and for tests that need a raw command.
  [[nodiscard]] sim::cluster& cluster() noexcept { return c_; }
  [[nodiscard]] const std::map<std::string, statefulset_state>& statefulsets() const noexcept { return k_.sts; }
  [[nodiscard]] const std::map<std::string, pod_state>& pods() const noexcept { return k_.pods; }
  /// PVC name → the node whose nodes.conf and data it holds.
  [[nodiscard]] const std::map<std::string, node_id>& pvcs() const noexcept { return k_.pvcs; }
  [[nodiscard]] const pod_state* find_pod(const std::string& name) const { return k_.find_pod(name); }
  /// The node a pod runs, if the pod has started.
  [[nodiscard]] std::optional<node_id> node_of(const std::string& pod_name) const {
    const pod_state* p = find_pod(pod_name);
    return p ? p->node : std::nullopt;
  }
  /// The pod running `id`, if any.
  [[nodiscard]] const pod_state* pod_of(const node_id& id) const { return k_.pod_of(id); }
  /// Co-location the plan explained in its diagnostics (design §6: reported, not refused).
  [[nodiscard]] const std::vector<violation>& findings() const noexcept { return findings_; }
  [[nodiscard]] const std::string& status() const noexcept { return k_.status; }
  [[nodiscard]] std::uint64_t now_ms() const noexcept { return c_.now_ms(); }

  [[nodiscard]] static std::string pvc_name(const std::string& pod_name) { return detail::pvc_name(pod_name); }

  // --- applying plans --------------------------------------------------------------------

  /// Applies one action of a plan and checks the invariants; the first refusal or broken
  /// invariant is returned. `diagnostics` are the plan's: a diagnostic about a node or pod
  /// (by subject) or with a `placement` code turns a co-location into a finding.
  /// `max_commands` cuts a Redis action short after that many lowered commands, as a crash
  /// would; `commands_done` (if given) gets how many ran.
  [[nodiscard]] std::optional<violation> apply(const action& a, const std::vector<diagnostic>& diagnostics = {},
                                               std::optional<std::size_t> max_commands = std::nullopt,
                                               std::size_t* commands_done = nullptr) {
    const auto before = colocated_pairs();
    std::optional<violation> v;
    std::size_t done = 0;
    if (const auto* f = std::get_if<forget>(&a))
      for (const diagnostic& d : diagnostics)
        if (d.code == data_loss_code && d.subject == resolve_id(f->node).value) c_.write_off(resolve_id(f->node));
    if (is_redis_action(a)) {
      lower_context ctx;
      ctx.nodes = c_.reachable_node_list();
      for (const lowered_command& cmd : lower(detail::resolve(k_, c_, a), ctx)) {
        if (max_commands && done >= *max_commands) break;
        ++done;
        if ((v = c_.apply(cmd))) break;
      }
    } else {
      std::visit([&](const auto& x) { k_.apply(c_, x); }, a);
      done = 1;
    }
    if (commands_done != nullptr) *commands_done = done;
    if (v) return v;
    return detail::check_placement(c_, k_, before, diagnostics, findings_);
  }

  /// Whether a wait holds now (the world never blocks: a binding would wait, a test ticks).
  [[nodiscard]] bool holds(const wait_until& w) const {
    switch (w.condition) {
      case wait_condition::views_agree: return views_agree(c_.to_topology(view_mode::per_node));
      case wait_condition::replica_synced: {
        const node_state* n = c_.find(resolve_id(node_id{w.subject}));
        if (n == nullptr || !n->alive || n->master || !n->master_id || !n->synced) return false;
        const node_state* m = c_.find(*n->master_id);
        return m != nullptr && m->alive && m->offset == n->offset;
      }
      case wait_condition::node_known: {
        const node_id id = resolve_id(node_id{w.subject});
        if (c_.find(id) == nullptr) return false;
        for (const auto& [other, n] : c_.nodes())
          if (other != id && n.alive && c_.is_member(other) && n.known.count(id) == 0) return false;
        return true;
      }
      case wait_condition::pods_ready:
        for (const auto& [name, s] : k_.sts) {
          if (!w.subject.empty() && name != w.subject) continue;
          if (s.observed.ready_replicas != s.observed.replicas) return false;
        }
        return true;
      case wait_condition::node_reachable: {
        const node_state* n = c_.find(resolve_id(node_id{w.subject}));
        return n != nullptr && n->alive;
      }
      case wait_condition::failover_done: {
        const node_state* n = c_.find(resolve_id(node_id{w.subject}));
        return n != nullptr && n->alive && n->master;
      }
    }
    return false;
  }

  // --- time --------------------------------------------------------------------------------

  /// One step of time: the clock moves, Redis fails over masters down for the node timeout,
  /// killed processes restart, and the StatefulSet controller creates missing pods (each
  /// starting from its PVC when that holds a node, else as a fresh node).
  void tick() {
    c_.advance(o_.tick_ms);
    (void)c_.auto_failover(o_.node_timeout_ms);
    k_.tick(c_);
  }

  // --- faults --------------------------------------------------------------------------------

  /// The pod's process dies; it restarts after `down_ticks` ticks, from its PVC unless
  /// `lose_pvc` (then as a fresh node, and the old node stays dead in the others' tables).
  void kill_pod(const std::string& name, bool lose_pvc = false, int down_ticks = 1) {
    k_.kill_pod(c_, name, lose_pvc, down_ticks);
  }
  /// A host goes away: every pod on it is down until restore_host() or until the pod is
  /// deleted (then it is scheduled elsewhere, with its PVC: storage is network-attached).
  void lose_host(const std::string& host) { k_.lose_host(c_, host); }
  void restore_host(const std::string& host) { k_.lost_hosts.erase(host); }
  /// The pod gets a new IP; its node keeps its id; the others list the old address until a MEET.
  void change_pod_ip(const std::string& name) { k_.change_pod_ip(c_, name); }

  // --- observing -----------------------------------------------------------------------------

  /// What a binding would observe: Redis views and observations, pods (host, zone, ready,
  /// revision), StatefulSets (replicas, image, config hash of the last apply) and the time.
  [[nodiscard]] topology to_topology() const {
    topology t = c_.to_topology(o_.views);
    for (const auto& [name, p] : k_.pods) t.pods.push_back(p.observed);
    for (const auto& [name, s] : k_.sts) t.statefulsets.push_back(s.observed);
    t.observed_at_ms = c_.now_ms();
    return t;
  }

  /// Masters and their replicas that share a host, or a zone when the hosts span several
  /// zones, as (master, replica) pairs sorted.
  [[nodiscard]] std::set<std::pair<node_id, node_id>> colocated_pairs() const {
    return detail::colocated_pairs(c_, k_);
  }

 private:
  /// Plans name a node a pod will run by the pod's name until the node exists.
  [[nodiscard]] node_id resolve_id(const node_id& id) const { return detail::resolver{k_, c_}.id(id); }

  world_options o_;
  sim::cluster c_;
  detail::kube_controller k_;
  std::vector<violation> findings_;
};

}  // namespace rcplan::sim
