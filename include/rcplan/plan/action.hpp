#pragma once

// The action vocabulary of design §3: Redis and Kubernetes actions as plain aggregates in one
// `std::variant`, and each action's snake_case name.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/plan/kube_objects.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <cstddef>
#include <variant>
#include <vector>

/// Intent-level actions: what a plan lists. Each is a plain aggregate holding only the ids it
/// needs. Node fields hold the Redis node id where the node exists, and the pod name for a node
/// a plan creates before it has an id. Kubernetes objects are named by their object name.
namespace rcplan {

// --- Redis actions ---------------------------------------------------------------------

/// Introduce `node` (at `addr`) to the cluster through `via`, an existing member.
struct meet {
  node_id node;
  address addr;
  node_id via;
  friend bool operator==(const meet&, const meet&) = default;
};

struct add_slots {
  node_id node;
  slot_set slots;
  friend bool operator==(const add_slots&, const add_slots&) = default;
};

struct set_config_epoch {
  node_id node;
  std::uint64_t epoch = 0;
  friend bool operator==(const set_config_epoch&, const set_config_epoch&) = default;
};

struct replicate {
  node_id replica;
  node_id master;
  friend bool operator==(const replicate&, const replicate&) = default;
};

/// Move ownership and keys of `slots` from `source` to `target` (live resharding).
struct migrate_slots {
  node_id source;
  node_id target;
  slot_set slots;
  friend bool operator==(const migrate_slots&, const migrate_slots&) = default;
};

/// Clear MIGRATING/IMPORTING state of `slots` on `node`.
struct set_slot_stable {
  node_id node;
  slot_set slots;
  friend bool operator==(const set_slot_stable&, const set_slot_stable&) = default;
};

/// Tell `node` that `owner` owns `slots` (`CLUSTER SETSLOT s NODE owner`).
struct set_slot_node {
  node_id node;
  node_id owner;
  slot_set slots;
  friend bool operator==(const set_slot_node&, const set_slot_node&) = default;
};

enum class failover_mode : std::uint8_t { default_mode, force, takeover };

struct failover {
  node_id replica;
  failover_mode mode = failover_mode::default_mode;
  friend bool operator==(const failover&, const failover&) = default;
};

/// Remove `node` from the node table of every remaining member.
struct forget {
  node_id node;
  friend bool operator==(const forget&, const forget&) = default;
};

enum class reset_mode : std::uint8_t { soft, hard };

struct reset {
  node_id node;
  reset_mode mode = reset_mode::soft;
  friend bool operator==(const reset&, const reset&) = default;
};

/// The `value` of every secret `config_set`; the executing binding puts the real value (from
/// the password Secret) in its place.
inline constexpr std::string_view secret_placeholder = "<secret>";

/// `CONFIG SET parameter value` on `node`. When `secret` is true, `value` is a placeholder
/// (`secret_placeholder`) that the executing binding replaces; the secret itself never enters a
/// plan.
struct config_set {
  node_id node;
  std::string parameter;
  std::string value;
  bool secret = false;
  friend bool operator==(const config_set&, const config_set&) = default;
};

enum class wait_condition : std::uint8_t {
  views_agree,     ///< every node reports the same slots, roles and members
  replica_synced,  ///< `subject` is a replica whose link is up and offset caught up
  node_known,      ///< every node knows `subject`
  pods_ready,      ///< every pod of `subject` (a StatefulSet, or all when empty) is ready
  node_reachable,  ///< `subject` answers
  failover_done,   ///< `subject` reports itself master
};

struct wait_until {
  wait_condition condition = wait_condition::views_agree;
  std::string subject;
  std::uint32_t timeout_seconds = 0;  ///< 0: the binding's default
  friend bool operator==(const wait_until&, const wait_until&) = default;
};

// --- Kubernetes actions ----------------------------------------------------------------

/// Create or update a shard's StatefulSet (and with it the pod template: image, config hash).
struct apply_statefulset {
  statefulset_description object;
  friend bool operator==(const apply_statefulset&, const apply_statefulset&) = default;
};

struct apply_service {
  service_description object;
  friend bool operator==(const apply_service&, const apply_service&) = default;
};

struct apply_pdb {
  pdb_description object;
  friend bool operator==(const apply_pdb&, const apply_pdb&) = default;
};

struct apply_configmap {
  configmap_description object;
  friend bool operator==(const apply_configmap&, const apply_configmap&) = default;
};

struct scale_statefulset {
  std::string name;
  int replicas = 0;
  friend bool operator==(const scale_statefulset&, const scale_statefulset&) = default;
};

struct delete_pod {
  std::string name;
  friend bool operator==(const delete_pod&, const delete_pod&) = default;
};

struct delete_statefulset {
  std::string name;
  friend bool operator==(const delete_statefulset&, const delete_statefulset&) = default;
};

struct delete_pvc {
  std::string name;
  friend bool operator==(const delete_pvc&, const delete_pvc&) = default;
};

/// Write the resource's `status`.
struct update_status {
  cluster_status status;
  friend bool operator==(const update_status&, const update_status&) = default;
};

using action = std::variant<meet, add_slots, set_config_epoch, replicate, migrate_slots,
                            set_slot_stable, set_slot_node, failover, forget, reset, config_set,
                            wait_until, apply_statefulset, apply_service, apply_pdb,
                            apply_configmap, scale_statefulset, delete_pod, delete_statefulset,
                            delete_pvc, update_status>;

namespace plan_detail {
template <typename T> struct action_name;
#define RCPLAN_ACTION_NAME(T) \
  template <> struct action_name<T> { static constexpr std::string_view value = #T; };
RCPLAN_ACTION_NAME(meet)
RCPLAN_ACTION_NAME(add_slots)
RCPLAN_ACTION_NAME(set_config_epoch)
RCPLAN_ACTION_NAME(replicate)
RCPLAN_ACTION_NAME(migrate_slots)
RCPLAN_ACTION_NAME(set_slot_stable)
RCPLAN_ACTION_NAME(set_slot_node)
RCPLAN_ACTION_NAME(failover)
RCPLAN_ACTION_NAME(forget)
RCPLAN_ACTION_NAME(reset)
RCPLAN_ACTION_NAME(config_set)
RCPLAN_ACTION_NAME(wait_until)
RCPLAN_ACTION_NAME(apply_statefulset)
RCPLAN_ACTION_NAME(apply_service)
RCPLAN_ACTION_NAME(apply_pdb)
RCPLAN_ACTION_NAME(apply_configmap)
RCPLAN_ACTION_NAME(scale_statefulset)
RCPLAN_ACTION_NAME(delete_pod)
RCPLAN_ACTION_NAME(delete_statefulset)
RCPLAN_ACTION_NAME(delete_pvc)
RCPLAN_ACTION_NAME(update_status)
#undef RCPLAN_ACTION_NAME
}  // namespace plan_detail

/// The action's snake_case type name, as it appears in plan JSON (`"type"`).
template <typename T>
[[nodiscard]] constexpr std::string_view action_type_name() noexcept {
  return plan_detail::action_name<T>::value;
}
[[nodiscard]] inline std::string_view action_type_name(const action& a) noexcept {
  return std::visit([](const auto& x) { return action_type_name<std::decay_t<decltype(x)>>(); }, a);
}

namespace plan_detail {
template <typename T, typename V> struct variant_index;
template <typename T, typename... Ts>
struct variant_index<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    constexpr bool matches[] = {std::is_same_v<T, Ts>...};
    for (std::size_t i = 0; i < sizeof...(Ts); ++i)
      if (matches[i]) return i;
    return sizeof...(Ts);
  }();
};
}  // namespace plan_detail

/// Whether the action talks to Redis (as opposed to the Kubernetes API). The variant lists
/// every Redis action before the first Kubernetes one.
[[nodiscard]] inline bool is_redis_action(const action& a) noexcept {
  return a.index() < plan_detail::variant_index<apply_statefulset, action>::value;
}

}  // namespace rcplan
