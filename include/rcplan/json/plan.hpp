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
// Each action's fields are listed once, in its `json_detail::shape` below, for both directions.
// Reading ignores unknown fields; an unknown action type is a json_error at
// `steps[i].action.type`.

#include <rcplan/error.hpp>
#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/detail/scalars.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

// --- enums ------------------------------------------------------------------------------

namespace rcplan::json_detail {

template <>
struct json_enum<failover_mode> {
  static constexpr name_table<failover_mode, 3> names{
      {{failover_mode::default_mode, "default"}, {failover_mode::force, "force"}, {failover_mode::takeover, "takeover"}}};
};

template <>
struct json_enum<reset_mode> {
  static constexpr name_table<reset_mode, 2> names{{{reset_mode::soft, "soft"}, {reset_mode::hard, "hard"}}};
};

template <>
struct json_enum<wait_condition> {
  static constexpr name_table<wait_condition, 6> names{{
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
  static constexpr name_table<plan_status, 4> names{{
      {plan_status::converged, "converged"},
      {plan_status::actions_planned, "actions_planned"},
      {plan_status::waiting, "waiting"},
      {plan_status::blocked, "blocked"},
  }};
};

}  // namespace rcplan::json_detail

namespace rcplan {

template <json_detail::json_document J>
void to_json(J& j, failover_mode v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, failover_mode& v) { v = json_detail::read_enum<failover_mode>(j); }

template <json_detail::json_document J>
void to_json(J& j, reset_mode v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, reset_mode& v) { v = json_detail::read_enum<reset_mode>(j); }

template <json_detail::json_document J>
void to_json(J& j, wait_condition v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, wait_condition& v) { v = json_detail::read_enum<wait_condition>(j); }

template <json_detail::json_document J>
void to_json(J& j, plan_status v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, plan_status& v) { v = json_detail::read_enum<plan_status>(j); }

}  // namespace rcplan

// --- actions ----------------------------------------------------------------------------

namespace rcplan::json_detail {

/// An action's fields after its "type", so the type reads first in ordered output.
template <typename T, typename... Fields>
[[nodiscard]] constexpr auto action_fields(Fields... fields) {
  return std::tuple{constant("type", action_type_name<T>()), fields...};
}

template <>
struct shape<meet> {
  static constexpr auto fields = action_fields<meet>(required("node", &meet::node), required("addr", &meet::addr),
                                                     required("via", &meet::via));
};

template <>
struct shape<add_slots> {
  static constexpr auto fields =
      action_fields<add_slots>(required("node", &add_slots::node), required("slots", &add_slots::slots));
};

template <>
struct shape<set_config_epoch> {
  static constexpr auto fields = action_fields<set_config_epoch>(required("node", &set_config_epoch::node),
                                                                 required("epoch", &set_config_epoch::epoch));
};

template <>
struct shape<replicate> {
  static constexpr auto fields =
      action_fields<replicate>(required("replica", &replicate::replica), required("master", &replicate::master));
};

template <>
struct shape<migrate_slots> {
  using m = migrate_slots;
  static constexpr auto fields =
      action_fields<m>(required("source", &m::source), required("target", &m::target), required("slots", &m::slots));
};

template <>
struct shape<set_slot_stable> {
  static constexpr auto fields = action_fields<set_slot_stable>(required("node", &set_slot_stable::node),
                                                                required("slots", &set_slot_stable::slots));
};

template <>
struct shape<set_slot_node> {
  using s = set_slot_node;
  static constexpr auto fields =
      action_fields<s>(required("node", &s::node), required("owner", &s::owner), required("slots", &s::slots));
};

template <>
struct shape<failover> {
  static constexpr auto fields =
      action_fields<failover>(required("replica", &failover::replica), defaulted("mode", &failover::mode));
};

template <>
struct shape<forget> {
  static constexpr auto fields = action_fields<forget>(required("node", &forget::node));
};

template <>
struct shape<reset> {
  static constexpr auto fields = action_fields<reset>(required("node", &reset::node), defaulted("mode", &reset::mode));
};

template <>
struct shape<config_set> {
  using c = config_set;
  static constexpr auto fields = action_fields<c>(required("node", &c::node), required("parameter", &c::parameter),
                                                  defaulted("value", &c::value), defaulted("secret", &c::secret));

  // Never trust the struct to hold only a placeholder: whatever it holds stays out of the JSON.
  [[nodiscard]] static c for_writing(c x) {
    if (x.secret) x.value = std::string(secret_placeholder);
    return x;
  }

