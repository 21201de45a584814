#pragma once

// A plan as a person reads it: a runbook of status, diagnostics, waves of one-line steps and
// the slot summary. Shared by every command that prints a plan; `--output json` prints the
// plan JSON instead (rcplan/json/plan.hpp).

#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::cli {

/// The first 8 characters of a Redis node id, as redis-cli abbreviates them; anything else
/// (a pod or StatefulSet name) unchanged.
[[nodiscard]] std::string short_name(const std::string& id);

/// One line of what `a` does: its type, the nodes (short ids) or objects it touches and, for
/// slot actions, the slots as ranges with their count.
[[nodiscard]] std::string describe_action(const action& a);

/// Prints `p`. `nodes` (the observed cluster, sorted by id as merged_nodes returns it)
/// supplies the addresses shown next to short ids.
void print_plan_text(std::ostream& out, const plan& p, const std::vector<cluster_node>& nodes);

/// Whether a later round of a multi-round run prints its plan: one with steps, a blocked one
/// (why the run stops), and a waiting one whose diagnostics differ from the last plan printed
/// (none yet: printed). A converged round after work is not worth a runbook.
[[nodiscard]] bool worth_printing(const plan& p, const std::optional<plan>& last_printed);

}  // namespace rcplan::cli
