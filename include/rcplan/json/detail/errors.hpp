#pragma once

// The one set of error helpers of the JSON layer: the same mistake gets the same words wherever
// it is made, and an error's path grows by one segment per level it passes through, so that the
// caller sees `steps[3].action.slots` or `spec.migration.keyBatchSize`.

#include <rcplan/error.hpp>

#include <nlohmann/json.hpp>

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace rcplan::json_detail {

/// The JSON types rcplan writes into. `ordered_json` keeps fields in the documented order
/// (what the CLI prints); `json` sorts them. Either way the output is deterministic.
template <typename J>
concept json_document = std::same_as<J, nlohmann::json> || std::same_as<J, nlohmann::ordered_json>;

/// "expected a string, got number". The offending value is not repeated: it may be a secret.
[[noreturn]] inline void type_mismatch(const nlohmann::json& j, std::string_view expected) {
  throw json_error("", "expected " + std::string(expected) + ", got " + j.type_name());
}

[[noreturn]] inline void missing_field(std::string_view key) {
  throw json_error(std::string(key), "required field is missing");
}

inline void require_object(const nlohmann::json& j) {
  if (!j.is_object()) type_mismatch(j, "an object");
}

/// nlohmann's message without its "[json.exception.type_error.302] " prefix: the sentence.
[[nodiscard]] inline std::string exception_sentence(const nlohmann::json::exception& e) {
  std::string message = e.what();
  if (const auto pos = message.find("] "); pos != std::string::npos) message.erase(0, pos + 2);
  return message;
}

/// Runs `f()`, putting `segment` (a key, or `[i]`) in front of the path of any error it throws.
template <typename F>
auto within(const std::string& segment, F&& f) -> decltype(f()) {
  try {
    return std::forward<F>(f)();
  } catch (const json_error& e) {
    throw e.within(segment);
  } catch (const nlohmann::json::exception& e) {
    throw json_error(segment, exception_sentence(e));
  }
}

/// `[i]`, the path segment of an array element. Appended piecewise: GCC 12 at -O3 raises a
/// false -Wrestrict on `"[" + std::to_string(i)` once inlined into a caller.
[[nodiscard]] inline std::string index_segment(std::size_t i) {
  std::string out = "[";
  out += std::to_string(i);
  out += ']';
  return out;
}

/// Calls `f(element, index)` for each element of the array `j`; errors name the index.
template <typename F>
void for_each_element(const nlohmann::json& j, F&& f) {
  if (!j.is_array()) type_mismatch(j, "an array");
  for (std::size_t i = 0; i < j.size(); ++i) within(index_segment(i), [&] { f(j[i], i); });
}

/// Calls `f(key, member)` for each member of `j`, which must be an object (`expected` says of
/// what, for the error); errors name the key.
template <typename F>
void for_each_member(const nlohmann::json& j, std::string_view expected, F&& f) {
  if (!j.is_object()) type_mismatch(j, expected);
  // no structured binding: Clang 14 cannot capture one in a lambda
  for (const auto& item : j.items()) within(item.key(), [&] { f(item.key(), item.value()); });
}

/// The member `key` of the object `j`, or nullptr when it is absent or null (which mean the same).
[[nodiscard]] inline const nlohmann::json* member_of(const nlohmann::json& j, std::string_view key) {
  const auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace rcplan::json_detail
