#pragma once

// An opaque JSON-like value. The core carries Kubernetes objects it does not interpret
// (affinity, tolerations, env, securityContext, unknown fields) so that a spec survives a
// round trip unchanged, without the core depending on a JSON library.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan {

class value {
 public:
  using array = std::vector<value>;
  /// Insertion-ordered: output order is exactly the order of the members, never a hash order.
  using object = std::vector<std::pair<std::string, value>>;
  using storage = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, array, object>;

  value() noexcept {}  // user-provided: Clang 14 deems a defaulted one not default-constructible through the recursive variant
  value(std::nullptr_t) {}
  value(bool b) : data_(b) {}
  value(std::int64_t i) : data_(i) {}
  value(int i) : data_(std::int64_t{i}) {}
  value(double d) : data_(d) {}
  value(std::string s) : data_(std::move(s)) {}
  value(const char* s) : data_(std::string(s)) {}
  value(array a) : data_(std::move(a)) {}
  value(object o) : data_(std::move(o)) {}

  [[nodiscard]] static value make_array() { return value(array{}); }
  [[nodiscard]] static value make_object() { return value(object{}); }

  [[nodiscard]] bool is_null() const noexcept { return std::holds_alternative<std::nullptr_t>(data_); }
  [[nodiscard]] bool is_bool() const noexcept { return std::holds_alternative<bool>(data_); }
  [[nodiscard]] bool is_int() const noexcept { return std::holds_alternative<std::int64_t>(data_); }
  [[nodiscard]] bool is_double() const noexcept { return std::holds_alternative<double>(data_); }
  [[nodiscard]] bool is_string() const noexcept { return std::holds_alternative<std::string>(data_); }
  [[nodiscard]] bool is_array() const noexcept { return std::holds_alternative<array>(data_); }
  [[nodiscard]] bool is_object() const noexcept { return std::holds_alternative<object>(data_); }

  /// Accessors throw std::bad_variant_access on the wrong kind, like std::get.
  [[nodiscard]] bool as_bool() const { return std::get<bool>(data_); }
  [[nodiscard]] std::int64_t as_int() const { return std::get<std::int64_t>(data_); }
  [[nodiscard]] double as_double() const { return std::get<double>(data_); }
  [[nodiscard]] const std::string& as_string() const { return std::get<std::string>(data_); }
  [[nodiscard]] const array& as_array() const { return std::get<array>(data_); }
  [[nodiscard]] array& as_array() { return std::get<array>(data_); }
  [[nodiscard]] const object& as_object() const { return std::get<object>(data_); }
  [[nodiscard]] object& as_object() { return std::get<object>(data_); }

  [[nodiscard]] const storage& data() const noexcept { return data_; }

  /// Null and empty containers count as empty; an object holding only nulls does not.
  [[nodiscard]] bool empty() const noexcept {
    if (is_null()) return true;
    if (const auto* a = std::get_if<array>(&data_)) return a->empty();
    if (const auto* o = std::get_if<object>(&data_)) return o->empty();
    return false;
  }

  /// The member named `key` of an object, or nullptr (also when this is not an object).
  [[nodiscard]] const value* find(std::string_view key) const noexcept {
    const auto* o = std::get_if<object>(&data_);
    if (o == nullptr) return nullptr;
    for (const auto& [k, v] : *o)
      if (k == key) return &v;
    return nullptr;
  }

  /// Sets member `key`, replacing it in place if present (keeping its position) or appending.
  /// A null value first becomes an empty object.
  value& set(std::string key, value v) {
    if (is_null()) data_ = object{};
    auto& o = as_object();
    for (auto& [k, existing] : o)
      if (k == key) return existing = std::move(v);
    o.emplace_back(std::move(key), std::move(v));
    return o.back().second;
  }

  /// Structural: member order matters, and 1 (an integer) differs from 1.0 (a double).
  friend bool operator==(const value&, const value&) = default;

 private:
  storage data_{nullptr};
};

}  // namespace rcplan
