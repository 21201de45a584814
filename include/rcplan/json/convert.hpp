#pragma once

// Building blocks of the to_json/from_json overloads, next to the field readers of
// <rcplan/json/detail.hpp>: checked integers, enums written as snake_case strings, and arrays
// whose errors name the offending index.

#include <rcplan/error.hpp>
#include <rcplan/json/detail.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan::detail {

/// The JSON types rcplan writes into. `ordered_json` keeps fields in the documented order
/// (what the CLI prints); `json` sorts them. Either way the output is deterministic.
template <typename J>
concept json_document = std::same_as<J, nlohmann::json> || std::same_as<J, nlohmann::ordered_json>;

/// Converts a JSON integer to `T`, refusing fractions and values `T` cannot hold: nlohmann's
/// own conversion truncates silently, and a wrapped port or slot count would be a wrong plan.
template <std::integral T>
[[nodiscard]] T integer_from_json(const nlohmann::json& j) {
  if (j.is_number_unsigned()) {
    const auto v = j.get<std::uint64_t>();
    if (!std::in_range<T>(v))
      throw json_error("", std::to_string(v) + " is out of range " +
                               std::to_string(std::numeric_limits<T>::min()) + ".." +
                               std::to_string(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  }
  if (j.is_number_integer()) {
    const auto v = j.get<std::int64_t>();
    if (!std::in_range<T>(v))
      throw json_error("", std::to_string(v) + " is out of range " +
                               std::to_string(std::numeric_limits<T>::min()) + ".." +
                               std::to_string(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  }
  if (j.is_number_float()) throw json_error("", "expected an integer, got " + j.dump());
  throw json_error("", "expected an integer, got " + json_type_name(j));
}

/// Like read_optional, but converting with `convert(value)`.
template <typename T, typename F>
bool read_optional_with(const nlohmann::json& j, std::string_view key, T& out, F&& convert) {
  require_object(j);
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    out = convert(*it);
  } catch (const json_error& e) {
    throw e.within(std::string(key));
  }
  return true;
}

template <typename T, typename F>
void read_required_with(const nlohmann::json& j, std::string_view key, T& out, F&& convert) {
  if (!read_optional_with(j, key, out, std::forward<F>(convert)))
    throw json_error(std::string(key), "required field is missing");
}

template <std::integral T>
bool read_integer(const nlohmann::json& j, std::string_view key, T& out) {
  return read_optional_with(j, key, out, [](const nlohmann::json& v) { return integer_from_json<T>(v); });
}

template <std::integral T>
void read_required_integer(const nlohmann::json& j, std::string_view key, T& out) {
  read_required_with(j, key, out, [](const nlohmann::json& v) { return integer_from_json<T>(v); });
}

/// Converts every element of array `j`; an error names the element's index.
template <typename T>
[[nodiscard]] std::vector<T> array_from_json(const nlohmann::json& j) {
  std::vector<T> out;
  for_each_element(j, [&](const nlohmann::json& element, std::size_t) {
    T value{};
    json_convert(element, value);
    out.push_back(std::move(value));
  });
  return out;
}

/// Reads the array `j[key]` when present; an error names `key[index]`.
template <typename T>
bool read_array(const nlohmann::json& j, std::string_view key, std::vector<T>& out) {
  return read_optional_with(j, key, out, [](const nlohmann::json& v) { return array_from_json<T>(v); });
}

/// Snake_case names of an enum's values; specialised next to each enum's to_json/from_json.
template <typename E>
struct json_enum;

template <typename E>
[[nodiscard]] std::string_view enum_to_string(E value) {
  for (const auto& [v, name] : json_enum<E>::names)
    if (v == value) return name;
  // Only reachable with a value cast from an integer outside the enum.
  return "unknown";
}

template <typename E>
[[nodiscard]] E enum_from_json(const nlohmann::json& j) {
  if (!j.is_string()) throw json_error("", "expected a string, got " + json_type_name(j));
  const auto& text = j.get_ref<const std::string&>();
  std::string accepted;
  for (const auto& [v, name] : json_enum<E>::names) {
    if (name == text) return v;
    accepted += accepted.empty() ? "" : ", ";
    accepted += name;
  }
  throw json_error("", "unknown value \"" + text + "\"; expected one of: " + accepted);
}

}  // namespace rcplan::detail
