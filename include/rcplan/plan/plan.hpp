#pragma once

// A plan: ordered steps (action, wave, reason), a status and diagnostics. Steps of one wave may
// run concurrently; waves run in order.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

enum class plan_status : std::uint8_t {
  converged,        ///< nothing to do
  actions_planned,  ///< steps to run
  waiting,          ///< nothing can be done until the cluster changes by itself (a pod starts)
  blocked,          ///< proceeding could lose data or needs a person; diagnostics say why
};

[[nodiscard]] constexpr std::string_view to_string(plan_status s) noexcept {
  switch (s) {
    case plan_status::converged: return "converged";
    case plan_status::actions_planned: return "actions_planned";
    case plan_status::waiting: return "waiting";
    case plan_status::blocked: return "blocked";
  }
  return "blocked";
}

/// The code of a diagnostic by which a plan records that it gives up the keys of the node
/// named in its subject (only ever when the spec allows data loss). The simulator lets such a
/// node be forgotten with its keys, and counts them as lost instead of flagging a violation.
inline constexpr const char* data_loss_code = "reconcile.data_loss";

/// One action, the wave it belongs to, and why it exists. Steps of one wave may run
/// concurrently; waves run in ascending order.
struct step {
  int wave = 0;
  std::string reason;
  rcplan::action action;
  friend bool operator==(const step&, const step&) = default;
};

/// How many slot ranges a master holds once a plan ran.
struct master_ranges {
  node_id node;
  std::size_t ranges = 0;
  friend bool operator==(const master_ranges&, const master_ranges&) = default;
};

/// Quality measures of the slot part of a plan (design §5).
struct plan_summary {
  std::size_t slots_moved = 0;
  std::size_t lower_bound = 0;  ///< Σ max(0, held − quota) in slots; 0 when balancing by keys
  std::size_t keys_moved = 0;   ///< keys carried by the balancing moves; counted only by keys
  /// Ranges per master once the plan ran, sorted by id: a flat list, because a plan names every
  /// master and a node per entry cost more than the rest of a plan with nothing to do.
  std::vector<master_ranges> ranges_after;
  friend bool operator==(const plan_summary&, const plan_summary&) = default;
};

/// The ranges `node` holds once the plan ran, or nullopt when the summary does not list it.
[[nodiscard]] inline std::optional<std::size_t> ranges_after(const plan_summary& s, const node_id& node) {
  const auto it = std::lower_bound(s.ranges_after.begin(), s.ranges_after.end(), node,
                                   [](const master_ranges& m, const node_id& id) { return m.node < id; });
  if (it == s.ranges_after.end() || it->node != node) return std::nullopt;
  return it->ranges;
}

struct plan {
  plan_status status = plan_status::converged;
  std::vector<diagnostic> diagnostics;
  std::vector<step> steps;
  plan_summary summary;

  [[nodiscard]] bool empty() const noexcept { return steps.empty(); }
  [[nodiscard]] int wave_count() const noexcept {
    int n = 0;
    for (const step& s : steps) n = s.wave + 1 > n ? s.wave + 1 : n;
    return n;
  }
  friend bool operator==(const plan&, const plan&) = default;
};

}  // namespace rcplan
