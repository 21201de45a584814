// Which master serves each key, according to one node's CLUSTER NODES view, and whether a
// client should expect an ASK redirection because the key's slot is being migrated.
//
//   route_keys nodes.txt user:1000 '{user:1000}.cart'

#include <rcplan/error.hpp>
#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

namespace {

const rcplan::cluster_node* owner(const std::vector<rcplan::cluster_node>& nodes, rcplan::slot s) {
  for (const rcplan::cluster_node& n : nodes)
    if (n.is_master() && n.slots.contains(s)) return &n;
  return nullptr;
}

// Only the node that migrates a slot knows it (Redis prints open slots on its own line), so
// this sees a migration only when the dump came from the slot's owner.
const rcplan::open_slot* migration(const rcplan::cluster_node& n, rcplan::slot s) {
  for (const rcplan::open_slot& o : n.open_slots)
    if (o.number == s && o.dir == rcplan::open_slot::direction::migrating) return &o;
  return nullptr;
}

void route(const std::vector<rcplan::cluster_node>& nodes, const std::string& key) {
  const rcplan::slot s = rcplan::key_slot(key);
  std::cout << key << " -> slot " << s;
  const rcplan::cluster_node* n = owner(nodes, s);
  if (n == nullptr) {
    std::cout << ", no master: commands fail with CLUSTERDOWN\n";
    return;
  }
  std::cout << ", master " << n->id.value << " at " << n->addr.host << ':' << n->addr.port;
  if (n->failed()) std::cout << " (flagged failing: commands may time out until a failover)";
  if (const rcplan::open_slot* o = migration(*n, s)) std::cout << " (migrating to " << o->peer.value << ": expect ASK)";
  std::cout << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: " << argv[0] << " CLUSTER-NODES-FILE KEY...\n";
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  try {
    // merged_nodes keeps the observer's own line, which is the one carrying its open slots
    const auto nodes = rcplan::merged_nodes(rcplan::topology_from_cluster_nodes(text));
    for (int i = 2; i < argc; ++i) route(nodes, argv[i]);
    return 0;
  } catch (const rcplan::parse_error& e) {
    std::cerr << argv[1] << ": " << e.what() << '\n';
    return 1;
  }
}
