#pragma once

// What `rcplan check` reports: every way a cluster is not healthy, like `redis-cli --cluster
// check`. A healthy cluster has no findings: all slots covered once, every view agreeing, no
// open slot, no failed or unreachable node.

#include <rcplan/model/topology.hpp>

#include <string>
#include <vector>

namespace rcplan::cli {

namespace finding_code {
inline constexpr const char* uncovered_slots = "uncovered_slots";
inline constexpr const char* contested_slots = "contested_slots";
inline constexpr const char* open_slot = "open_slot";
inline constexpr const char* views_disagree = "views_disagree";
inline constexpr const char* node_failed = "node_failed";
inline constexpr const char* node_unreachable = "node_unreachable";
}  // namespace finding_code

struct finding {
  std::string code;     ///< one of finding_code
  std::string subject;  ///< slots ("0-99,200") or a node id
  std::string message;  ///< for people

  friend bool operator==(const finding&, const finding&) = default;
};

/// The findings about `t`, in a stable order: coverage, open slots (by slot, then node), view
/// disagreements (by observer), failed nodes, unreachable nodes (by id).
[[nodiscard]] std::vector<finding> check_topology(const topology& t);

}  // namespace rcplan::cli
