#pragma once

// Plans name a node that a pod will run by the pod's name until the node exists. Before a
// world lowers a Redis action, every such name becomes the node id the pod now runs, and a
// MEET without an address gets the pod's (or the node's) address.

#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/sim/detail/kube.hpp>

#include <variant>

namespace rcplan::sim::detail {

struct resolver {
  const kube_controller& k;
  const cluster& c;

  [[nodiscard]] node_id id(const node_id& name) const {
    if (const pod_state* p = k.find_pod(name.value); p != nullptr && p->node) return *p->node;
    return name;
  }

  [[nodiscard]] meet operator()(meet a) const {
    const pod_state* p = k.find_pod(a.node.value);
    a.node = id(a.node);
    a.via = id(a.via);
    if (a.addr.host.empty() && p != nullptr) a.addr = address_of(*p);
    if (a.addr.host.empty())
      if (const node_state* n = c.find(a.node)) a.addr = n->addr;
    return a;
  }
  [[nodiscard]] add_slots operator()(add_slots a) const { return a.node = id(a.node), a; }
  [[nodiscard]] set_config_epoch operator()(set_config_epoch a) const { return a.node = id(a.node), a; }
  [[nodiscard]] replicate operator()(replicate a) const {
    a.replica = id(a.replica);
    a.master = id(a.master);
    return a;
  }
  [[nodiscard]] migrate_slots operator()(migrate_slots a) const {
    a.source = id(a.source);
    a.target = id(a.target);
    return a;
  }
  [[nodiscard]] set_slot_stable operator()(set_slot_stable a) const { return a.node = id(a.node), a; }
  [[nodiscard]] set_slot_node operator()(set_slot_node a) const {
    a.node = id(a.node);
    a.owner = id(a.owner);
    return a;
  }
  [[nodiscard]] failover operator()(failover a) const { return a.replica = id(a.replica), a; }
  [[nodiscard]] forget operator()(forget a) const { return a.node = id(a.node), a; }
  [[nodiscard]] reset operator()(reset a) const { return a.node = id(a.node), a; }
  [[nodiscard]] config_set operator()(config_set a) const { return a.node = id(a.node), a; }
  /// Waits name their subject as text and Kubernetes actions name objects: nothing to do.
  template <typename A>
  [[nodiscard]] A operator()(A a) const {
    return a;
  }
};

/// `a` with every pod name that stands for a running node replaced by the node's id.
[[nodiscard]] inline action resolve(const kube_controller& k, const cluster& c, const action& a) {
  return std::visit([&](const auto& x) { return action{resolver{k, c}(x)}; }, a);
}

}  // namespace rcplan::sim::detail
