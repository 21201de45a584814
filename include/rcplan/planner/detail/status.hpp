#pragma once

// What compute_status() reads off a plan: the kinds of change its steps make, and the first
// problem a blocked plan reports.

#include <rcplan/diagnostic.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>

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

}  // namespace rcplan::planner_detail
