#pragma once

// The Kubernetes side of a simulated world: the objects Kubernetes actions create and
// change, the StatefulSet controller that creates and removes pods, the scheduler that puts
// them on hosts, and the pod lifecycle that starts, restarts and stops their Redis processes
// in the simulated cluster (from their PVC when it holds a node, else as fresh nodes).

#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/sim/detail/node_ids.hpp>
#include <rcplan/sim/kube_state.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::sim::detail {

[[nodiscard]] inline std::string pvc_name(const std::string& pod_name) { return "data-" + pod_name; }

/// Pod IPs differ by shard, ordinal and how often the pod's address changed.
[[nodiscard]] inline std::string ip_of(const pod_state& p) {
  return "10." + std::to_string(p.ip_generation) + "." + std::to_string(p.observed.shard_index) + "." +
         std::to_string(p.observed.ordinal);
}
[[nodiscard]] inline address address_of(const pod_state& p) {
  return address{p.observed.ip, p.observed.port, static_cast<std::uint16_t>(p.observed.port + 10000), ""};
}

struct kube_controller {
  std::vector<kube_host> hosts;  ///< in scheduling order
  std::uint64_t seed = 0;        ///< varies the node ids handed out
  std::map<std::string, statefulset_state> sts;
  std::map<std::string, pod_state> pods;
  std::map<std::string, node_id> pvcs;  ///< PVC name → the node whose data it holds
  std::map<std::string, int> ip_generations;  ///< survives the pod, as the pod's IP range would
  std::set<std::string> lost_hosts;
  std::string status;
  std::uint64_t ids = 0;

  [[nodiscard]] const pod_state* find_pod(const std::string& name) const {
    const auto it = pods.find(name);
    return it == pods.end() ? nullptr : &it->second;
  }
  [[nodiscard]] const pod_state* pod_of(const node_id& id) const {
    for (const auto& [name, p] : pods)
      if (p.node == id) return &p;
    return nullptr;
  }

  // --- Kubernetes actions ----------------------------------------------------------------

  void apply(cluster& c, const apply_statefulset& a) {
    const statefulset_description& f = a.object;
    const std::string hash = template_config_hash(f);
    auto [it, created] = sts.try_emplace(f.name);
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
    scale(c, s, f.replicas);
  }
  void apply(cluster& c, const scale_statefulset& a) {
    if (const auto it = sts.find(a.name); it != sts.end()) scale(c, it->second, a.replicas);
  }
  void apply(cluster& c, const delete_statefulset& a) {
    const auto it = sts.find(a.name);
    if (it == sts.end()) return;
    scale(c, it->second, 0);
    sts.erase(it);
  }
  void apply(cluster& c, const delete_pod& a) {
    const auto it = pods.find(a.name);
    if (it == pods.end()) return;
    stop_and_remove(c, it);  // the StatefulSet controller recreates it on the next tick
  }
  void apply(cluster&, const delete_pvc& a) {
    // the data goes with it once no pod uses it; a running process keeps going until it stops
    pvcs.erase(a.name);
  }
  void apply(cluster&, const update_status& a) { status = a.status.status; }
  void apply(cluster&, const apply_service&) {}
  void apply(cluster&, const apply_pdb&) {}
  void apply(cluster&, const apply_configmap&) {}
  template <typename A>
  void apply(cluster&, const A&) {}  // Redis actions never get here

  // --- controllers ---------------------------------------------------------------------------

  /// Killed processes restart once their down time is over; the StatefulSet controller
  /// creates missing pods.
  void tick(cluster& c) {
    for (auto& [name, p] : pods) {
      if (p.running || lost_hosts.count(p.observed.kube_node) != 0) continue;
      if (p.down_ticks > 0 && --p.down_ticks > 0) continue;
      start_process(c, p);
    }
    for (auto& [name, s] : sts)
      for (int ordinal = 0; ordinal < s.observed.replicas; ++ordinal) {
        const std::string pn = name + "-" + std::to_string(ordinal);
        if (pods.count(pn) == 0) create_pod(c, s, pn, ordinal);
      }
    refresh_ready();
  }

  /// Scaling down removes the highest ordinals at once (their PVCs stay, as Kubernetes keeps
  /// them); scaling up leaves the new pods to the next tick.
  void scale(cluster& c, statefulset_state& s, int replicas) {
    s.observed.replicas = replicas < 0 ? 0 : replicas;
    const std::string prefix = s.observed.name + "-";
    for (auto it = pods.begin(); it != pods.end();) {
      const pod& p = it->second.observed;
      const bool mine = p.name.size() > prefix.size() && p.name.compare(0, prefix.size(), prefix) == 0 &&
                        p.shard_index == s.observed.shard_index;
      if (mine && p.ordinal >= s.observed.replicas) it = stop_and_remove(c, it);
      else ++it;
    }
    refresh_ready();
  }

