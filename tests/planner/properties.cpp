// The invariants of design §1 and §6 for the slot planner, on generated clusters: plans run in
// the simulator without breaking anything, reach the quotas with the fewest moves, are
// idempotent and deterministic, and survive a crash after any prefix of their commands.

#include <rcplan/plan/lower.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/testing/gen_topology.hpp>
#include <rcplan/testing/run_plan.hpp>

#include "support/gen_cluster.hpp"

#include <catch2/catch.hpp>
#include <algorithm>
#include <rapidcheck/catch.h>

namespace {

using rcplan::plan_status;

using rcplan::testing::command_count;

std::optional<rcplan::sim::violation> run(rcplan::sim::cluster& sim, const rcplan::plan& p,
                                          std::optional<std::size_t> stop = std::nullopt, double partial = 1.0) {
  if (!stop) return rcplan::testing::run_plan(sim, p);
  return rcplan::testing::run_plan(sim, p, rcplan::testing::crash_point{*stop, partial});
}

void require_balanced(const rcplan::sim::cluster& sim, const rcplan_test::generated_cluster& g) {
  RC_ASSERT(!sim.check_all());
  RC_ASSERT(sim.covered().full());
  double wsum = 0;
  for (const auto& id : g.masters) wsum += g.options.weights.count(id) ? g.options.weights.at(id) : 1.0;
  for (const auto& id : g.masters) {
    const double w = g.options.weights.count(id) ? g.options.weights.at(id) : 1.0;
    const double share = 16384.0 * w / wsum;
    const double held = static_cast<double>(sim.find(id)->claims.count());
    if (g.options.threshold_percent == 0) RC_ASSERT(std::abs(held - share) < 1.0 + 1e-9);
  }
}

std::string describe(const rcplan::topology& t, const rcplan::plan& p) {
  std::string out;
  for (const auto& n : rcplan::merged_nodes(t)) {
    out += n.id.value.substr(32) + (n.is_master() ? " master " : " replica ") + to_string(n.slots) +
           " epoch " + std::to_string(n.config_epoch);
    for (const auto& o : n.open_slots)
      out += " [" + std::to_string(o.number) + (o.dir == rcplan::open_slot::direction::migrating ? "->" : "<-") +
             o.peer.value.substr(32) + "]";
    out += "\n";
  }
  for (const auto& st : p.steps) out += std::to_string(st.wave) + " " + st.reason + "\n";
  return out;
}

}  // namespace

TEST_CASE("plans run in the simulator and reach the quotas") {
  rc::prop("clean and broken clusters", [](bool broken) {
    const auto g = *rcplan_test::gen_cluster(broken);
    const auto p = rcplan::plan_rebalance(g.topo, g.options);
    RC_ASSERT(p.status != plan_status::blocked);
    RC_ASSERT(rcplan::plan_rebalance(g.topo, g.options) == p);  // deterministic
    if (g.clean) RC_ASSERT(p.summary.slots_moved == p.summary.lower_bound);
    auto sim = rcplan::sim::cluster::from_topology(g.topo);
    const auto keys = sim.total_keys();
    if (const auto v = run(sim, p)) RC_FAIL(v->invariant + ": " + v->detail + "\n" + describe(g.topo, p));
    RC_ASSERT(sim.total_keys() == keys);
    require_balanced(sim, g);
    // nothing open is left behind
    for (const auto& [id, n] : sim.nodes()) RC_ASSERT(n.migrating.empty() && n.importing.empty());
    // converged means empty
    const auto again = rcplan::plan_rebalance(sim.to_topology(), g.options);
    RC_ASSERT(again.steps.empty());
    RC_ASSERT(again.status == plan_status::converged);
  });
}

TEST_CASE("a crash after any prefix of the commands is repaired without loss or extra moves") {
  rc::prop("crash, observe, re-plan, finish", [](bool broken) {
    const auto g = *rcplan_test::gen_cluster(broken);
    const auto p = rcplan::plan_rebalance(g.topo, g.options);
    RC_PRE(!p.steps.empty());
    auto full = rcplan::sim::cluster::from_topology(g.topo);
    if (const auto v = run(full, p)) RC_FAIL(v->invariant + ": " + v->detail);
    const std::size_t total = command_count(g.topo, p);
    const auto stop = *rc::gen::inRange<std::size_t>(0, total + 1);
    const double partial = *rc::gen::element(0.0, 0.3, 1.0);
    auto sim = rcplan::sim::cluster::from_topology(g.topo);
    const auto keys = sim.total_keys();
    if (const auto v = run(sim, p, stop, partial)) RC_FAIL(v->invariant + ": " + v->detail);
    const auto moved_before = sim.slots_moved();
    const auto observed = sim.to_topology();
    const auto q = rcplan::plan_rebalance(observed, g.options);
    RC_ASSERT(q.status != plan_status::blocked);
    auto resumed = rcplan::sim::cluster::from_topology(observed);
    if (const auto v = run(resumed, q)) RC_FAIL(v->invariant + ": " + v->detail);
    RC_ASSERT(resumed.total_keys() == keys);
    require_balanced(resumed, g);
    RC_ASSERT(moved_before + resumed.slots_moved() <= full.slots_moved());
    RC_ASSERT(rcplan::plan_rebalance(resumed.to_topology(), g.options).steps.empty());
  });
}

TEST_CASE("plans for any generated topology, broken ones included, are safe") {
  rc::prop("blocked or waiting plans do nothing; the others run cleanly and converge", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    rcplan::rebalance_options opt;
    opt.use_empty_masters = *rc::gen::arbitrary<bool>();
    opt.threshold_percent = *rc::gen::element(0.0, 2.0);
    const auto p = rcplan::plan_rebalance(t, opt);
    RC_ASSERT(rcplan::plan_rebalance(t, opt) == p);
    RC_TAG(rcplan::to_string(p.status));
    if (p.status == plan_status::blocked) {
      RC_ASSERT(p.steps.empty());
      RC_ASSERT(!p.diagnostics.empty());
      return;
    }
    if (p.status == plan_status::waiting) {
      for (const auto& s : p.steps) RC_ASSERT(std::holds_alternative<rcplan::wait_until>(s.action));
      return;
    }
    if (const auto problem = rcplan::testing::check_plan_safe(t, p)) RC_FAIL(*problem + "\n" + describe(t, p));
  });
}

TEST_CASE("the plan does not depend on the order of lines or views") {
  // One view listed in id order is planned on in place, any other input through a merged copy:
  // both paths must plan alike.
  rc::prop("reversed lines and views plan the same", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    rcplan::rebalance_options opt;
    opt.use_empty_masters = *rc::gen::arbitrary<bool>();
    opt.threshold_percent = *rc::gen::element(0.0, 2.0);
    rcplan::topology reversed = t;
    std::reverse(reversed.views.begin(), reversed.views.end());
    for (auto& v : reversed.views) std::reverse(v.nodes.begin(), v.nodes.end());
    rcplan::topology sorted = t;
    for (auto& v : sorted.views)
      std::sort(v.nodes.begin(), v.nodes.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    const auto p = rcplan::plan_rebalance(t, opt);
    RC_ASSERT(rcplan::plan_rebalance(reversed, opt) == p);
    RC_ASSERT(rcplan::plan_rebalance(sorted, opt) == p);
  });
}
