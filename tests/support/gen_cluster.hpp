#pragma once

// Test support: generated clusters with exact key counts, optionally caught mid-migration,
// for the planner/simulator properties.

#include "support/topology_builder.hpp"

#include <rcplan/model/topology.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <rapidcheck.h>

#include <map>
#include <vector>

namespace rcplan_test {

struct generated_cluster {
  rcplan::topology topo;
  std::vector<rcplan::node_id> masters;
  rcplan::rebalance_options options;
  bool clean = true;  ///< no open slots
};

/// Masters with contiguous or fragmented slots, some empty, replicas, random weights, keys in
/// a sample of slots; with `broken`, one migration caught at a random stage.
inline rc::Gen<generated_cluster> gen_cluster(bool broken) {
  return rc::gen::exec([broken] {
    generated_cluster g;
    topology_builder b;
    const auto n = *rc::gen::inRange<std::size_t>(1, 12);
    std::vector<rcplan::slot_set> sets(n);
    if (*rc::gen::arbitrary<bool>()) {
      sets = contiguous(n);
    } else {
      for (std::size_t s = 0; s < rcplan::slot_count;) {
        const auto len = *rc::gen::inRange<std::size_t>(1, 3000);
        const std::size_t last = std::min(rcplan::slot_count - 1, s + len - 1);
        sets[*rc::gen::inRange<std::size_t>(0, n)].insert(
            rcplan::slot_range{static_cast<rcplan::slot>(s), static_cast<rcplan::slot>(last)});
        s = last + 1;
      }
    }
    for (const auto& s : sets) g.masters.push_back(b.master(s));
    const auto empty = *rc::gen::inRange<std::size_t>(0, 4);
    for (std::size_t i = 0; i < empty; ++i) g.masters.push_back(b.master({}));
    for (std::size_t i = 0; i < n; ++i)
      if (*rc::gen::inRange(0, 3) == 0) b.replica(g.masters[i]);
    // keys in about one slot of 40, on their owner
    for (std::size_t i = 0; i < g.masters.size(); ++i) {
      std::map<rcplan::slot, std::uint64_t> keys;
      const rcplan::slot_set& mine = i < n ? sets[i] : rcplan::slot_set{};
      mine.for_each([&](rcplan::slot s) {
        if ((s * 2654435761U >> 7) % 40 == 0) keys[s] = 1 + (s % 7);
      });
      b.keys(g.masters[i], std::move(keys));
    }
    b.all_keys_known();
    if (broken && n >= 2) {
      // a migration of one slot from a to c, caught at one of its stages
      const auto ai = *rc::gen::inRange<std::size_t>(0, n);
      auto ci = *rc::gen::inRange<std::size_t>(0, n - 1);
      if (ci >= ai) ++ci;
      const auto a = g.masters[ai], c = g.masters[ci];
      if (!sets[ai].empty()) {
        const auto s = *sets[ai].first();
        const int stage = *rc::gen::inRange(0, 4);
        using dir = rcplan::open_slot::direction;
        b.node(c).open_slots.push_back({s, dir::importing, a});
        if (stage >= 1) b.node(a).open_slots.push_back({s, dir::migrating, c});
        if (stage >= 2) {  // some keys already on the target
          b.keys(c, {{s, 3}});
        }
        if (stage == 3) {  // the target took the slot: no keys left on the source
          b.node(c).open_slots.clear();
          b.node(c).slots.insert(s);
          b.node(c).config_epoch = 1000;
          b.keys(a, {});
        }
        g.clean = false;
      }
    }
    g.options.use_empty_masters = true;
    g.options.threshold_percent = *rc::gen::element(0.0, 2.0);
    g.options.max_concurrent_migrations = *rc::gen::element<std::size_t>(0, 1, 2, 4);
    for (const auto& id : g.masters)
      if (*rc::gen::inRange(0, 5) == 0) g.options.weights[id] = *rc::gen::element(0.0, 0.5, 2.0);
    bool any = false;
    for (const auto& id : g.masters) {
      const auto w = g.options.weights.find(id);
      any = any || w == g.options.weights.end() || w->second > 0;
    }
    if (!any) g.options.weights.erase(g.masters.front());
    g.topo = b.build();
    return g;
  });
}

}  // namespace rcplan_test
