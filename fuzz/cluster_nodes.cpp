// CLUSTER NODES text → topology, and whatever parses is summarized and planned on: neither
// may fail on a topology the parser accepted, however broken the cluster it describes.
#include "fuzz.hpp"

#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/summary.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rcplan_fuzz::refusals_allowed([&] {
    const rcplan::topology t = rcplan::topology_from_cluster_nodes(rcplan_fuzz::text_of(data, size));
    (void)rcplan::summarize(t);
    rcplan::rebalance_options o;
    o.use_empty_masters = size % 2 == 0;
    (void)rcplan::plan_rebalance(t, o);
  });
  return 0;
}
