// The C ABI's cost over a direct C++ call: the same rebalance plan (bench scenarios, 3 and
// 1000 masters) planned in C++, through rcplan_plan_rebalance (JSON in, JSON out), and the
// JSON work alone (writing the topology, reading it back, writing the plan) for comparison.
// Never a test: timings on a shared machine are not pass/fail material.

#include "scenarios.hpp"

#include <rcplan/c.h>
#include <rcplan/json/model.hpp>
#include <rcplan/json/options.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <string>

namespace {

using rcplan_bench::scenario_kind;

void cpp_direct(benchmark::State& st, scenario_kind k) {
  const auto sc = rcplan_bench::make_scenario(k, static_cast<std::size_t>(st.range(0)));
  for (auto _ : st) benchmark::DoNotOptimize(rcplan::plan_rebalance(sc.topology, sc.options));
}

void cpp_with_json(benchmark::State& st, scenario_kind k) {
  const auto sc = rcplan_bench::make_scenario(k, static_cast<std::size_t>(st.range(0)));
  const std::string topology = nlohmann::json(sc.topology).dump();
  for (auto _ : st) {
    const auto t = nlohmann::json::parse(topology).get<rcplan::topology>();
    benchmark::DoNotOptimize(nlohmann::json(rcplan::plan_rebalance(t, sc.options)).dump());
  }
}

void c_abi(benchmark::State& st, scenario_kind k) {
  const auto sc = rcplan_bench::make_scenario(k, static_cast<std::size_t>(st.range(0)));
  const std::string topology = nlohmann::json(sc.topology).dump();
  const std::string opts = nlohmann::json(sc.options).dump();
  for (auto _ : st) {
    char* out = nullptr;
    if (rcplan_plan_rebalance(topology.c_str(), opts.c_str(), &out) != RCPLAN_OK)
      st.SkipWithError("the call failed");
    rcplan_free(out);
  }
}

}  // namespace

BENCHMARK_CAPTURE(cpp_direct, join_one, scenario_kind::join_one)->Arg(3)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(cpp_with_json, join_one, scenario_kind::join_one)->Arg(3)->Arg(1000)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(c_abi, join_one, scenario_kind::join_one)->Arg(3)->Arg(1000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