  std::map<std::string, pod_state>::iterator stop_and_remove(cluster& c,
                                                             std::map<std::string, pod_state>::iterator it) {
    pod_state& p = it->second;
    if (p.node) {
      // without its PVC (or with emptyDir) the node will never come back
      const bool kept = pvcs.count(pvc_name(it->first)) != 0;
      if (kept) c.kill(*p.node);
      else c.discard(*p.node);
    }
    it = pods.erase(it);
    refresh_ready();
    return it;
  }

  /// Pod (shard s, ordinal o) goes to host (s + o) mod n, skipping lost hosts.
  void create_pod(cluster& c, statefulset_state& s, const std::string& name, int ordinal) {
    const kube_host* host = nullptr;
    const std::size_t n = hosts.size();
    for (std::size_t i = 0; i < n && host == nullptr; ++i) {
      const kube_host& h =
          hosts[(static_cast<std::size_t>(s.observed.shard_index) + static_cast<std::size_t>(ordinal) + i) % n];
      if (lost_hosts.count(h.name) == 0) host = &h;
    }
    if (host == nullptr) return;  // Pending: nowhere to run
    pod_state p;
    p.observed.name = name;
    p.observed.shard_index = s.observed.shard_index;
    p.observed.ordinal = ordinal;
    p.observed.kube_node = host->name;
    p.observed.zone = host->zone;
    p.observed.revision = s.observed.update_revision;
    p.ip_generation = ip_generations[name];
    p.observed.ip = ip_of(p);
    p.observed.port = 6379;
    if (s.ephemeral) pvcs.erase(pvc_name(name));
    auto [it, inserted] = pods.insert_or_assign(name, std::move(p));
    start_process(c, it->second);
  }

  void start_process(cluster& c, pod_state& p) {
    const std::string claim = pvc_name(p.observed.name);
    const auto pvc = pvcs.find(claim);
    const address addr = address_of(p);
    if (p.empty_dir && c.find(*p.empty_dir) != nullptr) {
      c.revive(*p.empty_dir, addr);
    } else if (pvc != pvcs.end() && c.find(pvc->second) != nullptr) {
      p.node = pvc->second;
      c.revive(pvc->second, addr);
    } else if (pvc != pvcs.end()) {
      // the node was forgotten and dropped while down: nodes.conf still names it
      p.node = pvc->second;
      c.add_node(pvc->second, addr);
    } else {
      if (p.node) c.discard(*p.node);  // the old node's disk is gone
      p.node = next_id(c);
      c.add_node(*p.node, addr);
      const auto owner = sts.find(p.observed.name.substr(0, p.observed.name.rfind('-')));
      if (owner != sts.end() && owner->second.ephemeral) p.empty_dir = p.node;
      else pvcs[claim] = *p.node;
    }
    p.running = true;
    p.down_ticks = 0;
    p.observed.ready = true;
  }

  void refresh_ready() {
    for (auto& [name, p] : pods) {
      p.observed.ready = p.running;
      ip_generations[name] = p.ip_generation;
    }
    for (auto& [name, s] : sts) {
      int ready = 0;
      bool current = true;
      for (const auto& [pn, p] : pods)
        if (p.observed.shard_index == s.observed.shard_index && pn.compare(0, name.size() + 1, name + "-") == 0) {
          if (p.running) ++ready;
          current = current && p.observed.revision == s.observed.update_revision;
        }
      s.observed.ready_replicas = ready;
      if (current) s.observed.current_revision = s.observed.update_revision;
    }
  }

  // --- faults --------------------------------------------------------------------------------

  void kill_pod(cluster& c, const std::string& name, bool lose_pvc, int down_ticks) {
    const auto it = pods.find(name);
    if (it == pods.end()) return;
    pod_state& p = it->second;
    if (p.node) c.kill(*p.node);
    p.running = false;
    p.down_ticks = down_ticks < 1 ? 1 : down_ticks;
    if (lose_pvc) {
      pvcs.erase(pvc_name(name));
      p.empty_dir.reset();
    }
    refresh_ready();
  }
  void lose_host(cluster& c, const std::string& host) {
    lost_hosts.insert(host);
    for (auto& [name, p] : pods)
      if (p.observed.kube_node == host) {
        if (p.node) c.kill(*p.node);
        p.running = false;
      }
    refresh_ready();
  }
  void change_pod_ip(cluster& c, const std::string& name) {
    const auto it = pods.find(name);
    if (it == pods.end()) return;
    ++it->second.ip_generation;
    it->second.observed.ip = ip_of(it->second);
    if (it->second.node) c.set_address(*it->second.node, address_of(it->second));
  }

 private:
  [[nodiscard]] node_id next_id(const cluster& c) {
    for (;;) {
      node_id id = generated_node_id(seed, ++ids);
      if (c.find(id) == nullptr) return id;
    }
  }
};

}  // namespace rcplan::sim::detail
