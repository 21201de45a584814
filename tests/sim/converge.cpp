#include <rcplan/testing/converge.hpp>

#include "sim/world_helpers.hpp"

#include <catch2/catch.hpp>

namespace {

/// Creates three StatefulSets of two pods and meets every node through the first one: the
/// simplest planner that needs several rounds of the loop.
struct meet_everyone {
  int shards = 3;
  rcplan::plan operator()(const rcplan::topology& t) const {
    rcplan::plan p;
    for (int i = 0; i < shards; ++i) {
      const std::string name = "drc-x-" + std::to_string(i);
      bool have = false;
      for (const auto& s : t.statefulsets) have = have || s.name == name;
      if (!have) p.steps.push_back({0, "create shard " + std::to_string(i), rcplan_test::make_sts(name, i, 2)});
    }
    if (!p.steps.empty()) return p.status = rcplan::plan_status::actions_planned, p;
    std::vector<rcplan::node_id> ids;
    for (const auto& pod : t.pods) {
      const rcplan::node_observation* found = nullptr;
      for (const auto& o : t.observations)
        if (o.reachable && o.addr.host == pod.ip) found = &o;
      if (!pod.ready || found == nullptr) return p.status = rcplan::plan_status::waiting, p;
      ids.push_back(found->id);
    }
    if (ids.size() != static_cast<std::size_t>(2 * shards)) return p.status = rcplan::plan_status::waiting, p;
    for (std::size_t i = 1; i < ids.size(); ++i)
      if (rcplan_test::line(t, ids[0], ids[i]) == nullptr)
        p.steps.push_back({0, "meet", rcplan::meet{ids[i], {}, ids[0]}});
    p.status = p.steps.empty() ? rcplan::plan_status::converged : rcplan::plan_status::actions_planned;
    return p;
  }
};

}  // namespace

TEST_CASE("converge runs observe, plan, first wave, tick until the planner says converged") {
  using rcplan::testing::fault;
  rcplan::sim::world w;
  rcplan::testing::converge_options o;
  std::size_t want = 3;  // create, meet, converged
  SECTION("no faults") {}
  SECTION("a pod dies before the meets: the planner waits a round") {
    o.faults.push_back({fault::kind::kill_pod, 1, "drc-x-1-1", false, 1, 0});
    want = 4;
  }
  SECTION("the wave of meets stops after two commands") {
    o.faults.push_back({fault::kind::interrupt_wave, 1, "", false, 1, 2});
    want = 4;
  }
  const auto r = rcplan::testing::converge(w, meet_everyone{}, o);
  INFO([&] {
    std::string s;
    for (const auto& l : r.trace) s += l + "\n";
    return s;
  }());
  CHECK(r.converged);
  CHECK_FALSE(r.violation);
  CHECK(r.iterations == want);
  CHECK(r.last_status == rcplan::plan_status::converged);
  const auto t = w.to_topology();
  REQUIRE(t.views.size() == 6);
  CHECK(rcplan::views_agree(t));
  for (const auto& v : t.views) CHECK(v.nodes.size() == 6);
}

TEST_CASE("converge stops at the first violation and at the iteration bound") {
  rcplan::sim::world w;
  SECTION("a planner that never finishes") {
    rcplan::testing::converge_options o;
    o.max_iterations = 5;
    const auto r = rcplan::testing::converge(
        w, [](const rcplan::topology&) { return rcplan::plan{rcplan::plan_status::waiting, {}, {}, {}}; }, o);
    CHECK_FALSE(r.converged);
    CHECK(r.iterations == 5);
    CHECK(r.last_status == rcplan::plan_status::waiting);
    CHECK(w.now_ms() == rcplan::sim::world_options{}.start_ms + 5000);
  }
  SECTION("a planner that sends a command to a node that does not exist") {
    const auto r = rcplan::testing::converge(w, [](const rcplan::topology&) {
      rcplan::plan p;
      p.status = rcplan::plan_status::actions_planned;
      p.steps.push_back({0, "bogus", rcplan::set_config_epoch{rcplan::node_id{"nobody"}, 1}});
      return p;
    });
    REQUIRE(r.violation);
    CHECK(r.violation->invariant == "unknown_node");
    CHECK(r.iterations == 1);
  }
}
