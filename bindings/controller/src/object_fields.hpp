#pragma once

// Reading the API server's objects: a string field by JSON pointer, and a resource as the spec
// loaders read it.

#include <nlohmann/json.hpp>

#include <string>

namespace rcplan::controller::detail {

/// The string at `pointer`; empty when it is missing or not a string.
[[nodiscard]] inline std::string text_at(const nlohmann::json& j, const char* pointer) {
  const nlohmann::json::json_pointer at(pointer);
  return j.contains(at) && j[at].is_string() ? j[at].get<std::string>() : std::string{};
}

/// A resource as the loaders (load_cluster_resource, load_backup_resource) read it: kind, name,
/// namespace and spec, without status and the metadata the server keeps.
[[nodiscard]] inline nlohmann::json trimmed(const nlohmann::json& obj) {
  const nlohmann::json meta = obj.value("metadata", nlohmann::json::object());
  return {{"apiVersion", obj.value("apiVersion", "")},
          {"kind", obj.value("kind", "")},
          {"metadata", {{"name", meta.value("name", "")}, {"namespace", meta.value("namespace", "default")}}},
          {"spec", obj.value("spec", nlohmann::json::object())}};
}

}  // namespace rcplan::controller::detail
