#pragma once

// The ucloud redis-cluster-operator's rule (the operator of the DistributedRedisCluster
// resource), re-implemented from its behaviour: with N masters wanted, every master's quota is
// ceil(16384 / N); a kept master holding more gives the slots past its first quota (its highest);
// a leaving master gives all its slots, and uncovered slots join them. The pool is dealt to the
// kept masters in id order, filling each up to the quota counting what it already holds; when
// the current master is full the next slot goes to the next one without checking it, so a
// master that is full already is over-filled by one slot (and the last one takes the rest).
// All leaving masters are drained in one pass. The operator walks the donors in Go's map order,
// which is random; here they are walked in id order, one of the orders it may pick. A slot the
// deal hands back to its own holder stays where it is.

#include <rcplan/model/slot.hpp>
#include <rcplan/planner/strategy.hpp>

#include <cstddef>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan_bench {

struct ucloud_strategy {
  [[nodiscard]] std::string_view name() const noexcept { return "ucloud"; }
  [[nodiscard]] std::vector<rcplan::slot_transfer> transfers(const rcplan::strategy_input& in) const {
    std::vector<const rcplan::strategy_master*> kept;
    for (const rcplan::strategy_master& m : in.masters)
      if (m.weight > 0) kept.push_back(&m);
    std::vector<rcplan::slot_transfer> out;
    if (kept.empty()) return out;
    const std::size_t quota = (rcplan::slot_count + kept.size() - 1) / kept.size();
    std::vector<std::pair<const rcplan::node_id*, rcplan::slot_set>> pool;  // source (null: uncovered), slots
    pool.emplace_back(nullptr, in.unassigned);
    for (const rcplan::strategy_master& m : in.masters) {
      const std::size_t held = m.slots.count();
      if (m.weight <= 0) pool.emplace_back(&m.id, m.slots);
      else if (held > quota) pool.emplace_back(&m.id, m.slots.highest(held - quota));
    }
    std::vector<std::size_t> count;
    for (const rcplan::strategy_master* m : kept) count.push_back(m->slots.count());
    std::map<std::pair<rcplan::node_id, rcplan::node_id>, rcplan::slot_set> moves;
    std::size_t at = 0;
    for (const auto& given : pool) {
      const rcplan::node_id* source = given.first;  // not a structured binding: lambdas capture it
      given.second.for_each([&](rcplan::slot s) {
        if (count[at] >= quota && at + 1 < kept.size()) ++at;
        ++count[at];
        const rcplan::node_id& target = kept[at]->id;
        if (source != nullptr && *source == target) return;
        moves[{source == nullptr ? rcplan::node_id{} : *source, target}].insert(s);
      });
    }
    for (auto& [ends, slots] : moves) out.push_back({ends.first, ends.second, slots});
    return out;
  }
};

}  // namespace rcplan_bench
