// The smallest embedding of reconcile(): a DistributedRedisCluster resource, a simulated world
// standing in for Kubernetes and Redis, and the controller loop run until the plan is empty.
// A real controller swaps the world for its bindings (observe, execute); the planning call and
// the loop stay the same.

#include <rcplan/planner/reconcile.hpp>
#include <rcplan/sim/world.hpp>
#include <rcplan/testing/converge.hpp>

#include <cstdio>
#include <string>

namespace {

[[nodiscard]] bool converge_to(rcplan::sim::world& w, const rcplan::cluster_resource& desired) {
  const auto report = rcplan::testing::converge(w, [&](const rcplan::topology& observed) {
    return rcplan::reconcile(observed, desired);
  });
  for (const std::string& line : report.trace) std::printf("  %s\n", line.c_str());
  if (report.violation) std::printf("invariant broken: %s\n", report.violation->invariant.c_str());
  return report.converged && !report.violation;
}

[[nodiscard]] std::size_t masters_with_slots(const rcplan::sim::world& w) {
  std::size_t n = 0;
  for (const rcplan::cluster_node& node : rcplan::merged_nodes(w.to_topology()))
    if (node.is_master() && !node.slots.empty()) ++n;
  return n;
}

}  // namespace

int main() {
  rcplan::cluster_resource desired;
  desired.metadata.name = "example";
  desired.spec.image = "redis:7.0";
  desired.spec.master_size = 3;
  desired.spec.cluster_replicas = 1;

  rcplan::sim::world w;
  std::puts("create 3 masters with 1 replica each:");
  if (!converge_to(w, desired)) return 1;

  for (rcplan::slot s = 0; s < 16384; s += 64) w.cluster().add_keys(s, 10);
  const std::uint64_t keys = w.cluster().total_keys();

  desired.spec.master_size = 4;
  std::puts("scale to 4 masters:");
  if (!converge_to(w, desired)) return 1;

  const bool kept = w.cluster().total_keys() == keys;
  std::printf("masters with slots: %zu, keys kept: %s\n", masters_with_slots(w), kept ? "yes" : "no");
  return masters_with_slots(w) == 4 && kept ? 0 : 1;
}
