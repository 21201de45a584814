#pragma once

// Codecs: how one C++ type is read from and written to JSON. A codec is a type with
//   using type = T;
//   static T read(const nlohmann::json&);            // throws json_error naming the path below
//   template <json_document J> static J write(const T&);
// codec<T> is the default for T; fields name another codec where the JSON differs (a slot
// number, a map keyed by slot, a quantity that may be a bare number).

#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/detail/scalars.hpp>
#include <rcplan/json/detail/value.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace rcplan::json_detail {

/// Types with their own to_json/from_json: records (see record.hpp), enums, ids, slot sets.
template <typename T>
struct codec {
  using type = T;
  [[nodiscard]] static T read(const nlohmann::json& j) {
    T out{};
    from_json(j, out);
    return out;
  }
  template <json_document J>
  [[nodiscard]] static J write(const T& x) {
    return J(x);
  }
};

/// Codecs whose JSON is the one nlohmann writes for `T`, differing only in how they read.
template <typename T, T (*Read)(const nlohmann::json&)>
struct scalar {
  using type = T;
  [[nodiscard]] static T read(const nlohmann::json& j) { return Read(j); }
  template <json_document J>
  [[nodiscard]] static J write(const T& x) {
    return J(x);
  }
};

template <>
struct codec<std::string> : scalar<std::string, read_string> {};
template <>
struct codec<bool> : scalar<bool, read_bool> {};
template <std::integral T>
struct codec<T> : scalar<T, read_integer<T>> {};
template <>
struct codec<double> : scalar<double, read_number> {};

/// A JSON array of `C`'s values; errors name the index.
template <typename C>
struct list_of {
  using type = std::vector<typename C::type>;
  [[nodiscard]] static type read(const nlohmann::json& j) {
    type out;
    for_each_element(j, [&out](const nlohmann::json& e, std::size_t) { out.push_back(C::read(e)); });
    return out;
  }
  template <json_document J>
  [[nodiscard]] static J write(const type& xs) {
    J a = J::array();
    for (const auto& x : xs) a.push_back(C::template write<J>(x));
    return a;
  }
};

/// The spelling of plain string keys.
struct string_key {
  using type = std::string;
  static constexpr const char* expected = "an object";
  [[nodiscard]] static std::string from_key(const std::string& key) { return key; }
  [[nodiscard]] static std::string to_key(const std::string& key) { return key; }
};

/// A JSON object whose keys spell `Key`s and whose members are `C`'s values; errors name the key.
template <typename Key, typename C>
struct keyed_map {
  using type = std::map<typename Key::type, typename C::type>;
  [[nodiscard]] static type read(const nlohmann::json& j) {
    type out;
    for_each_member(j, Key::expected, [&out](const std::string& k, const nlohmann::json& e) {
      auto key = Key::from_key(k);
      out[std::move(key)] = C::read(e);
    });
    return out;
  }
  template <json_document J>
  [[nodiscard]] static J write(const type& m) {
    J o = J::object();
    for (const auto& [k, v] : m) o[Key::to_key(k)] = C::template write<J>(v);
    return o;
  }
};

template <typename C>
using map_of = keyed_map<string_key, C>;

template <typename T>
struct codec<std::vector<T>> : list_of<codec<T>> {};
template <typename T>
struct codec<std::map<std::string, T>> : map_of<codec<T>> {};

/// An opaque Kubernetes object or list: only its outer shape is checked.
template <nlohmann::json::value_t Shape>
struct opaque {
  using type = value;
  [[nodiscard]] static value read(const nlohmann::json& j) {
    if (j.type() != Shape) type_mismatch(j, Shape == nlohmann::json::value_t::object ? "an object" : "an array");
    return value_from_json(j);
  }
  template <json_document J>
  [[nodiscard]] static J write(const value& v) {
    return value_to_json<J>(v);
  }
};

using opaque_object = opaque<nlohmann::json::value_t::object>;
using opaque_array = opaque<nlohmann::json::value_t::array>;

}  // namespace rcplan::json_detail
