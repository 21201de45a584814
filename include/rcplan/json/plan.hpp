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
// Each action's fields are listed once, in its `json_detail::fields_of` below, for both directions.
// Reading ignores unknown fields; an unknown action type is a json_error at
// `steps[i].action.type`.

#include <rcplan/config.hpp>
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

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

// --- enums ------------------------------------------------------------------------------

namespace rcplan::json_detail {

template <> inline constexpr name_table<failover_mode, 3> enum_names<failover_mode>{
    {{failover_mode::default_mode, "default"}, {failover_mode::force, "force"}, {failover_mode::takeover, "takeover"}}};
template <> inline constexpr name_table<reset_mode, 2> enum_names<reset_mode>{
    {{reset_mode::soft, "soft"}, {reset_mode::hard, "hard"}}};
template <> inline constexpr name_table<wait_condition, 6> enum_names<wait_condition>{
    {{wait_condition::views_agree, "views_agree"}, {wait_condition::replica_synced, "replica_synced"},
     {wait_condition::node_known, "node_known"}, {wait_condition::pods_ready, "pods_ready"},
     {wait_condition::node_reachable, "node_reachable"}, {wait_condition::failover_done, "failover_done"}}};
template <> inline constexpr name_table<plan_status, 4> enum_names<plan_status>{
    {{plan_status::converged, "converged"}, {plan_status::actions_planned, "actions_planned"},
     {plan_status::waiting, "waiting"}, {plan_status::blocked, "blocked"}}};

// --- actions ----------------------------------------------------------------------------

/// An action's fields after its "type", so the type reads first in ordered output.
template <typename T, typename... Fields>
[[nodiscard]] constexpr auto action_fields(Fields... fields) {
  return std::tuple{constant("type", action_type_name<T>()), fields...};
}

template <> inline constexpr auto fields_of<meet> = action_fields<meet>(required("node", &meet::node),
    required("addr", &meet::addr), required("via", &meet::via));
template <> inline constexpr auto fields_of<add_slots> = action_fields<add_slots>(required("node", &add_slots::node),
    required("slots", &add_slots::slots));
template <> inline constexpr auto fields_of<set_config_epoch> = action_fields<set_config_epoch>(
    required("node", &set_config_epoch::node), required("epoch", &set_config_epoch::epoch));
template <> inline constexpr auto fields_of<replicate> = action_fields<replicate>(
    required("replica", &replicate::replica), required("master", &replicate::master));
template <> inline constexpr auto fields_of<migrate_slots> = action_fields<migrate_slots>(
    required("source", &migrate_slots::source), required("target", &migrate_slots::target),
    required("slots", &migrate_slots::slots));
template <> inline constexpr auto fields_of<set_slot_stable> = action_fields<set_slot_stable>(
    required("node", &set_slot_stable::node), required("slots", &set_slot_stable::slots));
template <> inline constexpr auto fields_of<set_slot_node> = action_fields<set_slot_node>(
    required("node", &set_slot_node::node), required("owner", &set_slot_node::owner),
    required("slots", &set_slot_node::slots));
template <> inline constexpr auto fields_of<failover> = action_fields<failover>(required("replica", &failover::replica),
    defaulted("mode", &failover::mode));
template <> inline constexpr auto fields_of<forget> = action_fields<forget>(required("node", &forget::node));
template <> inline constexpr auto fields_of<reset> = action_fields<reset>(required("node", &reset::node),
    defaulted("mode", &reset::mode));
template <> inline constexpr auto fields_of<config_set> = action_fields<config_set>(required("node", &config_set::node),
    required("parameter", &config_set::parameter), defaulted("value", &config_set::value),
    defaulted("secret", &config_set::secret));

template <>
struct record_hooks<config_set> {
  // Never trust the struct to hold only a placeholder: whatever it holds stays out of the JSON.
  [[nodiscard]] static config_set for_writing(config_set x) {
    if (x.secret) x.value = std::string(secret_placeholder);
    return x;
  }

