#pragma once

// Test support: topologies shaped like the operator's: StatefulSets `drc-<name>-<i>`, pods
// `drc-<name>-<i>-<ordinal>` on hosts and zones, one Redis node per pod, the master of shard i
// at ordinal 0 with slots range i, replicas synced, every node observed with no keys.

#include "support/topology_builder.hpp"

#include <rcplan/model/topology.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>

#include <string>
#include <vector>

namespace rcplan_test {

struct kube_cluster {
  rcplan::topology t;
  /// node id of shard i, ordinal o
  std::vector<std::vector<rcplan::node_id>> ids;

  [[nodiscard]] rcplan::cluster_node& node(int shard, int ordinal) {
    const auto& id = ids.at(static_cast<std::size_t>(shard)).at(static_cast<std::size_t>(ordinal));
    for (auto& n : t.views.front().nodes)
      if (n.id == id) return n;
    throw std::out_of_range("node");
  }
  [[nodiscard]] rcplan::pod& pod(int shard, int ordinal) {
    for (auto& p : t.pods)
      if (p.shard_index == shard && p.ordinal == ordinal) return p;
    throw std::out_of_range("pod");
  }
  [[nodiscard]] rcplan::node_observation& observed(const rcplan::node_id& id) {
    for (auto& o : t.observations)
      if (o.id == id) return o;
    throw std::out_of_range("observation");
  }
};

inline rcplan::cluster_resource resource(const std::string& name, int masters, int replicas) {
  rcplan::cluster_resource r;
  r.metadata.name = name;
  r.spec.image = "redis:7.0";
  r.spec.master_size = masters;
  r.spec.cluster_replicas = replicas;
  return r;
}

/// A healthy cluster: `shards` shards with `pods` pods each; the StatefulSet facts (image,
/// config hash, revisions) are left for the caller to match the desired objects.
inline kube_cluster kube(const std::string& name, int shards, int pods, int hosts = 0) {
  kube_cluster k;
  rcplan::cluster_view v;
  const auto ranges = contiguous(static_cast<std::size_t>(shards));
  std::size_t n = 0;
  for (int s = 0; s < shards; ++s) {
    rcplan::statefulset sts;
    sts.name = rcplan::statefulset_name(name, s);
    sts.shard_index = s;
    sts.replicas = pods;
    sts.ready_replicas = pods;
    sts.current_revision = sts.update_revision = "rev1";
    k.t.statefulsets.push_back(sts);
    k.ids.emplace_back();
    for (int o = 0; o < pods; ++o, ++n) {
      rcplan::pod p;
      p.name = rcplan::pod_name(name, s, o);
      p.shard_index = s;
      p.ordinal = o;
      const int host = hosts > 0 ? static_cast<int>(n) % hosts : static_cast<int>(n);
      p.kube_node = "host-" + std::to_string(host);
      p.zone = "zone-" + std::to_string(host % 3);
      p.ip = "10.0." + std::to_string(s) + "." + std::to_string(o + 1);
      p.port = 6379;
      p.ready = true;
      p.revision = "rev1";
      k.t.pods.push_back(p);
      rcplan::cluster_node c;
      c.id = make_id(n);
      c.addr = {p.ip, 6379, 16379, ""};
      if (o == 0) {
        c.flags.master = true;
        c.slots = ranges[static_cast<std::size_t>(s)];
        c.config_epoch = static_cast<std::uint64_t>(s) + 1;
      } else {
        c.flags.replica = true;
        c.master_id = k.ids.back().front();
      }
      k.ids.back().push_back(c.id);
      v.nodes.push_back(c);
      rcplan::node_observation ob;
      ob.id = c.id;
      ob.addr = c.addr;
      ob.keys_per_slot = std::map<rcplan::slot, std::uint64_t>{};
      rcplan::replication_info ri;
      ri.role = o == 0 ? rcplan::node_role::master : rcplan::node_role::replica;
      ri.master_link_up = o != 0;
      ri.master_repl_offset = 1000;
      ri.replica_repl_offset = o == 0 ? 0 : 1000;
      ob.replication = ri;
      k.t.observations.push_back(ob);
    }
  }
  v.observer = v.nodes.front().id;
  v.nodes.front().flags.myself = true;
  k.t.views.push_back(v);
  k.t.observed_at_ms = 1'800'000'000'000;
  for (auto& node : k.t.views.front().nodes) node.pong_received = k.t.observed_at_ms - 100;
  return k;
}

/// The StatefulSet facts (image, config hash, password Secret) as the desired objects of `r`
/// write them, so that only what a test changes differs from the spec.
inline void sync_statefulsets(kube_cluster& k, const rcplan::cluster_resource& r) {
  rcplan::cluster_resource d = r;
  rcplan::apply_defaults(d);
  for (const auto& want : rcplan::desired_objects(d).statefulsets)
    for (auto& sts : k.t.statefulsets)
      if (sts.shard_index == want.shard_index) {
        sts.image = want.image;
        sts.config_hash = rcplan::template_config_hash(want);
        sts.password_secret = want.password_secret;
      }
}

}  // namespace rcplan_test
