#pragma once

// Test support for the simulated world: building Kubernetes actions and reading the world back.

#include <rcplan/plan/action.hpp>
#include <rcplan/sim/world.hpp>
#include <rcplan/spec/spec.hpp>

#include <string>

namespace rcplan_test {

/// `apply_statefulset` for StatefulSet `name` of shard `shard` with `replicas` pods.
inline rcplan::apply_statefulset make_sts(const std::string& name, int shard, int replicas,
                                          const std::string& image = "redis:7.0", bool ephemeral = false) {
  rcplan::apply_statefulset a;
  a.object.name = name;
  a.object.shard_index = shard;
  a.object.replicas = replicas;
  a.object.image = image;
  a.object.storage.type = ephemeral ? rcplan::storage_ephemeral : rcplan::storage_persistent_claim;
  return a;
}

inline rcplan::node_id node_of(const rcplan::sim::world& w, const std::string& pod) {
  const auto id = w.node_of(pod);
  return id ? *id : rcplan::node_id{};
}

/// Whether `id` appears in any view of `t`.
inline bool in_views(const rcplan::topology& t, const rcplan::node_id& id) {
  for (const auto& v : t.views)
    for (const auto& n : v.nodes)
      if (n.id == id) return true;
  return false;
}

/// The line `observer` has for `subject`, if any.
inline const rcplan::cluster_node* line(const rcplan::topology& t, const rcplan::node_id& observer,
                                        const rcplan::node_id& subject) {
  for (const auto& v : t.views)
    if (v.observer == observer)
      for (const auto& n : v.nodes)
        if (n.id == subject) return &n;
  return nullptr;
}

}  // namespace rcplan_test
