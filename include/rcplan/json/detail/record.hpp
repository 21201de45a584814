#pragma once

// Records: one declarative description per struct drives both directions. A description is a
// specialisation of `fields_of<T>` listing the JSON fields in output order:
//
//   template <>
//   inline constexpr auto fields_of<open_slot> = std::tuple{
//       required("number", &open_slot::number, slot_number{}), required("dir", &open_slot::dir), ...};
//
// A field is `required` (absent or null is an error naming it), `defaulted` (absent or null
// leaves the struct's default; always written) or `omitempty` (like defaulted, and left out
// when it equals the default, as Go's `omitempty` tag does). `constant` writes a fixed string
// and, when present, checks it (an action's "type", a resource's "kind").
//
// A struct with a `value unknown_fields` member keeps there the members nobody knows (written
// first, so known members win); other structs ignore unknown members. `record_hooks<T>` may add
//   after_read(j, x) checks that span fields, run after every field is read
//   for_writing(x)   the struct as it is to be written (e.g. a secret replaced by a placeholder)

#include <rcplan/config.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/detail/scalars.hpp>
#include <rcplan/json/detail/value.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

namespace rcplan::json_detail {

enum class presence : std::uint8_t { required, defaulted, omitempty };

template <typename M>
struct unwrap_optional {
  using type = M;
};
template <typename M>
struct unwrap_optional<std::optional<M>> {
  using type = M;
};

template <typename M>
inline constexpr bool is_optional = false;
template <typename M>
inline constexpr bool is_optional<std::optional<M>> = true;

/// A member of `T` written as JSON field `name` by codec `C` (for an optional member, `C` is the
/// codec of the value inside).
template <typename T, typename M, typename C>
struct field {
  std::string_view name;
  M T::*member;
  presence mode;
  std::string_view alias{};  ///< a second spelling, read but never written

  [[nodiscard]] constexpr field also_read_as(std::string_view other) const {
    field f = *this;
    f.alias = other;
    return f;
  }
};

template <typename T, typename M, typename C = codec<typename unwrap_optional<M>::type>>
[[nodiscard]] constexpr field<T, M, C> required(std::string_view name, M T::*member, C = {}) {
  return {name, member, presence::required};
}

template <typename T, typename M, typename C = codec<typename unwrap_optional<M>::type>>
[[nodiscard]] constexpr field<T, M, C> defaulted(std::string_view name, M T::*member, C = {}) {
  return {name, member, presence::defaulted};
}

template <typename T, typename M, typename C = codec<typename unwrap_optional<M>::type>>
[[nodiscard]] constexpr field<T, M, C> omitempty(std::string_view name, M T::*member, C = {}) {
  return {name, member, presence::omitempty};
}

struct constant_field {
  std::string_view name;
  std::string_view text;
};

[[nodiscard]] constexpr constant_field constant(std::string_view name, std::string_view text) {
  return {name, text};
}

/// Specialised for every record; see the top of this file.
template <typename T>
inline constexpr std::nullptr_t fields_of = nullptr;

template <typename T>
concept described = !std::is_same_v<std::remove_cv_t<decltype(fields_of<T>)>, std::nullptr_t>;

template <typename T>
concept keeps_unknown = requires(T& x) {
  { x.unknown_fields } -> std::same_as<value&>;
};

/// Checks and rewrites beyond single fields; see the top of this file.
template <typename T>
struct record_hooks {};

// --- reading ----------------------------------------------------------------------------

template <typename T, typename M, typename C>
void read_field(const nlohmann::json& j, T& out, const field<T, M, C>& f) {
  const nlohmann::json* e = member_of(j, f.name);
  std::string_view key = f.name;
  if (!f.alias.empty()) {
    if (const nlohmann::json* other = member_of(j, f.alias)) {
      if (e != nullptr)
        throw json_error(std::string(f.alias), "both " + std::string(f.name) + " and " + std::string(f.alias) +
                                                   " are given; write only one");
      e = other;
      key = f.alias;
    }
  }
  if (e == nullptr) {
    if (f.mode == presence::required) missing_field(f.name);
    return;
  }
  within(std::string(key), [&] { out.*f.member = C::read(*e); });
}

template <typename T>
void read_field(const nlohmann::json& j, T&, const constant_field& f) {
  const nlohmann::json* e = member_of(j, f.name);
  if (e == nullptr) return;
  within(std::string(f.name), [&] {
    const std::string text = read_string(*e);
    if (text != f.text) throw json_error("", "expected \"" + std::string(f.text) + "\", got \"" + text + "\"");
  });
}

template <typename T, typename M, typename C>
[[nodiscard]] constexpr bool names(const field<T, M, C>& f, std::string_view key) {
  return f.name == key || (!f.alias.empty() && f.alias == key);
}

[[nodiscard]] constexpr bool names(const constant_field& f, std::string_view key) { return f.name == key; }

/// The members of `j` no field names, or null when there are none (so that a struct read from
/// JSON compares equal to one built in code).
template <typename Fields>
[[nodiscard]] value unknown_members(const nlohmann::json& j, const Fields& fields) {
  value out;
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    const bool known = std::apply([&key](const auto&... f) { return (names(f, key) || ...); }, fields);
    if (!known) out.set(key, within(key, [&item] { return value_from_json(item.value()); }));
  }
  return out;
}