  static void after_read(const nlohmann::json& j, c& x) {
    if (!x.secret) return;
    // The value is not echoed: it may be the very secret that must not travel.
    if (member_of(j, "value") != nullptr && x.value != secret_placeholder)
      throw json_error("value", "a secret config_set carries only the placeholder \"" +
                                    std::string(secret_placeholder) + "\"");
    x.value = std::string(secret_placeholder);
  }
};

template <>
struct shape<wait_until> {
  using w = wait_until;
  static constexpr auto fields = action_fields<w>(required("condition", &w::condition), defaulted("subject", &w::subject),
                                                  defaulted("timeout_seconds", &w::timeout_seconds));
};

template <>
struct shape<apply_statefulset> {
  static constexpr auto fields = action_fields<apply_statefulset>(required("object", &apply_statefulset::object));
};

template <>
struct shape<apply_service> {
  static constexpr auto fields = action_fields<apply_service>(required("object", &apply_service::object));
};

template <>
struct shape<apply_pdb> {
  static constexpr auto fields = action_fields<apply_pdb>(required("object", &apply_pdb::object));
};

template <>
struct shape<apply_configmap> {
  static constexpr auto fields = action_fields<apply_configmap>(required("object", &apply_configmap::object));
};

template <>
struct shape<scale_statefulset> {
  static constexpr auto fields = action_fields<scale_statefulset>(required("name", &scale_statefulset::name),
                                                                  required("replicas", &scale_statefulset::replicas));
};

template <>
struct shape<delete_pod> {
  static constexpr auto fields = action_fields<delete_pod>(required("name", &delete_pod::name));
};

template <>
struct shape<delete_statefulset> {
  static constexpr auto fields = action_fields<delete_statefulset>(required("name", &delete_statefulset::name));
};

template <>
struct shape<delete_pvc> {
  static constexpr auto fields = action_fields<delete_pvc>(required("name", &delete_pvc::name));
};

template <>
struct shape<update_status> {
  static constexpr auto fields = action_fields<update_status>(required("status", &update_status::status));
};

/// The alternative of `action` whose type name is `type`.
template <std::size_t I = 0>
[[nodiscard]] action read_action(std::string_view type, const nlohmann::json& j) {
  if constexpr (I == std::variant_size_v<action>) {
    std::string accepted;
    [&]<std::size_t... Is>(std::index_sequence<Is...>) {
      ((accepted += (Is == 0 ? "" : ", "), accepted += action_type_name<std::variant_alternative_t<Is, action>>()),
       ...);
    }(std::make_index_sequence<std::variant_size_v<action>>{});
    throw json_error("type", "unknown action type \"" + std::string(type) + "\"; expected one of: " + accepted);
  } else {
    using alternative = std::variant_alternative_t<I, action>;
    if (type != action_type_name<alternative>()) return read_action<I + 1>(type, j);
    return read_record<alternative>(j);
  }
}

// --- steps and plans --------------------------------------------------------------------

/// Node ids as object keys (`ranges_after`).
struct node_id_key {
  using type = node_id;
  static constexpr const char* expected = "an object of node id to range count";
  [[nodiscard]] static node_id from_key(const std::string& key) { return node_id{key}; }
  [[nodiscard]] static std::string to_key(const node_id& id) { return id.value; }
};

template <>
struct shape<step> {
  static constexpr auto fields = std::tuple{required("wave", &step::wave), defaulted("reason", &step::reason),
                                            required("action", &step::action)};
};

template <>
struct shape<plan_summary> {
  using s = plan_summary;
  static constexpr auto fields = std::tuple{
      defaulted("slots_moved", &s::slots_moved), defaulted("lower_bound", &s::lower_bound),
      omitempty("keys_moved", &s::keys_moved),
      defaulted("ranges_after", &s::ranges_after, keyed_map<node_id_key, codec<std::size_t>>{})};
};

template <>
struct shape<plan> {
  static constexpr auto fields = std::tuple{required("status", &plan::status), defaulted("diagnostics", &plan::diagnostics),
                                            defaulted("steps", &plan::steps), defaulted("summary", &plan::summary)};
};

}  // namespace rcplan::json_detail

namespace rcplan {

template <json_detail::json_document J>
void to_json(J& j, const action& a) {
  std::visit([&](const auto& alternative) { to_json(j, alternative); }, a);
}

inline void from_json(const nlohmann::json& j, action& a) {
  json_detail::require_object(j);
  const nlohmann::json* type = json_detail::member_of(j, "type");
  if (type == nullptr) json_detail::missing_field("type");
  a = json_detail::read_action(json_detail::within("type", [type] { return json_detail::read_string(*type); }), j);
}

}  // namespace rcplan
