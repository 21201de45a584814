// Builds one bench scenario and plans it N times: the driver bench/instructions.sh runs under
// callgrind, where the difference between N = 3 and N = 1, halved, is what one plan costs
// (the scenario's construction cancels out).
//
// Usage: rcplan_plan_once SCENARIO MASTERS [TIMES]

#include "scenarios.hpp"

#include <rcplan/planner/rebalance.hpp>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SCENARIO MASTERS [TIMES]\n", argv[0]);
    return 2;
  }
  const std::string name = argv[1];
  const auto masters = static_cast<std::size_t>(std::strtoul(argv[2], nullptr, 10));
  const int times = argc > 3 ? std::atoi(argv[3]) : 1;
  for (const rcplan_bench::scenario_kind k : rcplan_bench::all_scenarios) {
    if (name != rcplan_bench::name_of(k)) continue;
    const rcplan_bench::scenario sc = rcplan_bench::make_scenario(k, masters);
    std::size_t steps = 0;
    for (int i = 0; i < times; ++i) steps += rcplan::plan_rebalance(sc.topology, sc.options).steps.size();
    std::printf("%s %zu: %zu steps per plan\n", name.c_str(), masters, times > 0 ? steps / static_cast<std::size_t>(times) : 0);
    return 0;
  }
  std::fprintf(stderr, "unknown scenario %s\n", name.c_str());
  return 2;
}
