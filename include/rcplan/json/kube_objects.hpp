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

template <> inline constexpr auto fields_of<kube_resources> = std::tuple{
    defaulted("requests", &kube_resources::requests), defaulted("limits", &kube_resources::limits)};

template <> inline constexpr auto fields_of<storage_description> = std::tuple{
    defaulted("type", &storage_description::type), defaulted("size", &storage_description::size),
    defaulted("class_name", &storage_description::class_name),
    defaulted("delete_claim", &storage_description::delete_claim)};

template <> inline constexpr auto fields_of<monitor_description> = std::tuple{
    defaulted("image", &monitor_description::image), defaulted("args", &monitor_description::args),
    defaulted("env", &monitor_description::env), defaulted("resources", &monitor_description::resources),
    defaulted("security_context", &monitor_description::security_context),
    defaulted("port", &monitor_description::port)};

template <> inline constexpr auto fields_of<statefulset_description> = [] {
  using s = statefulset_description;
  return std::tuple{
      required("name", &s::name), defaulted("cluster", &s::cluster), defaulted("shard_index", &s::shard_index),
      defaulted("replicas", &s::replicas), defaulted("service_name", &s::service_name), defaulted("image", &s::image),
      defaulted("image_pull_policy", &s::image_pull_policy), defaulted("image_pull_secrets", &s::image_pull_secrets),
      defaulted("command", &s::command), defaulted("env", &s::env), defaulted("resources", &s::resources),
      defaulted("storage", &s::storage), defaulted("affinity", &s::affinity), defaulted("tolerations", &s::tolerations),
      defaulted("node_selector", &s::node_selector), defaulted("labels", &s::labels),
      defaulted("annotations", &s::annotations), defaulted("security_context", &s::security_context),
      defaulted("container_security_context", &s::container_security_context),
      defaulted("password_secret", &s::password_secret), omitempty("monitor", &s::monitor),
      defaulted("update_strategy", &s::update_strategy), defaulted("config_map", &s::config_map),
      omitempty("restore_config", &s::restore_config)};
}();

template <> inline constexpr auto fields_of<service_port> = std::tuple{defaulted("name", &service_port::name),
    required("port", &service_port::port)};

template <> inline constexpr auto fields_of<service_description> = [] {
  using s = service_description;
  return std::tuple{required("name", &s::name), defaulted("cluster", &s::cluster), defaulted("headless", &s::headless),
                    defaulted("shard_index", &s::shard_index), defaulted("ports", &s::ports),
                    defaulted("selector", &s::selector), defaulted("labels", &s::labels)};
}();

template <> inline constexpr auto fields_of<pdb_description> = [] {
  using p = pdb_description;
  return std::tuple{required("name", &p::name), defaulted("cluster", &p::cluster),
                    defaulted("shard_index", &p::shard_index), defaulted("max_unavailable", &p::max_unavailable),
                    defaulted("selector", &p::selector), defaulted("labels", &p::labels)};
}();

template <> inline constexpr auto fields_of<configmap_description> = std::tuple{
    required("name", &configmap_description::name), defaulted("cluster", &configmap_description::cluster),
    defaulted("data", &configmap_description::data), defaulted("labels", &configmap_description::labels)};

template <> inline constexpr auto fields_of<kube_objects> = std::tuple{
    defaulted("statefulsets", &kube_objects::statefulsets), defaulted("services", &kube_objects::services),
    defaulted("pdbs", &kube_objects::pdbs), defaulted("configmap", &kube_objects::configmap)};

// --- status (camelCase, the resource's shape) ----------------------------------------------

template <> inline constexpr auto fields_of<restore_status> = std::tuple{defaulted("phase", &restore_status::phase),
    defaulted("backup", &restore_status::backup)};

template <> inline constexpr auto fields_of<status_node> = std::tuple{defaulted("id", &status_node::id),
    defaulted("role", &status_node::role), defaulted("ip", &status_node::ip), defaulted("port", &status_node::port),
    defaulted("slots", &status_node::slots), defaulted("masterRef", &status_node::master_ref),
    defaulted("podName", &status_node::pod_name), defaulted("nodeName", &status_node::node_name),
    defaulted("statefulSet", &status_node::statefulset)};

template <> inline constexpr auto fields_of<cluster_status> = std::tuple{required("status", &cluster_status::status),
    defaulted("reason", &cluster_status::reason), defaulted("numberOfMaster", &cluster_status::number_of_master),
    defaulted("minReplicationFactor", &cluster_status::min_replication_factor),
    defaulted("maxReplicationFactor", &cluster_status::max_replication_factor),
    defaulted("nodes", &cluster_status::nodes), omitempty("restore", &cluster_status::restore)};


template <> inline constexpr auto fields_of<backup_status> = std::tuple{required("phase", &backup_status::phase),
    omitempty("reason", &backup_status::reason), omitempty("startTime", &backup_status::start_time),
    omitempty("completionTime", &backup_status::completion_time), omitempty("masterSize", &backup_status::master_size),
    omitempty("keys", &backup_status::keys), omitempty("sizeBytes", &backup_status::size_bytes),
    omitempty("location", &backup_status::location)};

}  // namespace rcplan::json_detail

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_KUBE_OBJECTS_RECORDS(X) X(kube_resources) X(storage_description) \
  X(monitor_description) X(statefulset_description) X(service_port) X(service_description) \
  X(pdb_description) X(configmap_description) X(kube_objects) X(restore_status) X(status_node) \
  X(cluster_status) X(backup_status)
namespace rcplan {
RCPLAN_JSON_KUBE_OBJECTS_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
