#pragma once

// to_json/from_json for plans, steps and every action: the plan JSON of design §4, which the
// CLI prints with `--output json` and which must stay stable.
//
//   {"status": "actions_planned",            converged | actions_planned | waiting | blocked
//    "diagnostics": [{"severity", "code", "subject"?, "message"}],
//    "steps": [{"wave": 0, "reason": "...",
//               "action": {"type": "migrate_slots", "source": "<id>", "target": "<id>",
//                          "slots": [[0, 2730], [5461, 5461]]}}],
//    "summary": {"slots_moved": 0, "lower_bound": 0, "keys_moved"?: 0, "ranges_after": {"<node id>": 1}}}
//
// "keys_moved" is written only when not 0 (plans that balance by keys), so plans that balance
// by slots read and write as before.
//
// An action is an object whose "type" is its snake_case name (rcplan::action_type_name) followed
// by its fields under their C++ member names: ids as strings, slot sets as sorted inclusive
// ranges, enums as strings (failover mode default | force | takeover, reset soft | hard, wait
// conditions views_agree | replica_synced | node_known | pods_ready | node_reachable |
// failover_done). Converting a single action (`nlohmann::json j = rcplan::forget{id}`) gives the
// same object.
//
// Kubernetes actions carry their object under "object" (`apply_statefulset`, `apply_service`,
// `apply_pdb`, `apply_configmap`; see <rcplan/json/kube_objects.hpp>); `update_status` carries
// the resource's status under "status" in the resource's own camelCase shape.
//
// Secrets: a `config_set` with `secret: true` is always written with `"value":
// rcplan::secret_placeholder`, whatever the struct holds, and reading one that carries anything
// else is an error, so a plan file can never hold a password.
//
// Write into nlohmann::ordered_json to get the field order above; nlohmann::json sorts fields.
// Reading ignores unknown fields; an unknown action type is a json_error at
// `steps[i].action.type`.

#include <rcplan/error.hpp>
#include <rcplan/json/convert.hpp>
#include <rcplan/json/detail.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

namespace rcplan::detail {

template <>
struct json_enum<failover_mode> {
  static constexpr std::array<std::pair<failover_mode, std::string_view>, 3> names{{
      {failover_mode::default_mode, "default"},
      {failover_mode::force, "force"},
      {failover_mode::takeover, "takeover"},
  }};
};

template <>
struct json_enum<reset_mode> {
  static constexpr std::array<std::pair<reset_mode, std::string_view>, 2> names{{
      {reset_mode::soft, "soft"},
      {reset_mode::hard, "hard"},
  }};
};

template <>
struct json_enum<wait_condition> {
  static constexpr std::array<std::pair<wait_condition, std::string_view>, 6> names{{
      {wait_condition::views_agree, "views_agree"},
      {wait_condition::replica_synced, "replica_synced"},
      {wait_condition::node_known, "node_known"},
      {wait_condition::pods_ready, "pods_ready"},
      {wait_condition::node_reachable, "node_reachable"},
      {wait_condition::failover_done, "failover_done"},
  }};
};

template <>
struct json_enum<plan_status> {
  static constexpr std::array<std::pair<plan_status, std::string_view>, 4> names{{
      {plan_status::converged, "converged"},
      {plan_status::actions_planned, "actions_planned"},
      {plan_status::waiting, "waiting"},
      {plan_status::blocked, "blocked"},
  }};
};

/// A fresh action object that starts with its "type", so the type reads first in ordered output.
template <typename T, json_document J>
[[nodiscard]] J action_object() {
  J j = J::object();
  j["type"] = action_type_name<T>();
  return j;
}

/// Parses the alternative of `action` whose type name is `type`.
template <std::size_t I = 0>
[[nodiscard]] action action_from_json(std::string_view type, const nlohmann::json& j) {
  if constexpr (I == std::variant_size_v<action>) {
    std::string accepted;
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      ((accepted += (Is == 0 ? "" : ", "),
        accepted += action_type_name<std::variant_alternative_t<Is, action>>()),
       ...);
    }(std::make_index_sequence<std::variant_size_v<action>>{});
    throw json_error("type", "unknown action type \"" + std::string(type) + "\"; expected one of: " + accepted);
  } else {
    using alternative = std::variant_alternative_t<I, action>;
    if (type != action_type_name<alternative>()) return action_from_json<I + 1>(type, j);
    alternative out{};
    json_convert(j, out);
    return out;
  }
}

}  // namespace rcplan::detail

