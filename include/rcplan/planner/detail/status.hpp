#pragma once

// What compute_status() reads off a plan: the kinds of change its steps make, the first
// problem a blocked plan reports, and what a waiting plan waits for.

#include <rcplan/diagnostic.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>

#include <string>
#include <type_traits>
#include <variant>

namespace rcplan::planner_detail {

struct plan_traits {
  bool moves_slots = false;
  bool touches_slots = false;
  bool membership = false;
  bool replication = false;
  bool password = false;
  bool rolling = false;
};

[[nodiscard]] inline plan_traits traits_of(const plan& p) {
  plan_traits t;
  for (const step& s : p.steps)
    std::visit(
        [&](const auto& a) {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, migrate_slots>) t.moves_slots = t.touches_slots = true;
          else if constexpr (std::is_same_v<T, add_slots> || std::is_same_v<T, set_slot_stable> ||
                             std::is_same_v<T, set_slot_node>)
            t.touches_slots = true;
          else if constexpr (std::is_same_v<T, meet> || std::is_same_v<T, forget> ||
                             std::is_same_v<T, scale_statefulset> || std::is_same_v<T, delete_statefulset> ||
                             std::is_same_v<T, delete_pvc>)
            t.membership = true;
          else if constexpr (std::is_same_v<T, replicate> || std::is_same_v<T, failover> || std::is_same_v<T, reset>)
            t.replication = true;
          else if constexpr (std::is_same_v<T, config_set>) {
            if (a.secret || a.parameter == "requirepass" || a.parameter == "masterauth") t.password = true;
            else t.rolling = true;
          } else if constexpr (std::is_same_v<T, delete_pod> || std::is_same_v<T, apply_statefulset>)
            t.rolling = true;
        },
        s.action);
  return t;
}

[[nodiscard]] inline std::string first_problem(const plan& p) {
  for (const diagnostic& d : p.diagnostics)
    if (d.severity == severity::error) return d.code + ": " + d.message;
  if (!p.diagnostics.empty()) return p.diagnostics.front().code + ": " + p.diagnostics.front().message;
  return "the plan is blocked";
}

/// The status of a plan that waits, from the stage that waits (its diagnostics' codes): the
/// slot planner's waits (views settling, a failover in progress) hold back slot moves, a
/// restart waits on a replica, and every other wait is about members or replication.
[[nodiscard]] inline const char* waiting_status(const plan& p) {
  for (const diagnostic& d : p.diagnostics) {
    if (d.code.rfind("rebalance.", 0) == 0) return status_rebalancing;
    if (d.code == reconcile_code::waiting_for_synced_replica || d.code == reconcile_code::restart_without_replica)
      return status_rolling_update;
  }
  for (const step& s : p.steps)
    if (const auto* w = std::get_if<wait_until>(&s.action); w != nullptr && w->condition == wait_condition::views_agree)
      return status_rebalancing;
  return status_scaling;
}

/// Why a plan waits: its first diagnostic, or its first step's reason.
[[nodiscard]] inline std::string waiting_reason(const plan& p) {
  if (!p.diagnostics.empty()) return p.diagnostics.front().message;
  if (!p.steps.empty()) return p.steps.front().reason;
  return "waiting for the cluster to settle";
}

}  // namespace rcplan::planner_detail
