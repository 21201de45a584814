// Property-testing a planner with rcplan's testing kit: generated clusters (healthy and
// broken), the simulator, and the ready-made safety check. Swap plan_rebalance for your own
// controller's planning function to test it the same way.

#include <rcplan/planner/rebalance.hpp>
#include <rcplan/testing/gen_topology.hpp>
#include <rcplan/testing/run_plan.hpp>

#include <rapidcheck.h>

#include <cstdio>

int main() {
  const bool ok = rc::check("rebalance plans never lose keys nor break an invariant", [] {
    rcplan::testing::topology_options options;
    options.max_masters = 8;
    options.empty_masters = *rc::gen::inRange<std::size_t>(0, 3);
    options.open_slot_pairs = *rc::gen::inRange<std::size_t>(0, 3);
    options.layout = *rc::gen::element(rcplan::testing::slot_layout::contiguous,
                                       rcplan::testing::slot_layout::fragmented);
    options.min_masters = options.empty_masters + 2;  // open slots need two masters with slots
    const rcplan::topology t = *rcplan::testing::gen_topology(options);

    rcplan::rebalance_options want;
    want.use_empty_masters = true;
    const rcplan::plan p = rcplan::plan_rebalance(t, want);
    if (const auto problem = rcplan::testing::check_plan_safe(t, p)) RC_FAIL(*problem);
  });
  std::puts(ok ? "property holds" : "property failed");
  return ok ? 0 : 1;
}
