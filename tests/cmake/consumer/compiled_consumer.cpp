// rcplan::compiled must define RCPLAN_SEPARATE_COMPILATION for its users, whose headers then
// only declare reconcile() and the JSON text functions, and the library must define them.
#include <rcplan/json/text.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/reconcile.hpp>

#include <cstdio>
#include <string>

static_assert(!RCPLAN_HEADER_ONLY, "rcplan::compiled must switch its users to separate compilation");

int main() {
  const rcplan::topology observed = rcplan::topology_from_cluster_nodes(
      "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n"
      "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922\n"
      "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master - 0 1426238318243 3 connected 10923-16383\n"
      "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460\n");
  const rcplan::cluster_resource desired = rcplan::cluster_resource_from_json(
      R"({"apiVersion": "redis.kun/v1alpha1", "kind": "DistributedRedisCluster",
          "metadata": {"name": "example"}, "spec": {"masterSize": 3, "clusterReplicas": 1}})");
  const rcplan::plan p = rcplan::reconcile(observed, desired);
  if (p.status != rcplan::plan_status::actions_planned || p.steps.empty()) return 1;
  const std::string text = rcplan::to_json_text(p);
  if (rcplan::to_json_text(rcplan::plan_from_json(text)) != text) return 1;
  try {
    (void)rcplan::cluster_resource_from_json("{\"spec\": ");
    return 1;
  } catch (const rcplan::parse_error& e) {
    std::printf("rejected as expected: %s\n", e.what());
  }
  std::printf("%zu steps\n", p.steps.size());
  return 0;
}
