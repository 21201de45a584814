#include <rcplan/planner/waves.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>
#include <set>

using rcplan_test::make_id;

TEST_CASE("waves never use a node more often than its limit and respect the cap") {
  rc::prop("random jobs", [] {
    const auto nodes = *rc::gen::inRange<std::size_t>(2, 30);
    const auto count = *rc::gen::inRange<std::size_t>(0, 80);
    // as a rebalance plans them (givers below `split`, receivers from it), or any pairs
    const bool split_roles = *rc::gen::arbitrary<bool>();
    const std::size_t split = nodes / 2;
    std::vector<rcplan::wave_job> jobs;
    for (std::size_t j = 0; j < count; ++j) {
      std::size_t a = 0, b = 0;
      if (split_roles) {
        a = *rc::gen::inRange<std::size_t>(0, split);
        b = *rc::gen::inRange<std::size_t>(split, nodes);
      } else {
        a = *rc::gen::inRange<std::size_t>(0, nodes);
        b = *rc::gen::inRange<std::size_t>(0, nodes - 1);
        if (b >= a) ++b;
      }
      jobs.push_back({make_id(a), make_id(b), *rc::gen::inRange<std::size_t>(1, 500)});
    }
    const auto cap = *rc::gen::inRange<std::size_t>(0, 4);
    const auto per_node = *rc::gen::inRange<std::size_t>(0, 4);
    const int first = *rc::gen::inRange(0, 3);
    const auto waves = per_node == 1 && *rc::gen::arbitrary<bool>()
                           ? rcplan::assign_waves(jobs, cap, first)
                           : rcplan::assign_waves(jobs, rcplan::wave_limits{cap, per_node}, first);
    RC_ASSERT(waves.size() == jobs.size());
    std::map<std::pair<int, rcplan::node_id>, std::size_t> used;
    std::set<std::pair<int, rcplan::node_id>> gives, gets;
    std::map<int, std::size_t> size;
    std::map<rcplan::node_id, std::size_t> degree;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      RC_ASSERT(waves[j] >= first);
      gives.insert({waves[j], jobs[j].a});
      gets.insert({waves[j], jobs[j].b});
      for (const rcplan::node_id& n : {jobs[j].a, jobs[j].b}) {
        const std::size_t in_wave = ++used[{waves[j], n}];
        RC_ASSERT(per_node == 0 || in_wave <= per_node);
        ++degree[n];
      }
      ++size[waves[j]];
    }
    for (const auto& [w, s] : size) RC_ASSERT(cap == 0 || s <= cap);
    // no node gives and receives in one wave
    for (const auto& g : gives) RC_ASSERT(gets.count(g) == 0U);
    // waves are numbered without gaps from `first`
    if (!jobs.empty()) RC_ASSERT(size.rbegin()->first == first + static_cast<int>(size.size()) - 1);
    // greedy colouring bound: never more than 2⌊(Δ−1)/k⌋+1 waves when uncapped; one wave with
    // no limit at all
    std::size_t delta = 0;
    for (const auto& [id, d] : degree) delta = std::max(delta, d);
    const bool one_role = split_roles || per_node == 1;  // the role rule adds no wave
    if (cap == 0 && per_node > 0 && one_role && !jobs.empty()) RC_ASSERT(size.size() <= 2 * ((delta - 1) / per_node) + 1);
    if (cap == 0 && per_node == 0 && split_roles && !jobs.empty()) RC_ASSERT(size.size() == 1U);
  });
}
