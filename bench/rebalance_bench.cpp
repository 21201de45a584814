// Plan time of rcplan's rebalance and of its parts, per scenario and cluster size, with the
// plan's quality (and the redis-cli rule's, for comparison) reported as counters.

#include "metrics.hpp"
#include "redis_cli_rule.hpp"
#include "scenarios.hpp"

#include <benchmark/benchmark.h>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace {

using rcplan_bench::scenario;

void set_counter(benchmark::State& state, const char* name, double value) {
  state.counters[name] = benchmark::Counter(value);
}

void report(benchmark::State& state, const rcplan_bench::outcome& ours, const rcplan_bench::outcome& cli) {
  set_counter(state, "slots_moved", static_cast<double>(ours.moved));
  set_counter(state, "lower_bound", static_cast<double>(ours.lower_bound));
  set_counter(state, "max_ranges_per_master", static_cast<double>(ours.max_ranges));
  set_counter(state, "mean_ranges_per_master", ours.mean_ranges);
  set_counter(state, "waves", ours.waves);
  set_counter(state, "cli_slots_moved", static_cast<double>(cli.moved));
  set_counter(state, "cli_max_ranges_per_master", static_cast<double>(cli.max_ranges));
  set_counter(state, "cli_mean_ranges_per_master", cli.mean_ranges);
}

void bm_plan_rebalance(benchmark::State& state, const scenario& sc) {
  for (auto _ : state) {
    rcplan::plan p = rcplan::plan_rebalance(sc.topology, sc.options);
    benchmark::DoNotOptimize(p);
  }
  const rcplan::plan p = rcplan::plan_rebalance(sc.topology, sc.options);
  report(state, rcplan_bench::measure_plan(sc, p),
         rcplan_bench::measure_cli(sc, rcplan_bench::redis_cli_rebalance(sc.topology, sc.options)));
}

void bm_redis_cli_rule(benchmark::State& state, const scenario& sc) {
  for (auto _ : state) {
    std::vector<rcplan_bench::cli_move> moves = rcplan_bench::redis_cli_rebalance(sc.topology, sc.options);
    benchmark::DoNotOptimize(moves);
  }
  const auto moves = rcplan_bench::redis_cli_rebalance(sc.topology, sc.options);
  const rcplan_bench::outcome cli = rcplan_bench::measure_cli(sc, moves);
  set_counter(state, "slots_moved", static_cast<double>(cli.moved));
  set_counter(state, "max_ranges_per_master", static_cast<double>(cli.max_ranges));
  set_counter(state, "mean_ranges_per_master", cli.mean_ranges);
}

std::vector<rcplan::quota_input> quota_inputs(const scenario& sc) {
  std::vector<rcplan::quota_input> in;
  for (const rcplan::master_quota& q : rcplan_bench::quotas_of(sc)) in.push_back({q.id, q.weight, q.held});
  return in;
}

void bm_compute_quotas(benchmark::State& state, const scenario& sc) {
  const std::vector<rcplan::quota_input> in = quota_inputs(sc);
  for (auto _ : state) {
    std::vector<rcplan::master_quota> q = rcplan::compute_quotas(in);
    benchmark::DoNotOptimize(q);
  }
  set_counter(state, "lower_bound", static_cast<double>(rcplan::move_lower_bound(rcplan::compute_quotas(in))));
}

std::vector<rcplan::slot_holding> holdings(const scenario& sc) {
  const rcplan_bench::ownership own = rcplan_bench::initial_ownership(sc);
  std::vector<rcplan::slot_holding> out;
  for (const rcplan::master_quota& q : rcplan_bench::quotas_of(sc)) out.push_back({q.id, own.at(q.id), q.quota});
  return out;
}

void bm_plan_slot_transfers(benchmark::State& state, const scenario& sc) {
  const std::vector<rcplan::slot_holding> h = holdings(sc);
  for (auto _ : state) {
    std::vector<rcplan::slot_transfer> t = rcplan::plan_slot_transfers(h);
    benchmark::DoNotOptimize(t);
  }
  std::size_t moved = 0;
  for (const rcplan::slot_transfer& t : rcplan::plan_slot_transfers(h)) moved += t.slots.count();
  set_counter(state, "slots_moved", static_cast<double>(moved));
}

// Scenarios live until the process exits: the registered benchmarks refer to them.
std::vector<scenario>& scenarios() {
  static std::vector<scenario> all = [] {
    std::vector<scenario> v;
    for (rcplan_bench::scenario_kind k : rcplan_bench::all_scenarios)
      for (std::size_t n : rcplan_bench::all_sizes) v.push_back(rcplan_bench::make_scenario(k, n));
    return v;
  }();
  return all;
}

template <typename F>
void register_all(const char* family, F f) {
  for (const scenario& sc : scenarios()) {
    const std::string name = std::string(family) + "/" + sc.name + "/" + std::to_string(sc.masters);
    benchmark::RegisterBenchmark(name.c_str(), f, std::cref(sc))->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all("plan_rebalance", bm_plan_rebalance);
  register_all("redis_cli_rule", bm_redis_cli_rule);
  register_all("compute_quotas", bm_compute_quotas);
  register_all("plan_slot_transfers", bm_plan_slot_transfers);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
