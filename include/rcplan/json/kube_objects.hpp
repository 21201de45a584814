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

#include <rcplan/error.hpp>
#include <rcplan/json/convert.hpp>
#include <rcplan/json/detail.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::detail {

/// `v` as the JSON it holds, members in their stored order (sorted by nlohmann::json).
template <json_document J>
[[nodiscard]] J value_to_json(const value& v) {
  return std::visit(
      [](const auto& x) -> J {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return J(nullptr);
        } else if constexpr (std::is_same_v<T, value::array>) {
          J a = J::array();
          for (const value& e : x) a.push_back(value_to_json<J>(e));
          return a;
        } else if constexpr (std::is_same_v<T, value::object>) {
          J o = J::object();
          for (const auto& [k, e] : x) o[k] = value_to_json<J>(e);
          return o;
        } else {
          return J(x);
        }
      },
      v.data());
}

template <json_document J>
[[nodiscard]] J string_map_to_json(const std::map<std::string, std::string>& m) {
  J o = J::object();
  for (const auto& [k, v] : m) o[k] = v;
  return o;
}

inline bool read_string_map(const nlohmann::json& j, std::string_view key, std::map<std::string, std::string>& out) {
  return read_optional_with(j, key, out, [](const nlohmann::json& m) {
    if (!m.is_object()) throw json_error("", "expected an object, got " + json_type_name(m));
    std::map<std::string, std::string> entries;
    for (const auto& [k, v] : m.items()) {
      try {
        json_convert(v, entries[k]);
      } catch (const json_error& e) {
        throw e.within(k);
      }
    }
    return entries;
  });
}

inline bool read_value(const nlohmann::json& j, std::string_view key, value& out) {
  require_object(j);
  const auto it = j.find(key);
  if (it == j.end()) return false;
  try {
    rcplan::from_json(*it, out);
  } catch (const json_error& e) {
    throw e.within(std::string(key));
  }
  return true;
}

}  // namespace rcplan::detail

