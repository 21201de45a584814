#include <rcplan/planner/waves.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>
#include <set>

using rcplan_test::make_id;

TEST_CASE("waves never use a node twice and respect the cap") {
  rc::prop("random jobs", [] {
    const auto nodes = *rc::gen::inRange<std::size_t>(2, 30);
    const auto count = *rc::gen::inRange<std::size_t>(0, 80);
    std::vector<rcplan::wave_job> jobs;
    for (std::size_t j = 0; j < count; ++j) {
      const auto a = *rc::gen::inRange<std::size_t>(0, nodes);
      auto b = *rc::gen::inRange<std::size_t>(0, nodes - 1);
      if (b >= a) ++b;
      jobs.push_back({make_id(a), make_id(b), *rc::gen::inRange<std::size_t>(1, 500)});
    }
    const auto cap = *rc::gen::inRange<std::size_t>(0, 4);
    const int first = *rc::gen::inRange(0, 3);
    const auto waves = rcplan::assign_waves(jobs, cap, first);
    RC_ASSERT(waves.size() == jobs.size());
    std::map<int, std::set<rcplan::node_id>> used;
    std::map<int, std::size_t> size;
    std::map<rcplan::node_id, std::size_t> degree;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      RC_ASSERT(waves[j] >= first);
      RC_ASSERT(used[waves[j]].insert(jobs[j].a).second);
      RC_ASSERT(used[waves[j]].insert(jobs[j].b).second);
      ++size[waves[j]];
      ++degree[jobs[j].a];
      ++degree[jobs[j].b];
    }
    for (const auto& [w, s] : size) RC_ASSERT(cap == 0 || s <= cap);
    // greedy colouring bound: never more than 2Δ−1 waves when uncapped
    std::size_t delta = 0;
    for (const auto& [id, d] : degree) delta = std::max(delta, d);
    if (cap == 0 && !jobs.empty()) RC_ASSERT(size.size() <= 2 * delta - 1);
  });
}
