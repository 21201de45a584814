#pragma once

// redis-cli's `--cluster rebalance` rule (redis_cli_rule.hpp) as a strategy, so that it runs in
// rcplan's pipeline and harness like any other.

#include "../redis_cli_rule.hpp"

#include <rcplan/planner/strategy.hpp>

#include <string_view>
#include <vector>

namespace rcplan_bench {

struct redis_cli_strategy {
  [[nodiscard]] std::string_view name() const noexcept { return "redis-cli"; }
  [[nodiscard]] std::vector<rcplan::slot_transfer> transfers(const rcplan::strategy_input& in) const {
    std::vector<detail::cli_master> ms;
    for (const rcplan::strategy_master& m : in.masters) ms.push_back({m.id, m.slots, static_cast<float>(m.weight), 0});
    std::vector<rcplan::slot_transfer> out;
    // redis-cli has no notion of free slots (`--cluster fix` hands them out); the receivers
    // in id order take them here, so that its plans stay comparable
    // the pipeline decides whether to act; redis-cli's own threshold is not applied twice
    if (ms.empty() || !detail::cli_balances(ms, -1.0)) return out;
    detail::cli_hand_out_remainder(ms);
    std::vector<cli_move> moves;
    detail::cli_pair_up(ms, moves);
    for (cli_move& m : moves) out.push_back({m.source, m.target, m.slots});
    if (!in.unassigned.empty()) out.push_back({rcplan::node_id{}, in.masters.front().id, in.unassigned});
    return out;
  }
};

}  // namespace rcplan_bench
