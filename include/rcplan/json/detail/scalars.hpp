#pragma once

// Strict readers of JSON scalars (a string where a bool belongs is an error, an integer never
// wraps or truncates) and of names: enum values and flags spelled as strings.

#include <rcplan/error.hpp>
#include <rcplan/json/detail/errors.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace rcplan::json_detail {

[[nodiscard]] inline std::string read_string(const nlohmann::json& j) {
  if (!j.is_string()) type_mismatch(j, "a string");
  return j.get<std::string>();
}

[[nodiscard]] inline bool read_bool(const nlohmann::json& j) {
  if (!j.is_boolean()) type_mismatch(j, "true or false");
  return j.get<bool>();
}

[[nodiscard]] inline double read_number(const nlohmann::json& j) {
  if (!j.is_number()) type_mismatch(j, "a number");
  return j.get<double>();
}

/// Refuses fractions and values `T` cannot hold: nlohmann's own conversion truncates silently,
/// and a wrapped port or slot count would be a wrong plan.
template <std::integral T>
[[nodiscard]] T read_integer(const nlohmann::json& j) {
  if (j.is_number_float()) throw json_error("", "expected an integer, got " + j.dump());
  if (!j.is_number()) type_mismatch(j, "an integer");
  const auto checked = [&j](auto v) {
    if (!std::in_range<T>(v))
      throw json_error("", j.dump() + " is out of range " + std::to_string(std::numeric_limits<T>::min()) + ".." +
                               std::to_string(std::numeric_limits<T>::max()));
    return static_cast<T>(v);
  };
  return j.is_number_unsigned() ? checked(j.get<std::uint64_t>()) : checked(j.get<std::int64_t>());
}

/// A table of spellings: enum values, or flags as member pointers.
template <typename V, std::size_t N>
using name_table = std::array<std::pair<V, std::string_view>, N>;

/// The entry spelled `text`, or an error listing every spelling accepted.
template <typename V, std::size_t N>
[[nodiscard]] V named(const name_table<V, N>& names, const std::string& text) {
  std::string accepted;
  for (const auto& [v, name] : names) {
    if (name == text) return v;
    accepted += accepted.empty() ? "" : ", ";
    accepted += name;
  }
  throw json_error("", "unknown value \"" + text + "\"; expected one of: " + accepted);
}

/// The spellings of an enum's values (a name_table), specialised where the enum's JSON is described.
template <typename E>
inline constexpr std::nullptr_t enum_names = nullptr;

template <typename E>
concept named_enum = std::is_enum_v<E> && !std::is_same_v<std::remove_cv_t<decltype(enum_names<E>)>, std::nullptr_t>;

template <named_enum E>
[[nodiscard]] std::string enum_name(E value) {
  for (const auto& [v, name] : enum_names<E>)
    if (v == value) return std::string(name);
  // Only reachable with a value cast from an integer outside the enum.
  return "unknown";
}

template <named_enum E>
[[nodiscard]] E read_enum(const nlohmann::json& j) {
  return named(enum_names<E>, read_string(j));
}

}  // namespace rcplan::json_detail

namespace rcplan {

// Enums with names are written as strings. One overload per document type, because nlohmann's
// own (an enum as its number) is then the less specialised one.
template <json_detail::named_enum E>
void to_json(nlohmann::json& j, E v) {
  j = json_detail::enum_name(v);
}

template <json_detail::named_enum E>
void to_json(nlohmann::ordered_json& j, E v) {
  j = json_detail::enum_name(v);
}

template <json_detail::named_enum E>
void from_json(const nlohmann::json& j, E& v) {
  v = json_detail::read_enum<E>(j);
}

}  // namespace rcplan
