#pragma once

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/sim/cluster.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::sim {

/// A Kubernetes node (host) pods can be scheduled on.
struct kube_host {
  std::string name;
  std::string zone;
};

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

/// A StatefulSet as the world keeps it.
struct statefulset_state {
  statefulset observed;  ///< what to_topology() reports
  bool ephemeral = false;  ///< emptyDir storage: a restarted pod starts empty
  int revision = 0;        ///< bumped when the pod template (image, config hash) changes
};

/// A pod and the Redis process in it.
struct pod_state {
  pod observed;
  std::optional<node_id> node;  ///< the Redis node the process runs
  bool running = false;         ///< the process is up
  int down_ticks = 0;           ///< a killed process restarts when this reaches 0
  int ip_generation = 0;        ///< bumped by each address change
  /// With emptyDir storage, the node whose data survives a container restart (not the pod).
  std::optional<node_id> empty_dir;
};

/// A Redis Cluster and the Kubernetes objects around it: StatefulSets, pods scheduled on hosts
/// with zones, PVCs that carry a node's nodes.conf and data over restarts. It applies every
/// action a plan lists (Redis ones lowered to commands, Kubernetes ones to the objects), moves
/// time forward one tick() at a time (pods start, Redis fails over) and injects faults. Pure
/// and deterministic: the same calls give the same world.
class world {
 public:
  explicit world(world_options o = {}) : o_(std::move(o)) { c_.set_clock(o_.start_ms); }

  [[nodiscard]] const sim::cluster& cluster() const noexcept { return c_; }
  /// For preloading keys (cluster().add_keys) and for tests that need a raw command.
  [[nodiscard]] sim::cluster& cluster() noexcept { return c_; }
  [[nodiscard]] const std::map<std::string, statefulset_state>& statefulsets() const noexcept { return sts_; }
  [[nodiscard]] const std::map<std::string, pod_state>& pods() const noexcept { return pods_; }
  /// PVC name → the node whose nodes.conf and data it holds.
  [[nodiscard]] const std::map<std::string, node_id>& pvcs() const noexcept { return pvcs_; }
  [[nodiscard]] const pod_state* find_pod(const std::string& name) const {
    const auto it = pods_.find(name);
    return it == pods_.end() ? nullptr : &it->second;
  }
  /// The node a pod runs, if the pod has started.
  [[nodiscard]] std::optional<node_id> node_of(const std::string& pod_name) const {
    const pod_state* p = find_pod(pod_name);
    return p ? p->node : std::nullopt;
  }
  /// The pod running `id`, if any.
  [[nodiscard]] const pod_state* pod_of(const node_id& id) const {
    for (const auto& [name, p] : pods_)
      if (p.node == id) return &p;
    return nullptr;
  }
  /// Co-location the plan explained in its diagnostics (design §6: reported, not refused).
  [[nodiscard]] const std::vector<violation>& findings() const noexcept { return findings_; }
  [[nodiscard]] const std::string& status() const noexcept { return status_; }
  [[nodiscard]] std::uint64_t now_ms() const noexcept { return c_.now_ms(); }

  [[nodiscard]] static std::string pvc_name(const std::string& pod_name) { return "data-" + pod_name; }

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
      const action resolved = std::visit([&](const auto& x) { return action{resolve(x)}; }, a);
      lower_context ctx;
      ctx.nodes = c_.reachable_node_list();
      for (const lowered_command& cmd : lower(resolved, ctx)) {
        if (max_commands && done >= *max_commands) break;
        ++done;
        if ((v = c_.apply(cmd))) break;
      }
    } else {
      std::visit([&](const auto& x) { kube(x); }, a);
      done = 1;
    }
    if (commands_done != nullptr) *commands_done = done;
    if (v) return v;
    return check_placement(before, diagnostics);
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
        for (const auto& [name, s] : sts_) {
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
    for (auto& [name, p] : pods_) {
      if (p.running || lost_hosts_.count(p.observed.kube_node) != 0) continue;
      if (p.down_ticks > 0 && --p.down_ticks > 0) continue;
      start_process(p);
    }
    for (auto& [name, s] : sts_)
      for (int ordinal = 0; ordinal < s.observed.replicas; ++ordinal) {
        const std::string pn = name + "-" + std::to_string(ordinal);
        if (pods_.count(pn) == 0) create_pod(s, pn, ordinal);
      }
    refresh_ready();
  }

  // --- faults --------------------------------------------------------------------------------

  /// The pod's process dies; it restarts after `down_ticks` ticks, from its PVC unless
  /// `lose_pvc` (then as a fresh node, and the old node stays dead in the others' tables).
  void kill_pod(const std::string& name, bool lose_pvc = false, int down_ticks = 1) {
    const auto it = pods_.find(name);
    if (it == pods_.end()) return;
    pod_state& p = it->second;
    if (p.node) c_.kill(*p.node);
    p.running = false;
    p.down_ticks = down_ticks < 1 ? 1 : down_ticks;
    if (lose_pvc) {
      pvcs_.erase(pvc_name(name));
      p.empty_dir.reset();
    }
    refresh_ready();
  }
  /// A host goes away: every pod on it is down until restore_host() or until the pod is
  /// deleted (then it is scheduled elsewhere, with its PVC: storage is network-attached).
  void lose_host(const std::string& host) {
    lost_hosts_.insert(host);
    for (auto& [name, p] : pods_)
      if (p.observed.kube_node == host) {
        if (p.node) c_.kill(*p.node);
        p.running = false;
      }
    refresh_ready();
  }
  void restore_host(const std::string& host) { lost_hosts_.erase(host); }
  /// The pod gets a new IP; its node keeps its id; the others list the old address until a MEET.
  void change_pod_ip(const std::string& name) {
    const auto it = pods_.find(name);
    if (it == pods_.end()) return;
    ++it->second.ip_generation;
    it->second.observed.ip = ip_of(it->second);
    if (it->second.node) c_.set_address(*it->second.node, address_of(it->second));
  }

  // --- observing -----------------------------------------------------------------------------

  /// What a binding would observe: Redis views and observations, pods (host, zone, ready,
  /// revision), StatefulSets (replicas, image, config hash of the last apply) and the time.
  [[nodiscard]] topology to_topology() const {
    topology t = c_.to_topology(o_.views);
    for (const auto& [name, p] : pods_) t.pods.push_back(p.observed);
    for (const auto& [name, s] : sts_) t.statefulsets.push_back(s.observed);
    t.observed_at_ms = c_.now_ms();
    return t;
  }

  /// Masters and their replicas that share a host, or a zone when the hosts span several
  /// zones, as (master, replica) pairs sorted.
  [[nodiscard]] std::set<std::pair<node_id, node_id>> colocated_pairs() const {
    std::set<std::pair<node_id, node_id>> out;
    std::set<std::string> zones;
    for (const kube_host& h : o_.hosts)
      if (lost_hosts_.count(h.name) == 0 && !h.zone.empty()) zones.insert(h.zone);
    for (const auto& [id, n] : c_.nodes()) {
      if (n.master || !n.master_id) continue;
      const pod_state* r = pod_of(id);
      const pod_state* m = pod_of(*n.master_id);
      if (r == nullptr || m == nullptr) continue;
      const bool same_host = r->observed.kube_node == m->observed.kube_node;
      const bool same_zone = zones.size() > 1 && !r->observed.zone.empty() && r->observed.zone == m->observed.zone;
      if (same_host || same_zone) out.emplace(*n.master_id, id);
    }
    return out;
  }

 private:
  // --- names and addresses ----------------------------------------------------------------

  [[nodiscard]] static std::string ip_of(const pod_state& p) {
    return "10." + std::to_string(p.ip_generation) + "." + std::to_string(p.observed.shard_index) + "." +
           std::to_string(p.observed.ordinal);
  }
  [[nodiscard]] static address address_of(const pod_state& p) {
    return address{p.observed.ip, p.observed.port, static_cast<std::uint16_t>(p.observed.port + 10000), ""};
  }
  /// Deterministic, well-formed ids that differ from one world seed to another.
  [[nodiscard]] node_id next_id() {
    for (;;) {
      std::string v;
      std::uint64_t x = o_.seed * 0x9E3779B97F4A7C15ULL + ++ids_;
      while (v.size() < 40) {
        // splitmix64
        x += 0x9E3779B97F4A7C15ULL;
        std::uint64_t z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        char buf[17];
        std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(z));
        v += buf;
      }
      node_id id{v.substr(0, 40)};
      if (c_.find(id) == nullptr) return id;
    }
  }
  /// Plans name a node a pod will run by the pod's name until the node exists.
  [[nodiscard]] node_id resolve_id(const node_id& id) const {
    if (const pod_state* p = find_pod(id.value); p != nullptr && p->node) return *p->node;
    return id;
  }

  meet resolve(meet a) const {
    const pod_state* p = find_pod(a.node.value);
    a.node = resolve_id(a.node);
    a.via = resolve_id(a.via);
    if (a.addr.host.empty() && p != nullptr) a.addr = address_of(*p);
    if (a.addr.host.empty())
      if (const node_state* n = c_.find(a.node)) a.addr = n->addr;
    return a;
  }
  add_slots resolve(add_slots a) const { return a.node = resolve_id(a.node), a; }
  set_config_epoch resolve(set_config_epoch a) const { return a.node = resolve_id(a.node), a; }
  replicate resolve(replicate a) const {
    a.replica = resolve_id(a.replica);
    a.master = resolve_id(a.master);
    return a;
  }
  migrate_slots resolve(migrate_slots a) const {
    a.source = resolve_id(a.source);
    a.target = resolve_id(a.target);
    return a;
  }
  set_slot_stable resolve(set_slot_stable a) const { return a.node = resolve_id(a.node), a; }
  set_slot_node resolve(set_slot_node a) const {
    a.node = resolve_id(a.node);
    a.owner = resolve_id(a.owner);
    return a;
  }
  failover resolve(failover a) const { return a.replica = resolve_id(a.replica), a; }
  forget resolve(forget a) const { return a.node = resolve_id(a.node), a; }
  reset resolve(reset a) const { return a.node = resolve_id(a.node), a; }
  config_set resolve(config_set a) const { return a.node = resolve_id(a.node), a; }
  template <typename A>
  A resolve(A a) const {
    return a;
  }

  // --- Kubernetes ------------------------------------------------------------------------------

  void kube(const apply_statefulset& a) {
    const statefulset_description& f = a.object;
    const std::string hash = template_config_hash(f);
    auto [it, created] = sts_.try_emplace(f.name);
    statefulset_state& s = it->second;
    if (created || s.observed.image != f.image || s.observed.config_hash != hash ||
        s.observed.password_secret != f.password_secret)
      ++s.revision;
    s.ephemeral = f.storage.type == "ephemeral";  // an emptyDir; anything else is a PVC
    s.observed.name = f.name;
    s.observed.shard_index = f.shard_index;
    s.observed.image = f.image;
    s.observed.config_hash = hash;
    s.observed.password_secret = f.password_secret;
    // OnDelete: pods keep their revision until deleted; the update revision is the new one
    s.observed.update_revision = f.name + "-" + std::to_string(s.revision);
    if (created) s.observed.current_revision = s.observed.update_revision;
    scale(s, f.replicas);
  }
  void kube(const scale_statefulset& a) {
    if (const auto it = sts_.find(a.name); it != sts_.end()) scale(it->second, a.replicas);
  }
  void kube(const delete_statefulset& a) {
    const auto it = sts_.find(a.name);
    if (it == sts_.end()) return;
    scale(it->second, 0);
    sts_.erase(it);
  }
  void kube(const delete_pod& a) {
    const auto it = pods_.find(a.name);
    if (it == pods_.end()) return;
    stop_and_remove(it);  // the StatefulSet controller recreates it on the next tick
  }
  void kube(const delete_pvc& a) {
    const auto it = pvcs_.find(a.name);
    if (it == pvcs_.end()) return;
    // the data goes with it once no pod uses it; a running process keeps going until it stops
    pvcs_.erase(it);
  }
  void kube(const update_status& a) { status_ = a.status.status; }
  void kube(const apply_service&) {}
  void kube(const apply_pdb&) {}
  void kube(const apply_configmap&) {}
  template <typename A>
  void kube(const A&) {}  // Redis actions never get here

  /// Scaling down removes the highest ordinals at once (their PVCs stay, as Kubernetes keeps
  /// them); scaling up leaves the new pods to the next tick.
  void scale(statefulset_state& s, int replicas) {
    s.observed.replicas = replicas < 0 ? 0 : replicas;
    for (auto it = pods_.begin(); it != pods_.end();) {
      const pod& p = it->second.observed;
      const bool mine = p.name.size() > s.observed.name.size() + 1 && p.name.compare(0, s.observed.name.size() + 1, s.observed.name + "-") == 0 &&
                        p.shard_index == s.observed.shard_index;
      if (mine && p.ordinal >= s.observed.replicas) it = stop_and_remove(it);
      else ++it;
    }
    refresh_ready();
  }

  std::map<std::string, pod_state>::iterator stop_and_remove(std::map<std::string, pod_state>::iterator it) {
    pod_state& p = it->second;
    if (p.node) {
      // without its PVC (or with emptyDir) the node will never come back
      const bool kept = pvcs_.count(pvc_name(it->first)) != 0;
      if (kept) c_.kill(*p.node);
      else c_.discard(*p.node);
    }
    it = pods_.erase(it);
    refresh_ready();
    return it;
  }

  void create_pod(statefulset_state& s, const std::string& name, int ordinal) {
    const std::string* host = nullptr;
    const std::string* zone = nullptr;
    const std::size_t n = o_.hosts.size();
    for (std::size_t i = 0; i < n && host == nullptr; ++i) {
      const kube_host& h = o_.hosts[(static_cast<std::size_t>(s.observed.shard_index) + static_cast<std::size_t>(ordinal) + i) % n];
      if (lost_hosts_.count(h.name) == 0) {
        host = &h.name;
        zone = &h.zone;
      }
    }
    if (host == nullptr) return;  // Pending: nowhere to run
    pod_state p;
    p.observed.name = name;
    p.observed.shard_index = s.observed.shard_index;
    p.observed.ordinal = ordinal;
    p.observed.kube_node = *host;
    p.observed.zone = *zone;
    p.observed.revision = s.observed.update_revision;
    p.ip_generation = ip_generations_[name];
    p.observed.ip = ip_of(p);
    p.observed.port = 6379;
    if (s.ephemeral) pvcs_.erase(pvc_name(name));
    auto [it, inserted] = pods_.insert_or_assign(name, std::move(p));
    start_process(it->second);
  }

  void start_process(pod_state& p) {
    const std::string claim = pvc_name(p.observed.name);
    const auto pvc = pvcs_.find(claim);
    const address addr = address_of(p);
    if (p.empty_dir && c_.find(*p.empty_dir) != nullptr) {
      c_.revive(*p.empty_dir, addr);
    } else if (pvc != pvcs_.end() && c_.find(pvc->second) != nullptr) {
      p.node = pvc->second;
      c_.revive(pvc->second, addr);
    } else if (pvc != pvcs_.end()) {
      // the node was forgotten and dropped while down: nodes.conf still names it
      p.node = pvc->second;
      c_.add_node(pvc->second, addr);
    } else {
      if (p.node) c_.discard(*p.node);  // the old node's disk is gone
      p.node = next_id();
      c_.add_node(*p.node, addr);
      const auto sts = sts_.find(p.observed.name.substr(0, p.observed.name.rfind('-')));
      if (sts != sts_.end() && sts->second.ephemeral) p.empty_dir = p.node;
      else pvcs_[claim] = *p.node;
    }
    p.running = true;
    p.down_ticks = 0;
    p.observed.ready = true;
  }

  void refresh_ready() {
    for (auto& [name, p] : pods_) {
      p.observed.ready = p.running;
      ip_generations_[name] = p.ip_generation;
    }
    for (auto& [name, s] : sts_) {
      int ready = 0;
      bool current = true;
      for (const auto& [pn, p] : pods_)
        if (p.observed.shard_index == s.observed.shard_index && pn.compare(0, name.size() + 1, name + "-") == 0) {
          if (p.running) ++ready;
          current = current && p.observed.revision == s.observed.update_revision;
        }
      s.observed.ready_replicas = ready;
      if (current) s.observed.current_revision = s.observed.update_revision;
    }
  }

  // --- invariants ----------------------------------------------------------------------------

  /// Design §6: a master and its replica on one host (or zone, where zones allow) is a
  /// violation unless the plan's diagnostics say why; then it is a finding.
  std::optional<violation> check_placement(const std::set<std::pair<node_id, node_id>>& before,
                                           const std::vector<diagnostic>& diagnostics) {
    for (const auto& [m, r] : colocated_pairs()) {
      if (before.count({m, r}) != 0) continue;  // not this action's doing
      const pod_state* rp = pod_of(r);
      const pod_state* mp = pod_of(m);
      const std::string what = "master " + short_id(m) + " (" + mp->observed.name + " on " +
                               mp->observed.kube_node + "/" + mp->observed.zone + ") and its replica " +
                               short_id(r) + " (" + rp->observed.name + " on " + rp->observed.kube_node +
                               "/" + rp->observed.zone + ") share a host or zone";
      bool explained = false;
      for (const diagnostic& d : diagnostics)
        explained = explained || d.code.find("placement") != std::string::npos || d.subject == m.value ||
                    d.subject == r.value || d.subject == rp->observed.name || d.subject == mp->observed.name;
      if (!explained) return violation{"replica_colocated", what};
      findings_.push_back({"replica_colocated", what});
    }
    return std::nullopt;
  }

  world_options o_;
  sim::cluster c_;
  std::map<std::string, statefulset_state> sts_;
  std::map<std::string, pod_state> pods_;
  std::map<std::string, node_id> pvcs_;
  std::map<std::string, int> ip_generations_;  ///< survives the pod, as the pod's IP range would
  std::set<std::string> lost_hosts_;
  std::vector<violation> findings_;
  std::string status_;
  std::uint64_t ids_ = 0;
};

}  // namespace rcplan::sim