namespace rcplan {

// --- enums ------------------------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, failover_mode v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, failover_mode& v) { v = detail::enum_from_json<failover_mode>(j); }

template <detail::json_document J>
void to_json(J& j, reset_mode v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, reset_mode& v) { v = detail::enum_from_json<reset_mode>(j); }

template <detail::json_document J>
void to_json(J& j, wait_condition v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, wait_condition& v) { v = detail::enum_from_json<wait_condition>(j); }

template <detail::json_document J>
void to_json(J& j, plan_status v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, plan_status& v) { v = detail::enum_from_json<plan_status>(j); }

// --- Redis actions ----------------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const meet& a) {
  j = detail::action_object<meet, J>();
  j["node"] = a.node;
  j["addr"] = a.addr;
  j["via"] = a.via;
}
inline void from_json(const nlohmann::json& j, meet& a) {
  meet out;
  detail::read_required(j, "node", out.node);
  detail::read_required(j, "addr", out.addr);
  detail::read_required(j, "via", out.via);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const add_slots& a) {
  j = detail::action_object<add_slots, J>();
  j["node"] = a.node;
  j["slots"] = a.slots;
}
inline void from_json(const nlohmann::json& j, add_slots& a) {
  add_slots out;
  detail::read_required(j, "node", out.node);
  detail::read_required(j, "slots", out.slots);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const set_config_epoch& a) {
  j = detail::action_object<set_config_epoch, J>();
  j["node"] = a.node;
  j["epoch"] = a.epoch;
}
inline void from_json(const nlohmann::json& j, set_config_epoch& a) {
  set_config_epoch out;
  detail::read_required(j, "node", out.node);
  detail::read_required_integer(j, "epoch", out.epoch);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const replicate& a) {
  j = detail::action_object<replicate, J>();
  j["replica"] = a.replica;
  j["master"] = a.master;
}
inline void from_json(const nlohmann::json& j, replicate& a) {
  replicate out;
  detail::read_required(j, "replica", out.replica);
  detail::read_required(j, "master", out.master);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const migrate_slots& a) {
  j = detail::action_object<migrate_slots, J>();
  j["source"] = a.source;
  j["target"] = a.target;
  j["slots"] = a.slots;
}
inline void from_json(const nlohmann::json& j, migrate_slots& a) {
  migrate_slots out;
  detail::read_required(j, "source", out.source);
  detail::read_required(j, "target", out.target);
  detail::read_required(j, "slots", out.slots);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const set_slot_stable& a) {
  j = detail::action_object<set_slot_stable, J>();
  j["node"] = a.node;
  j["slots"] = a.slots;
}
inline void from_json(const nlohmann::json& j, set_slot_stable& a) {
  set_slot_stable out;
  detail::read_required(j, "node", out.node);
  detail::read_required(j, "slots", out.slots);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const set_slot_node& a) {
  j = detail::action_object<set_slot_node, J>();
  j["node"] = a.node;
  j["owner"] = a.owner;
  j["slots"] = a.slots;
}
inline void from_json(const nlohmann::json& j, set_slot_node& a) {
  set_slot_node out;
  detail::read_required(j, "node", out.node);
  detail::read_required(j, "owner", out.owner);
  detail::read_required(j, "slots", out.slots);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const failover& a) {
  j = detail::action_object<failover, J>();
  j["replica"] = a.replica;
  j["mode"] = a.mode;
}
inline void from_json(const nlohmann::json& j, failover& a) {
  failover out;
  detail::read_required(j, "replica", out.replica);
  detail::read_optional(j, "mode", out.mode);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const forget& a) {
  j = detail::action_object<forget, J>();
  j["node"] = a.node;
}
inline void from_json(const nlohmann::json& j, forget& a) {
  forget out;
  detail::read_required(j, "node", out.node);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const reset& a) {
  j = detail::action_object<reset, J>();
  j["node"] = a.node;
  j["mode"] = a.mode;
}
inline void from_json(const nlohmann::json& j, reset& a) {
  reset out;
  detail::read_required(j, "node", out.node);
  detail::read_optional(j, "mode", out.mode);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const config_set& a) {
  j = detail::action_object<config_set, J>();
  j["node"] = a.node;
  j["parameter"] = a.parameter;
  // Never trust the struct to hold only a placeholder: whatever it holds stays out of the JSON.
  j["value"] = a.secret ? std::string(secret_placeholder) : a.value;
  j["secret"] = a.secret;
}
inline void from_json(const nlohmann::json& j, config_set& a) {
  config_set out;
  detail::read_required(j, "node", out.node);
  detail::read_required(j, "parameter", out.parameter);
  detail::read_optional(j, "secret", out.secret);
  const bool has_value = detail::read_optional(j, "value", out.value);
  if (out.secret) {
    // The value is not echoed: it may be the very secret that must not travel.
    if (has_value && out.value != secret_placeholder)
      throw json_error("value", "a secret config_set carries only the placeholder \"" +
                                    std::string(secret_placeholder) + "\"");
    out.value = std::string(secret_placeholder);
  }
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const wait_until& a) {
  j = detail::action_object<wait_until, J>();
  j["condition"] = a.condition;
  j["subject"] = a.subject;
  j["timeout_seconds"] = a.timeout_seconds;
}
inline void from_json(const nlohmann::json& j, wait_until& a) {
  wait_until out;
  detail::read_required(j, "condition", out.condition);
  detail::read_optional(j, "subject", out.subject);
  detail::read_integer(j, "timeout_seconds", out.timeout_seconds);
  a = std::move(out);
}

