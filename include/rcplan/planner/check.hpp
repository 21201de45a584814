#pragma once

// Is an observed cluster healthy? Every way it is not, as findings with stable codes, like
// `redis-cli --cluster check`. A healthy cluster has none: all slots covered once, every view
// agreeing, no open slot, no failed or unreachable node. `rcplan check` prints them.

#include <rcplan/config.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/planner/detail/check.hpp>

#include <string>
#include <vector>

namespace rcplan {

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
  std::string subject;  ///< slots ("0-99,200"), a slot number or a node id
  std::string message;  ///< for people

  friend bool operator==(const finding&, const finding&) = default;
};

/// The findings about `t`, in a stable order: coverage, open slots (by slot, then node), view
/// disagreements (by observer), failed nodes, unreachable nodes (by id).
[[nodiscard]] RCPLAN_ENTRY std::vector<finding> check_topology(const topology& t);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/check.hpp>
#endif