namespace rcplan {

template <detail::json_document J>
void to_json(J& j, const kube_resources& r) {
  j = J::object();
  j["requests"] = detail::string_map_to_json<J>(r.requests);
  j["limits"] = detail::string_map_to_json<J>(r.limits);
}
inline void from_json(const nlohmann::json& j, kube_resources& r) {
  detail::require_object(j);
  kube_resources out;
  detail::read_string_map(j, "requests", out.requests);
  detail::read_string_map(j, "limits", out.limits);
  r = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const storage_description& s) {
  j = J::object();
  j["type"] = s.type;
  j["size"] = s.size;
  j["class_name"] = s.class_name;
  j["delete_claim"] = s.delete_claim;
}
inline void from_json(const nlohmann::json& j, storage_description& s) {
  detail::require_object(j);
  storage_description out;
  detail::read_optional(j, "type", out.type);
  detail::read_optional(j, "size", out.size);
  detail::read_optional(j, "class_name", out.class_name);
  detail::read_optional(j, "delete_claim", out.delete_claim);
  s = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const monitor_description& m) {
  j = J::object();
  j["image"] = m.image;
  j["args"] = m.args;
  j["env"] = detail::value_to_json<J>(m.env);
  j["resources"] = m.resources;
  j["security_context"] = detail::value_to_json<J>(m.security_context);
  j["port"] = m.port;
}
inline void from_json(const nlohmann::json& j, monitor_description& m) {
  detail::require_object(j);
  monitor_description out;
  detail::read_optional(j, "image", out.image);
  detail::read_optional(j, "args", out.args);
  detail::read_value(j, "env", out.env);
  detail::read_optional(j, "resources", out.resources);
  detail::read_value(j, "security_context", out.security_context);
  detail::read_integer(j, "port", out.port);
  m = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const statefulset_description& s) {
  j = J::object();
  j["name"] = s.name;
  j["cluster"] = s.cluster;
  j["shard_index"] = s.shard_index;
  j["replicas"] = s.replicas;
  j["service_name"] = s.service_name;
  j["image"] = s.image;
  j["image_pull_policy"] = s.image_pull_policy;
  j["image_pull_secrets"] = s.image_pull_secrets;
  j["command"] = s.command;
  j["env"] = detail::value_to_json<J>(s.env);
  j["resources"] = s.resources;
  j["storage"] = s.storage;
  j["affinity"] = detail::value_to_json<J>(s.affinity);
  j["tolerations"] = detail::value_to_json<J>(s.tolerations);
  j["node_selector"] = detail::string_map_to_json<J>(s.node_selector);
  j["labels"] = detail::string_map_to_json<J>(s.labels);
  j["annotations"] = detail::string_map_to_json<J>(s.annotations);
  j["security_context"] = detail::value_to_json<J>(s.security_context);
  j["container_security_context"] = detail::value_to_json<J>(s.container_security_context);
  j["password_secret"] = s.password_secret;
  if (s.monitor) j["monitor"] = *s.monitor;
  j["update_strategy"] = s.update_strategy;
  j["config_map"] = s.config_map;
}
inline void from_json(const nlohmann::json& j, statefulset_description& s) {
  detail::require_object(j);
  statefulset_description out;
  detail::read_required(j, "name", out.name);
  detail::read_optional(j, "cluster", out.cluster);
  detail::read_integer(j, "shard_index", out.shard_index);
  detail::read_integer(j, "replicas", out.replicas);
  detail::read_optional(j, "service_name", out.service_name);
  detail::read_optional(j, "image", out.image);
  detail::read_optional(j, "image_pull_policy", out.image_pull_policy);
  detail::read_optional(j, "image_pull_secrets", out.image_pull_secrets);
  detail::read_optional(j, "command", out.command);
  detail::read_value(j, "env", out.env);
  detail::read_optional(j, "resources", out.resources);
  detail::read_optional(j, "storage", out.storage);
  detail::read_value(j, "affinity", out.affinity);
  detail::read_value(j, "tolerations", out.tolerations);
  detail::read_string_map(j, "node_selector", out.node_selector);
  detail::read_string_map(j, "labels", out.labels);
  detail::read_string_map(j, "annotations", out.annotations);
  detail::read_value(j, "security_context", out.security_context);
  detail::read_value(j, "container_security_context", out.container_security_context);
  detail::read_optional(j, "password_secret", out.password_secret);
  monitor_description m;
  if (detail::read_optional(j, "monitor", m)) out.monitor = std::move(m);
  detail::read_optional(j, "update_strategy", out.update_strategy);
  detail::read_optional(j, "config_map", out.config_map);
  s = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const service_port& p) {
  j = J::object();
  j["name"] = p.name;
  j["port"] = p.port;
}
inline void from_json(const nlohmann::json& j, service_port& p) {
  detail::require_object(j);
  service_port out;
  detail::read_optional(j, "name", out.name);
  detail::read_required_integer(j, "port", out.port);
  p = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const service_description& s) {
  j = J::object();
  j["name"] = s.name;
  j["cluster"] = s.cluster;
  j["headless"] = s.headless;
  j["shard_index"] = s.shard_index;
  j["ports"] = s.ports;
  j["selector"] = detail::string_map_to_json<J>(s.selector);
  j["labels"] = detail::string_map_to_json<J>(s.labels);
}
inline void from_json(const nlohmann::json& j, service_description& s) {
  detail::require_object(j);
  service_description out;
  detail::read_required(j, "name", out.name);
  detail::read_optional(j, "cluster", out.cluster);
  detail::read_optional(j, "headless", out.headless);
  detail::read_integer(j, "shard_index", out.shard_index);
  detail::read_array(j, "ports", out.ports);
  detail::read_string_map(j, "selector", out.selector);
  detail::read_string_map(j, "labels", out.labels);
  s = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const pdb_description& p) {
  j = J::object();
  j["name"] = p.name;
  j["cluster"] = p.cluster;
  j["shard_index"] = p.shard_index;
  j["max_unavailable"] = p.max_unavailable;
  j["selector"] = detail::string_map_to_json<J>(p.selector);
  j["labels"] = detail::string_map_to_json<J>(p.labels);
}
inline void from_json(const nlohmann::json& j, pdb_description& p) {
  detail::require_object(j);
  pdb_description out;
  detail::read_required(j, "name", out.name);
  detail::read_optional(j, "cluster", out.cluster);
  detail::read_integer(j, "shard_index", out.shard_index);
  detail::read_integer(j, "max_unavailable", out.max_unavailable);
  detail::read_string_map(j, "selector", out.selector);
  detail::read_string_map(j, "labels", out.labels);
  p = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const configmap_description& c) {
  j = J::object();
  j["name"] = c.name;
  j["cluster"] = c.cluster;
  j["data"] = detail::string_map_to_json<J>(c.data);
  j["labels"] = detail::string_map_to_json<J>(c.labels);
}
inline void from_json(const nlohmann::json& j, configmap_description& c) {
  detail::require_object(j);
  configmap_description out;
  detail::read_required(j, "name", out.name);
  detail::read_optional(j, "cluster", out.cluster);
  detail::read_string_map(j, "data", out.data);
  detail::read_string_map(j, "labels", out.labels);
  c = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const kube_objects& o) {
  j = J::object();
  j["statefulsets"] = o.statefulsets;
  j["services"] = o.services;
  j["pdbs"] = o.pdbs;
  j["configmap"] = o.configmap;
}
inline void from_json(const nlohmann::json& j, kube_objects& o) {
  detail::require_object(j);
  kube_objects out;
  detail::read_array(j, "statefulsets", out.statefulsets);
  detail::read_array(j, "services", out.services);
  detail::read_array(j, "pdbs", out.pdbs);
  detail::read_optional(j, "configmap", out.configmap);
  o = std::move(out);
}

// --- status (camelCase, the resource's shape) ----------------------------------------------

template <detail::json_document J>
void to_json(J& j, const status_node& n) {
  j = J::object();
  j["id"] = n.id;
  j["role"] = n.role;
  j["ip"] = n.ip;
  j["port"] = n.port;
  j["slots"] = n.slots;
  j["masterRef"] = n.master_ref;
  j["podName"] = n.pod_name;
  j["nodeName"] = n.node_name;
  j["statefulSet"] = n.statefulset;
}
inline void from_json(const nlohmann::json& j, status_node& n) {
  detail::require_object(j);
  status_node out;
  detail::read_optional(j, "id", out.id);
  detail::read_optional(j, "role", out.role);
  detail::read_optional(j, "ip", out.ip);
  detail::read_optional(j, "port", out.port);
  detail::read_optional(j, "slots", out.slots);
  detail::read_optional(j, "masterRef", out.master_ref);
  detail::read_optional(j, "podName", out.pod_name);
  detail::read_optional(j, "nodeName", out.node_name);
  detail::read_optional(j, "statefulSet", out.statefulset);
  n = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const cluster_status& s) {
  j = J::object();
  j["status"] = s.status;
  j["reason"] = s.reason;
  j["numberOfMaster"] = s.number_of_master;
  j["minReplicationFactor"] = s.min_replication_factor;
  j["maxReplicationFactor"] = s.max_replication_factor;
  j["nodes"] = s.nodes;
}
inline void from_json(const nlohmann::json& j, cluster_status& s) {
  detail::require_object(j);
  cluster_status out;
  detail::read_required(j, "status", out.status);
  detail::read_optional(j, "reason", out.reason);
  detail::read_integer(j, "numberOfMaster", out.number_of_master);
  detail::read_integer(j, "minReplicationFactor", out.min_replication_factor);
  detail::read_integer(j, "maxReplicationFactor", out.max_replication_factor);
  detail::read_array(j, "nodes", out.nodes);
  s = std::move(out);
}

}  // namespace rcplan
