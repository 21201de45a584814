#pragma once

// Test support: compact construction of single-view topologies.

#include <rcplan/model/topology.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcplan_test {

/// A deterministic, well-formed node id for index `i`.
inline rcplan::node_id make_id(std::size_t i) {
  char buf[41];
  std::snprintf(buf, sizeof buf, "%040zx", i + 1);
  return rcplan::node_id{buf};
}

class topology_builder {
 public:
  /// Adds a master holding `slots`; returns its id.
  rcplan::node_id master(rcplan::slot_set slots) {
    rcplan::cluster_node n;
    n.id = make_id(view_.nodes.size());
    n.addr = {"127.0.0.1", static_cast<std::uint16_t>(7000 + view_.nodes.size()),
              static_cast<std::uint16_t>(17000 + view_.nodes.size()), ""};
    n.flags.master = true;
    n.slots = slots;
    n.config_epoch = view_.nodes.size() + 1;
    view_.nodes.push_back(n);
    return n.id;
  }
  rcplan::node_id replica(const rcplan::node_id& of) {
    rcplan::cluster_node n;
    n.id = make_id(view_.nodes.size());
    n.addr = {"127.0.0.1", static_cast<std::uint16_t>(7000 + view_.nodes.size()),
              static_cast<std::uint16_t>(17000 + view_.nodes.size()), ""};
    n.flags.replica = true;
    n.master_id = of;
    view_.nodes.push_back(n);
    return n.id;
  }
  rcplan::cluster_node& node(const rcplan::node_id& id) {
    for (auto& n : view_.nodes)
      if (n.id == id) return n;
    throw std::out_of_range("no such node");
  }
  /// Per-slot key counts for a node (marks it observed).
  void keys(const rcplan::node_id& id, std::map<rcplan::slot, std::uint64_t> counts) {
    for (auto& o : observations_)
      if (o.id == id) {
        o.keys_per_slot = std::move(counts);
        return;
      }
    rcplan::node_observation o;
    o.id = id;
    o.keys_per_slot = std::move(counts);
    observations_.push_back(std::move(o));
  }
  /// Every master observed with no keys at all, unless set otherwise.
  void all_keys_known() {
    for (const auto& n : view_.nodes) {
      bool have = false;
      for (const auto& o : observations_) have = have || o.id == n.id;
      if (!have) keys(n.id, {});
    }
  }
  [[nodiscard]] rcplan::topology build() const {
    rcplan::topology t;
    rcplan::cluster_view v = view_;
    if (!v.nodes.empty()) {
      v.observer = v.nodes.front().id;
      v.nodes.front().flags.myself = true;
    }
    t.views.push_back(v);
    t.observations = observations_;
    return t;
  }

 private:
  rcplan::cluster_view view_;
  std::vector<rcplan::node_observation> observations_;
};

/// `n` masters with even contiguous ranges, the way `redis-cli --cluster create` lays them out.
inline std::vector<rcplan::slot_set> contiguous(std::size_t n) {
  std::vector<rcplan::slot_set> out;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t first = rcplan::slot_count * i / n, last = rcplan::slot_count * (i + 1) / n - 1;
    out.push_back({rcplan::slot_range{static_cast<rcplan::slot>(first), static_cast<rcplan::slot>(last)}});
  }
  return out;
}

}  // namespace rcplan_test
