// The program bench/compile_time.sh compiles: what a controller's translation unit typically
// does with rcplan. Parses a CLUSTER NODES dump, loads a DistributedRedisCluster from JSON,
// calls reconcile() and prints the plan as JSON. The same source builds header-only and
// against rcplan::compiled (-DRCPLAN_SEPARATE_COMPILATION).
#include <rcplan/json/text.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/reconcile.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: consumer CLUSTER_NODES_FILE RESOURCE_JSON_FILE\n";
    return 2;
  }
  const rcplan::topology observed = rcplan::topology_from_cluster_nodes(read_file(argv[1]));
  const rcplan::cluster_resource desired = rcplan::cluster_resource_from_json(read_file(argv[2]));
  const rcplan::plan p = rcplan::reconcile(observed, desired);
  std::cout << rcplan::to_json_text(p, 2) << '\n';
  return 0;
}