// --- Kubernetes actions -----------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const apply_statefulset& a) {
  j = detail::action_object<apply_statefulset, J>();
  j["object"] = a.object;
}
inline void from_json(const nlohmann::json& j, apply_statefulset& a) {
  apply_statefulset out;
  detail::read_required(j, "object", out.object);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const apply_service& a) {
  j = detail::action_object<apply_service, J>();
  j["object"] = a.object;
}
inline void from_json(const nlohmann::json& j, apply_service& a) {
  apply_service out;
  detail::read_required(j, "object", out.object);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const apply_pdb& a) {
  j = detail::action_object<apply_pdb, J>();
  j["object"] = a.object;
}
inline void from_json(const nlohmann::json& j, apply_pdb& a) {
  apply_pdb out;
  detail::read_required(j, "object", out.object);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const apply_configmap& a) {
  j = detail::action_object<apply_configmap, J>();
  j["object"] = a.object;
}
inline void from_json(const nlohmann::json& j, apply_configmap& a) {
  apply_configmap out;
  detail::read_required(j, "object", out.object);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const scale_statefulset& a) {
  j = detail::action_object<scale_statefulset, J>();
  j["name"] = a.name;
  j["replicas"] = a.replicas;
}
inline void from_json(const nlohmann::json& j, scale_statefulset& a) {
  scale_statefulset out;
  detail::read_required(j, "name", out.name);
  detail::read_required_integer(j, "replicas", out.replicas);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const delete_pod& a) {
  j = detail::action_object<delete_pod, J>();
  j["name"] = a.name;
}
inline void from_json(const nlohmann::json& j, delete_pod& a) {
  delete_pod out;
  detail::read_required(j, "name", out.name);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const delete_statefulset& a) {
  j = detail::action_object<delete_statefulset, J>();
  j["name"] = a.name;
}
inline void from_json(const nlohmann::json& j, delete_statefulset& a) {
  delete_statefulset out;
  detail::read_required(j, "name", out.name);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const delete_pvc& a) {
  j = detail::action_object<delete_pvc, J>();
  j["name"] = a.name;
}
inline void from_json(const nlohmann::json& j, delete_pvc& a) {
  delete_pvc out;
  detail::read_required(j, "name", out.name);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const update_status& a) {
  j = detail::action_object<update_status, J>();
  j["status"] = a.status;
}
inline void from_json(const nlohmann::json& j, update_status& a) {
  update_status out;
  detail::read_required(j, "status", out.status);
  a = std::move(out);
}

// --- the action variant, steps, plans ---------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const action& a) {
  std::visit([&](const auto& alternative) { to_json(j, alternative); }, a);
}

inline void from_json(const nlohmann::json& j, action& a) {
  std::string type;
  detail::read_required(j, "type", type);
  a = detail::action_from_json(type, j);
}

template <detail::json_document J>
void to_json(J& j, const step& s) {
  j = J::object();
  j["wave"] = s.wave;
  j["reason"] = s.reason;
  j["action"] = s.action;
}

inline void from_json(const nlohmann::json& j, step& s) {
  step out;
  detail::read_required_integer(j, "wave", out.wave);
  detail::read_optional(j, "reason", out.reason);
  detail::read_required(j, "action", out.action);
  s = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const plan_summary& s) {
  j = J::object();
  j["slots_moved"] = s.slots_moved;
  j["lower_bound"] = s.lower_bound;
  if (s.keys_moved != 0) j["keys_moved"] = s.keys_moved;
  J ranges = J::object();
  for (const auto& [id, count] : s.ranges_after) ranges[id.value] = count;
  j["ranges_after"] = std::move(ranges);
}

inline void from_json(const nlohmann::json& j, plan_summary& s) {
  detail::require_object(j);
  plan_summary out;
  detail::read_integer(j, "slots_moved", out.slots_moved);
  detail::read_integer(j, "lower_bound", out.lower_bound);
  detail::read_integer(j, "keys_moved", out.keys_moved);
  detail::read_optional_with(j, "ranges_after", out.ranges_after, [](const nlohmann::json& ranges) {
    if (!ranges.is_object())
      throw json_error("", "expected an object of node id to range count, got " + detail::json_type_name(ranges));
    std::map<node_id, std::size_t> counts;
    for (const auto& [key, count] : ranges.items()) {
      try {
        counts[node_id{key}] = detail::integer_from_json<std::size_t>(count);
      } catch (const json_error& e) {
        throw e.within(key);
      }
    }
    return counts;
  });
  s = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const plan& p) {
  j = J::object();
  j["status"] = p.status;
  j["diagnostics"] = p.diagnostics;
  j["steps"] = p.steps;
  j["summary"] = p.summary;
}

inline void from_json(const nlohmann::json& j, plan& p) {
  plan out;
  detail::read_required(j, "status", out.status);
  detail::read_array(j, "diagnostics", out.diagnostics);
  detail::read_array(j, "steps", out.steps);
  detail::read_optional(j, "summary", out.summary);
  p = std::move(out);
}

}  // namespace rcplan
