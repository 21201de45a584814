#pragma once

// A deliberately broken strategy, the harness's own test: rcplan's transfers, plus the first
// master's lowest slot handed to the last master although the first master keeps giving it
// elsewhere, i.e. one slot moved twice. Running it must be refused, never planned.

#include <rcplan/planner/strategy.hpp>

#include <string_view>
#include <vector>

namespace rcplan_bench {

struct broken_strategy {
  [[nodiscard]] std::string_view name() const noexcept { return "broken-example"; }
  [[nodiscard]] std::vector<rcplan::slot_transfer> transfers(const rcplan::strategy_input& in) const {
    std::vector<rcplan::slot_transfer> out = rcplan::rcplan_strategy{}.transfers(in);
    if (in.masters.size() >= 2 && !in.masters.front().slots.empty()) {
      const rcplan::slot_set one = in.masters.front().slots.lowest(1);
      out.push_back({in.masters.front().id, in.masters.back().id, one});
      out.push_back({in.masters.front().id, in.masters.back().id, one});
    }
    return out;
  }
};

}  // namespace rcplan_bench
