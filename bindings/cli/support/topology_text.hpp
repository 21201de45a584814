#pragma once

// A topology summary rendered for people (text) and programs (JSON); `inspect`, `check` and
// `local status` show it.

#include <rcplan/planner/summary.hpp>

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <string_view>

namespace rcplan::cli {

/// "master", "replica", or "unknown" for a node still in handshake.
[[nodiscard]] std::string_view role_name(const cluster_node& n);

/// Observers, masters with their slots and replicas, open slots, problem nodes, coverage.
void print_topology_text(std::ostream& out, const topology_summary& s);

/// The same summary as JSON, slot sets as sorted [first, last] ranges.
[[nodiscard]] nlohmann::ordered_json topology_summary_json(const topology_summary& s);

}  // namespace rcplan::cli
