#pragma once

// The IBM/Amadeus operator's rule (operator-for-redis-cluster), re-implemented from its
// documented behaviour: every kept primary's quota is ceil(16384 / N); primaries above it give
// their highest slots; the new or short primaries are filled one after the other in id order
// up to that quota; and a scale-down removes one primary per pass (the next pass removes the
// next one), so a drain takes as many plans as primaries leave.

#include <rcplan/model/slot.hpp>
#include <rcplan/planner/strategy.hpp>

#include <cstddef>
#include <string_view>
#include <vector>

namespace rcplan_bench {

struct ibm_strategy {
  [[nodiscard]] std::string_view name() const noexcept { return "ibm"; }
  [[nodiscard]] std::vector<rcplan::slot_transfer> transfers(const rcplan::strategy_input& in) const {
    std::size_t kept = 0;
    for (const rcplan::strategy_master& m : in.masters) kept += m.weight > 0 ? 1U : 0U;
    std::vector<rcplan::slot_transfer> out;
    if (kept == 0) return out;
    const std::size_t quota = (rcplan::slot_count + kept - 1) / kept;
    // the pool: free slots, the excess of kept primaries, and all of the first leaving one
    struct given {
      rcplan::node_id from;
      rcplan::slot_set slots;
    };
    std::vector<given> pool;
    if (!in.unassigned.empty()) pool.push_back({rcplan::node_id{}, in.unassigned});
    bool removing = false;
    for (const rcplan::strategy_master& m : in.masters) {
      const std::size_t held = m.slots.count();
      if (m.weight <= 0) {
        if (!removing && held > 0) pool.push_back({m.id, m.slots});
        removing = removing || held > 0;
      } else if (held > quota) {
        pool.push_back({m.id, m.slots.highest(held - quota)});
      }
    }
    std::size_t g = 0;
    for (const rcplan::strategy_master& m : in.masters) {
      if (m.weight <= 0) continue;
      std::size_t want = m.slots.count() < quota ? quota - m.slots.count() : 0;
      while (want > 0 && g < pool.size()) {
        const rcplan::slot_set part = pool[g].slots.lowest(want);
        out.push_back({pool[g].from, m.id, part});
        pool[g].slots -= part;
        want -= part.count();
        if (pool[g].slots.empty()) ++g;
      }
    }
    return out;
  }
};

}  // namespace rcplan_bench
