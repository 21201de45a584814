#pragma once

// JSON for rcplan::value, the opaque Kubernetes objects the core carries (affinity, env,
// tolerations, unknown fields): written as the JSON they hold, read from any JSON.

#include <rcplan/error.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace rcplan::json_detail {

/// `v` as the JSON it holds, members in their stored order (sorted by nlohmann::json).
template <json_document J>
[[nodiscard]] J value_to_json(const value& v) {
  return std::visit(
      [](const auto& x) -> J {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, value::array>) {
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

/// Numbers keep their kind: integers stay int64 (unsigned ones beyond int64 become doubles),
/// floating-point numbers stay doubles, so 1 and 1.0 are written back as they were read.
[[nodiscard]] inline value value_from_json(const nlohmann::json& j) {
  using t = nlohmann::json::value_t;
  switch (j.type()) {
    case t::null: return value();
    case t::boolean: return value(j.get<bool>());
    case t::number_integer: return value(j.get<std::int64_t>());
    case t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return value(static_cast<std::int64_t>(u));
      return value(static_cast<double>(u));
    }
    case t::number_float: return value(j.get<double>());
    case t::string: return value(j.get<std::string>());
    case t::array: {
      value::array a;
      a.reserve(j.size());
      for_each_element(j, [&a](const nlohmann::json& e, std::size_t) { a.push_back(value_from_json(e)); });
      return value(std::move(a));
    }
    case t::object: {
      value::object o;
      o.reserve(j.size());
      for_each_member(j, "an object", [&o](const std::string& k, const nlohmann::json& e) {
        o.emplace_back(k, value_from_json(e));
      });
      return value(std::move(o));
    }
    default: throw json_error("", std::string("cannot hold a JSON ") + j.type_name());
  }
}

}  // namespace rcplan::json_detail

namespace rcplan {

template <json_detail::json_document J>
void to_json(J& j, const value& v) {
  j = json_detail::value_to_json<J>(v);
}

inline void from_json(const nlohmann::json& j, value& v) { v = json_detail::value_from_json(j); }

}  // namespace rcplan
