#include <rcplan/planner/strategy.hpp>

#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/rebalance_strategy.hpp>
#include <rcplan/testing/gen_topology.hpp>
#include <rcplan/testing/run_plan.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using rcplan::slot_set;
using rcplan::slot_transfer;
using rcplan::strategy_input;

/// A plain strategy of the kind a user writes: every master above its quota gives its highest
/// slots to the masters below theirs, in input order. Correct, but not minimal in ranges.
struct fill_in_order {
  [[nodiscard]] std::string_view name() const { return "fill-in-order"; }
  [[nodiscard]] std::vector<slot_transfer> transfers(const strategy_input& in) const {
    std::vector<slot_transfer> out;
    std::vector<slot_set> spare;
    std::vector<std::size_t> want;
    for (const auto& m : in.masters) {
      const std::size_t held = m.slots.count();
      spare.push_back(held > m.quota ? m.slots.highest(held - m.quota) : slot_set{});
      want.push_back(m.quota > held ? m.quota - held : 0);
    }
    std::size_t r = 0;
    slot_set free = in.unassigned;
    for (std::size_t d = 0; d <= in.masters.size(); ++d) {
      slot_set& from = d < in.masters.size() ? spare[d] : free;
      while (!from.empty()) {
        while (r < want.size() && want[r] == 0) ++r;
        if (r == want.size()) break;
        const slot_set part = from.lowest(want[r]);
        out.push_back({d < in.masters.size() ? in.masters[d].id : rcplan::node_id{}, in.masters[r].id, part});
        want[r] -= part.count();
        from -= part;
      }
    }
    return out;
  }
};

/// Deliberately broken ways of choosing transfers, each of which a strategy could get wrong.
enum class fault { foreign_slots, twice, unknown_target, drops_free_slots, to_itself };

struct broken {
  fault what;
  [[nodiscard]] std::string_view name() const { return "broken"; }
  [[nodiscard]] std::vector<slot_transfer> transfers(const strategy_input& in) const {
    std::vector<slot_transfer> out = fill_in_order{}.transfers(in);
    if (in.masters.size() < 2) return out;
    const auto& a = in.masters[0];
    const auto& b = in.masters[1];
    switch (what) {
      case fault::foreign_slots:  // b's slots, said to come from a
        out.push_back({a.id, b.id == a.id ? a.id : in.masters.back().id, b.slots.lowest(1)});
        break;
      case fault::twice:
        if (!out.empty()) out.push_back(out.front());
        break;
      case fault::unknown_target:
        out.push_back({a.id, rcplan::node_id{std::string(40, 'f')}, a.slots.lowest(1)});
        break;
      case fault::drops_free_slots:
        out.erase(std::remove_if(out.begin(), out.end(), [](const slot_transfer& t) { return t.source.empty(); }),
                  out.end());
        break;
      case fault::to_itself:
        out.push_back({a.id, a.id, a.slots.lowest(1)});
        break;
    }
    return out;
  }
};

static_assert(rcplan::rebalance_strategy<rcplan::rcplan_strategy>);
static_assert(rcplan::rebalance_strategy<fill_in_order>);

}  // namespace

TEST_CASE("strategy: rcplan's own strategy through the interface plans exactly as plan_rebalance") {
  rc::prop("same plan for any generated topology", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    rcplan::rebalance_options opt;
    opt.use_empty_masters = *rc::gen::arbitrary<bool>();
    opt.threshold_percent = *rc::gen::element(0.0, 2.0);
    RC_ASSERT(rcplan::plan_rebalance(t, opt, rcplan::rcplan_strategy{}) == rcplan::plan_rebalance(t, opt));
  });
}

TEST_CASE("strategy: a user's strategy gets the repair, waves and checks, and its plans run safely") {
  rc::prop("plans run cleanly in the simulator", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    rcplan::rebalance_options opt;
    opt.use_empty_masters = true;
    opt.threshold_percent = 0;
    const rcplan::plan p = rcplan::plan_rebalance(t, opt, fill_in_order{});
    RC_TAG(rcplan::to_string(p.status));
    // never blocked for its own sake: the strategy's transfers are sound
    for (const auto& d : p.diagnostics) RC_ASSERT(d.code != std::string{rcplan::rebalance_code::strategy_invalid});
    if (p.status != rcplan::plan_status::actions_planned) return;
    if (const auto problem = rcplan::testing::check_plan_safe(t, p)) RC_FAIL(*problem);
    // it moves at least what rcplan moves, which is the lower bound
    RC_ASSERT(p.summary.slots_moved >= rcplan::plan_rebalance(t, opt).summary.slots_moved);
  });
}

TEST_CASE("strategy: a broken strategy is caught before anything is planned on it") {
  rcplan_test::topology_builder b;
  b.master(slot_set{{0, 8191}});
  b.master(slot_set{{8192, 12000}});
  b.master({});
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  const fault f = GENERATE(fault::foreign_slots, fault::twice, fault::unknown_target, fault::drops_free_slots,
                           fault::to_itself);
  CAPTURE(static_cast<int>(f));
  // slots 12001-16383 are uncovered and keyless: the strategy must hand them out
  b.all_keys_known();
  const rcplan::topology t = b.build();
  REQUIRE(rcplan::plan_rebalance(t, opt, fill_in_order{}).status == rcplan::plan_status::actions_planned);
  const rcplan::plan p = rcplan::plan_rebalance(t, opt, broken{f});
  CHECK(p.status == rcplan::plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE_FALSE(p.diagnostics.empty());
  CHECK(p.diagnostics.back().code == std::string{rcplan::rebalance_code::strategy_invalid});
  CHECK(p.diagnostics.back().subject == "broken");
  CHECK(p.diagnostics.back().message.rfind("strategy broken: ", 0) == 0);
}

TEST_CASE("strategy: check_transfers names each fault") {
  strategy_input in;
  const rcplan::node_id x = rcplan_test::make_id(0), y = rcplan_test::make_id(1);
  in.masters.push_back({x, slot_set{{0, 9999}}, 1.0, 8192});
  in.masters.push_back({y, slot_set{{10000, 16000}}, 1.0, 8192});
  in.unassigned = slot_set{{16001, 16383}};
  const slot_transfer give_free{{}, y, in.unassigned};
  CHECK_FALSE(rcplan::check_transfers(in, {give_free, {x, y, slot_set{{0, 1807}}}}).has_value());

  const auto fault_of = [&](std::vector<slot_transfer> ts) { return rcplan::check_transfers(in, ts).value_or("none"); };
  CHECK_THAT(fault_of({}), Catch::Contains("unassigned slots 16001-16383 are handed to nobody"));
  CHECK_THAT(fault_of({give_free, {x, y, slot_set{{10000, 10001}}}}), Catch::Contains("are not the source's"));
  CHECK_THAT(fault_of({give_free, {x, y, slot_set{}}}), Catch::Contains("moves no slot"));
  CHECK_THAT(fault_of({give_free, {x, x, slot_set{{0, 0}}}}), Catch::Contains("source and target are the same"));
  CHECK_THAT(fault_of({give_free, give_free}), Catch::Contains("move twice"));
  CHECK_THAT(fault_of({give_free, {rcplan_test::make_id(7), y, slot_set{{0, 0}}}}), Catch::Contains("source is not a master"));
  CHECK_THAT(fault_of({give_free, {x, rcplan_test::make_id(7), slot_set{{0, 0}}}}), Catch::Contains("target is not a master"));
  CHECK_THAT(fault_of({{{}, y, slot_set{{0, 0}}}, give_free}), Catch::Contains("are not unassigned"));
}