template <described T>
[[nodiscard]] T read_record(const nlohmann::json& j) {
  require_object(j);
  T out{};
  std::apply([&](const auto&... f) { (read_field(j, out, f), ...); }, fields_of<T>);
  if constexpr (keeps_unknown<T>) out.unknown_fields = unknown_members(j, fields_of<T>);
  if constexpr (requires { record_hooks<T>::after_read(j, out); }) record_hooks<T>::after_read(j, out);
  return out;
}

// --- writing ----------------------------------------------------------------------------

template <json_document J, typename T, typename M, typename C>
void write_field(J& j, const T& x, const field<T, M, C>& f) {
  const M& v = x.*f.member;
  if (f.mode == presence::omitempty && v == M{}) return;
  auto& out = j[std::string(f.name)];
  if constexpr (is_optional<M>)
    out = v ? C::template write<J>(*v) : J(nullptr);
  else
    out = C::template write<J>(v);
}

template <json_document J, typename T>
void write_field(J& j, const T&, const constant_field& f) {
  j[std::string(f.name)] = std::string(f.text);
}

template <json_document J, described T>
[[nodiscard]] J write_fields(const T& x) {
  J j = J::object();
  if constexpr (keeps_unknown<T>) {
    if (x.unknown_fields.is_object())
      for (const auto& [k, e] : x.unknown_fields.as_object()) j[k] = value_to_json<J>(e);
  }
  std::apply([&](const auto&... f) { (write_field(j, x, f), ...); }, fields_of<T>);
  return j;
}

template <json_document J, described T>
[[nodiscard]] J write_record(const T& x) {
  if constexpr (requires { record_hooks<T>::for_writing(x); })
    return write_fields<J>(record_hooks<T>::for_writing(x));
  else
    return write_fields<J>(x);
}

}  // namespace rcplan::json_detail

namespace rcplan {

// Every described record converts through its shape; found by ADL from nlohmann/json.
template <json_detail::json_document J, json_detail::described T>
void to_json(J& j, const T& x) {
  j = json_detail::write_record<J>(x);
}

template <json_detail::described T>
void from_json(const nlohmann::json& j, T& x) {
  x = json_detail::read_record<T>(j);
}

}  // namespace rcplan

// Under rcplan::compiled (config.hpp) the records' conversions are compiled once, in the library:
// each JSON header lists its records in an X-macro and declares their conversions with
// RCPLAN_JSON_COMPILED, so a translation unit that converts one calls it instead of instantiating
// the whole record machinery again; src/compiled/ defines them with RCPLAN_JSON_INSTANTIATE.
// Inside namespace rcplan.
#define RCPLAN_JSON_CONVERSIONS(prefix, T)                                                   \
  prefix template void to_json<nlohmann::json, T>(nlohmann::json&, const T&);               \
  prefix template void to_json<nlohmann::ordered_json, T>(nlohmann::ordered_json&, const T&); \
  prefix template void from_json<T>(const nlohmann::json&, T&);
#define RCPLAN_JSON_INSTANTIATE(T) RCPLAN_JSON_CONVERSIONS(, T)
#if RCPLAN_HEADER_ONLY
#define RCPLAN_JSON_COMPILED(T)
#else
#define RCPLAN_JSON_COMPILED(T) RCPLAN_JSON_CONVERSIONS(extern, T)
#endif
