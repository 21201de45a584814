// plan.hpp: steps and waves, the plan status names of design section 4, empty and converged.

#include <rcplan/plan/plan.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace {

rcplan::step at_wave(int wave) { return {wave, "why", rcplan::forget{rcplan::node_id{"n" + std::to_string(wave)}}}; }

}  // namespace

TEST_CASE("a default plan is converged, empty and has no waves") {
  const rcplan::plan p;
  CHECK(p.status == rcplan::plan_status::converged);
  CHECK(p.empty());
  CHECK(p.wave_count() == 0);
  CHECK(p.diagnostics.empty());
  CHECK(p.summary == rcplan::plan_summary{});
}

TEST_CASE("wave_count is one past the highest wave, whatever the steps' order") {
  rcplan::plan p;
  p.steps = {at_wave(0), at_wave(0)};
  CHECK(p.wave_count() == 1);
  CHECK_FALSE(p.empty());
  p.steps = {at_wave(0), at_wave(3), at_wave(1)};
  CHECK(p.wave_count() == 4);
  p.steps = {at_wave(2)};
  CHECK(p.wave_count() == 3);
}

TEST_CASE("plan status names are the JSON's") {
  CHECK(rcplan::to_string(rcplan::plan_status::converged) == "converged");
  CHECK(rcplan::to_string(rcplan::plan_status::actions_planned) == "actions_planned");
  CHECK(rcplan::to_string(rcplan::plan_status::waiting) == "waiting");
  CHECK(rcplan::to_string(rcplan::plan_status::blocked) == "blocked");
  STATIC_REQUIRE(rcplan::to_string(rcplan::plan_status::waiting) == "waiting");
}

TEST_CASE("plans compare by every field") {
  rcplan::plan a;
  a.steps = {at_wave(0)};
  rcplan::plan b = a;
  CHECK(a == b);
  b.steps.front().reason = "another reason";
  CHECK_FALSE(a == b);
  b = a;
  b.summary.ranges_after.push_back({rcplan::node_id{"x"}, 1});
  CHECK_FALSE(a == b);
  b = a;
  b.status = rcplan::plan_status::blocked;
  CHECK_FALSE(a == b);
}

TEST_CASE("the data loss code is stable: the simulator and the executors match on it") {
  CHECK(std::string(rcplan::data_loss_code) == "reconcile.data_loss");
}
