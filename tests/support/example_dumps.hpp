#pragma once

// Test support: the CLUSTER NODES dumps of examples/data (healthy, degraded, contested,
// importing ...), read as topologies.

#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace rcplan_test {

[[nodiscard]] inline rcplan::topology example_dump(const std::string& name) {
  const std::string path = std::string{RCPLAN_SOURCE_DIR} + "/examples/data/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return rcplan::topology_from_cluster_nodes(text.str());
}

}  // namespace rcplan_test
