// Does every hash slot have exactly one master? Reads a CLUSTER NODES dump and says which
// slots have no owner and which have two, the first things to check before any resharding.
//
//   redis-cli -p 7000 cluster nodes > nodes.txt && slot_coverage nodes.txt
//
// Exits 0 when every slot has exactly one master, 3 when not, 1 when the dump is unreadable.

#include <rcplan/error.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

namespace {

std::string ranges(const rcplan::slot_set& slots) { return slots.empty() ? "none" : rcplan::to_string(slots); }

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CLUSTER-NODES-FILE\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    const auto nodes = rcplan::merged_nodes(rcplan::topology_from_cluster_nodes(text));
    const rcplan::slot_set uncovered = rcplan::uncovered_slots(nodes);
    const rcplan::slot_set contested = rcplan::contested_slots(nodes);
    std::cout << "covered: " << rcplan::slot_count - uncovered.count() << " of " << rcplan::slot_count << '\n'
              << "uncovered: " << ranges(uncovered) << '\n'
              << "claimed twice: " << ranges(contested) << '\n';
    return uncovered.empty() && contested.empty() ? 0 : 3;
  } catch (const rcplan::parse_error& e) {
    std::cerr << argv[1] << ": " << e.what() << '\n';
    return 1;
  }
}
