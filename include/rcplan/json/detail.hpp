#pragma once

// Internals shared by the to_json/from_json overloads: reading fields so that any error names
// the full JSON path of the offending value.

#include <rcplan/error.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace rcplan::detail {

[[nodiscard]] inline std::string json_type_name(const nlohmann::json& j) { return j.type_name(); }

/// Converts `j` to `T`, turning nlohmann's exceptions into a json_error at this level.
template <typename T>
void json_convert(const nlohmann::json& j, T& out) {
  try {
    j.get_to(out);
  } catch (const json_error&) {
    throw;
  } catch (const nlohmann::json::exception& e) {
    // nlohmann's messages start with "[json.exception.type_error.302] "; keep only the sentence
    std::string msg = e.what();
    if (const auto pos = msg.find("] "); pos != std::string::npos) msg.erase(0, pos + 2);
    throw json_error("", msg);
  }
}

inline void require_object(const nlohmann::json& j) {
  if (!j.is_object()) throw json_error("", "expected an object, got " + json_type_name(j));
}

/// Reads `j[key]` into `out` when present; leaves `out` alone when absent or null.
template <typename T>
bool read_optional(const nlohmann::json& j, std::string_view key, T& out) {
  require_object(j);
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    json_convert(*it, out);
  } catch (const json_error& e) {
    throw e.within(std::string(key));
  }
  return true;
}

/// Reads `j[key]` into `out`; a missing field is an error naming it.
template <typename T>
void read_required(const nlohmann::json& j, std::string_view key, T& out) {
  require_object(j);
  if (!read_optional(j, key, out)) throw json_error(std::string(key), "required field is missing");
}

/// Converts each element of array `j` with `f(element, index)`, naming the index on error.
template <typename F>
void for_each_element(const nlohmann::json& j, F&& f) {
  if (!j.is_array()) throw json_error("", "expected an array, got " + json_type_name(j));
  for (std::size_t i = 0; i < j.size(); ++i) {
    try {
      f(j[i], i);
    } catch (const json_error& e) {
      throw e.within("[" + std::to_string(i) + "]");
    } catch (const nlohmann::json::exception& e) {
      throw json_error("[" + std::to_string(i) + "]", e.what());
    }
  }
}

}  // namespace rcplan::detail