  static void after_read(const nlohmann::json& j, config_set& x) {
    if (!x.secret) return;
    // The value is not echoed: it may be the very secret that must not travel.
    if (member_of(j, "value") != nullptr && x.value != secret_placeholder)
      throw json_error("value", "a secret config_set carries only the placeholder \"" +
                                    std::string(secret_placeholder) + "\"");
    x.value = std::string(secret_placeholder);
  }
};

template <> inline constexpr auto fields_of<wait_until> = action_fields<wait_until>(
    required("condition", &wait_until::condition), defaulted("subject", &wait_until::subject),
    defaulted("timeout_seconds", &wait_until::timeout_seconds));

// Kubernetes actions: most carry one object, or name one.
template <typename T>
inline constexpr auto object_action = action_fields<T>(required("object", &T::object));
template <typename T>
inline constexpr auto named_action = action_fields<T>(required("name", &T::name));

template <> inline constexpr auto fields_of<apply_statefulset> = object_action<apply_statefulset>;
template <> inline constexpr auto fields_of<apply_service> = object_action<apply_service>;
template <> inline constexpr auto fields_of<apply_pdb> = object_action<apply_pdb>;
template <> inline constexpr auto fields_of<apply_configmap> = object_action<apply_configmap>;
template <> inline constexpr auto fields_of<scale_statefulset> = action_fields<scale_statefulset>(
    required("name", &scale_statefulset::name), required("replicas", &scale_statefulset::replicas));
template <> inline constexpr auto fields_of<delete_pod> = named_action<delete_pod>;
template <> inline constexpr auto fields_of<delete_statefulset> = named_action<delete_statefulset>;
template <> inline constexpr auto fields_of<delete_pvc> = named_action<delete_pvc>;
template <> inline constexpr auto fields_of<update_status> = action_fields<update_status>(
    required("status", &update_status::status));

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

/// `ranges_after`: an object of node id to range count, held as a list sorted by id.
struct ranges_after_codec {
  using type = std::vector<master_ranges>;
  [[nodiscard]] static type read(const nlohmann::json& j) {
    type out;
    for_each_member(j, "an object of node id to range count", [&out](const std::string& k, const nlohmann::json& e) {
      out.push_back({node_id{k}, codec<std::size_t>::read(e)});
    });
    std::sort(out.begin(), out.end(), [](const master_ranges& a, const master_ranges& b) { return a.node < b.node; });
    return out;
  }
  template <json_document J>
  [[nodiscard]] static J write(const type& m) {
    J o = J::object();
    for (const master_ranges& r : m) o[r.node.value] = codec<std::size_t>::template write<J>(r.ranges);
    return o;
  }
};

template <> inline constexpr auto fields_of<step> = std::tuple{required("wave", &step::wave),
    defaulted("reason", &step::reason), required("action", &step::action)};

template <> inline constexpr auto fields_of<plan_summary> = std::tuple{
    defaulted("slots_moved", &plan_summary::slots_moved), defaulted("lower_bound", &plan_summary::lower_bound),
    omitempty("keys_moved", &plan_summary::keys_moved),
    defaulted("ranges_after", &plan_summary::ranges_after, ranges_after_codec{})};

template <> inline constexpr auto fields_of<plan> = std::tuple{required("status", &plan::status),
    defaulted("diagnostics", &plan::diagnostics), defaulted("steps", &plan::steps),
    defaulted("summary", &plan::summary)};

}  // namespace rcplan::json_detail

namespace rcplan {

template <json_detail::json_document J>
void to_json(J& j, const action& a) {
  std::visit([&](const auto& alternative) { to_json(j, alternative); }, a);
}

/// Reads any action, by its "type" (json/impl/action.hpp).
RCPLAN_ENTRY void from_json(const nlohmann::json& j, action& a);

}  // namespace rcplan

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_PLAN_RECORDS(X) X(meet) X(add_slots) X(set_config_epoch) X(replicate) \
  X(migrate_slots) X(set_slot_stable) X(set_slot_node) X(failover) X(forget) X(reset) \
  X(config_set) X(wait_until) X(apply_statefulset) X(apply_service) X(apply_pdb) \
  X(apply_configmap) X(scale_statefulset) X(delete_pod) X(delete_statefulset) X(delete_pvc) \
  X(update_status) X(step) X(plan_summary) X(plan)
namespace rcplan {
RCPLAN_JSON_PLAN_RECORDS(RCPLAN_JSON_COMPILED)
#if !RCPLAN_HEADER_ONLY
extern template void to_json<nlohmann::json>(nlohmann::json&, const action&);
extern template void to_json<nlohmann::ordered_json>(nlohmann::ordered_json&, const action&);
#endif
}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/json/impl/action.hpp>
#endif
