#pragma once

// to_json/from_json for the Kubernetes object descriptions the Kubernetes actions carry, and for
// the resource status.
//
// Object descriptions use their C++ member names (snake_case), every member always written, in
// declaration order (with nlohmann::ordered_json), so a plan's JSON is the same byte for byte
// for the same objects. Opaque fields (`affinity`, `tolerations`, `env`, security contexts) are
// written as the JSON they hold, null when unset. `monitor` is omitted when absent.
//
// The status is written in the resource's own camelCase shape (`numberOfMaster`,
// `minReplicationFactor`, `nodes[].masterRef`, `podName`, `nodeName`, `statefulSet`), so a
// binding can patch it into the resource as it is.

#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/detail/value.hpp>
#include <rcplan/plan/kube_objects.hpp>

#include <tuple>

namespace rcplan::json_detail {

template <>
struct shape<kube_resources> {
  static constexpr auto fields =
      std::tuple{defaulted("requests", &kube_resources::requests), defaulted("limits", &kube_resources::limits)};
};

template <>
struct shape<storage_description> {
  using s = storage_description;
  static constexpr auto fields = std::tuple{defaulted("type", &s::type), defaulted("size", &s::size),
                                            defaulted("class_name", &s::class_name),
                                            defaulted("delete_claim", &s::delete_claim)};
};

template <>
struct shape<monitor_description> {
  using m = monitor_description;
  static constexpr auto fields =
      std::tuple{defaulted("image", &m::image),         defaulted("args", &m::args),
                 defaulted("env", &m::env),             defaulted("resources", &m::resources),
                 defaulted("security_context", &m::security_context), defaulted("port", &m::port)};
};

template <>
struct shape<statefulset_description> {
  using s = statefulset_description;
  static constexpr auto fields = std::tuple{
      required("name", &s::name),
      defaulted("cluster", &s::cluster),
      defaulted("shard_index", &s::shard_index),
      defaulted("replicas", &s::replicas),
      defaulted("service_name", &s::service_name),
      defaulted("image", &s::image),
      defaulted("image_pull_policy", &s::image_pull_policy),
      defaulted("image_pull_secrets", &s::image_pull_secrets),
      defaulted("command", &s::command),
      defaulted("env", &s::env),
      defaulted("resources", &s::resources),
      defaulted("storage", &s::storage),
      defaulted("affinity", &s::affinity),
      defaulted("tolerations", &s::tolerations),
      defaulted("node_selector", &s::node_selector),
      defaulted("labels", &s::labels),
      defaulted("annotations", &s::annotations),
      defaulted("security_context", &s::security_context),
      defaulted("container_security_context", &s::container_security_context),
      defaulted("password_secret", &s::password_secret),
      omitempty("monitor", &s::monitor),
      defaulted("update_strategy", &s::update_strategy),
      defaulted("config_map", &s::config_map),
  };
};

template <>
struct shape<service_port> {
  static constexpr auto fields = std::tuple{defaulted("name", &service_port::name), required("port", &service_port::port)};
};

template <>
struct shape<service_description> {
  using s = service_description;
  static constexpr auto fields =
      std::tuple{required("name", &s::name),       defaulted("cluster", &s::cluster),
                 defaulted("headless", &s::headless), defaulted("shard_index", &s::shard_index),
                 defaulted("ports", &s::ports),     defaulted("selector", &s::selector),
                 defaulted("labels", &s::labels)};
};

template <>
struct shape<pdb_description> {
  using p = pdb_description;
  static constexpr auto fields =
      std::tuple{required("name", &p::name),       defaulted("cluster", &p::cluster),
                 defaulted("shard_index", &p::shard_index), defaulted("max_unavailable", &p::max_unavailable),
                 defaulted("selector", &p::selector), defaulted("labels", &p::labels)};
};

template <>
struct shape<configmap_description> {
  using c = configmap_description;
  static constexpr auto fields = std::tuple{required("name", &c::name), defaulted("cluster", &c::cluster),
                                            defaulted("data", &c::data), defaulted("labels", &c::labels)};
};

template <>
struct shape<kube_objects> {
  using o = kube_objects;
  static constexpr auto fields = std::tuple{defaulted("statefulsets", &o::statefulsets), defaulted("services", &o::services),
                                            defaulted("pdbs", &o::pdbs), defaulted("configmap", &o::configmap)};
};

// --- status (camelCase, the resource's shape) ----------------------------------------------

template <>
struct shape<status_node> {
  using n = status_node;
  static constexpr auto fields = std::tuple{
      defaulted("id", &n::id),
      defaulted("role", &n::role),
      defaulted("ip", &n::ip),
      defaulted("port", &n::port),
      defaulted("slots", &n::slots),
      defaulted("masterRef", &n::master_ref),
      defaulted("podName", &n::pod_name),
      defaulted("nodeName", &n::node_name),
      defaulted("statefulSet", &n::statefulset),
  };
};

template <>
struct shape<cluster_status> {
  using s = cluster_status;
  static constexpr auto fields =
      std::tuple{required("status", &s::status),
                 defaulted("reason", &s::reason),
                 defaulted("numberOfMaster", &s::number_of_master),
                 defaulted("minReplicationFactor", &s::min_replication_factor),
                 defaulted("maxReplicationFactor", &s::max_replication_factor),
                 defaulted("nodes", &s::nodes)};
};

}  // namespace rcplan::json_detail
