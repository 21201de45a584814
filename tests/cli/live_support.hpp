#pragma once

// Helpers for the CLI tests that run against real redis-server clusters.

#include "cli/run_cli.hpp"
#include "support/redis_cluster.hpp"

#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace rcplan_test {

[[nodiscard]] inline std::string seed(const redis_cluster& c, int i) { return "127.0.0.1:" + std::to_string(c.port(i)); }

/// Who owns what, by node: what "nothing changed" compares (CLUSTER NODES also carries ping
/// times, which change by themselves).
[[nodiscard]] inline std::string shape(const redis_cluster& c, int i = 0) {
  std::string out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(rcplan::topology_from_cluster_nodes(c.cluster_nodes(i)))) {
    out += n.id.value + (n.is_master() ? " master " : " replica ") + std::to_string(n.slots.count());
    for (const rcplan::open_slot& o : n.open_slots) out += " open:" + std::to_string(o.number);
    out += '\n';
  }
  return out;
}

/// A file in the temporary directory, removed at the end; the pid keeps parallel tests apart.
struct scratch_file {
  std::filesystem::path path;
  scratch_file(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() / (std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path) << text;
  }
  ~scratch_file() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
  scratch_file(const scratch_file&) = delete;
  scratch_file& operator=(const scratch_file&) = delete;
};

[[nodiscard]] inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace rcplan_test
