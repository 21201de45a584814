#pragma once

// to_json/from_json for the desired spec and the two resources, and loaders that accept what
// users write: a whole resource (apiVersion, kind, metadata, spec) or a bare spec.
//
// Reading is strict about types (a string where a bool belongs is an error naming the exact
// path, like `spec.storage.deleteClaim`) and lenient about names: members nobody knows are
// kept in `unknown_fields` and written back. Writing omits what is unset, the way the original
// operator's `omitempty` tags do, and is deterministic byte for byte: object members come out
// sorted by key.

#include <rcplan/error.hpp>
#include <rcplan/json/detail.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan {

// --- value ---------------------------------------------------------------------------------

inline void to_json(nlohmann::json& j, const value& v) {
  std::visit(
      [&j](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          j = nullptr;
        } else if constexpr (std::is_same_v<T, value::array>) {
          j = nlohmann::json::array();
          for (const auto& e : x) {
            nlohmann::json ej;
            to_json(ej, e);
            j.push_back(std::move(ej));
          }
        } else if constexpr (std::is_same_v<T, value::object>) {
          j = nlohmann::json::object();
          for (const auto& [k, e] : x) to_json(j[k], e);
        } else {
          j = x;
        }
      },
      v.data());
}

/// Numbers keep their kind: integers stay int64 (unsigned ones beyond int64 become doubles),
/// floating-point numbers stay doubles, so 1 and 1.0 are written back as they were read.
inline void from_json(const nlohmann::json& j, value& v) {
  switch (j.type()) {
    case nlohmann::json::value_t::null: v = value(); return;
    case nlohmann::json::value_t::boolean: v = value(j.get<bool>()); return;
    case nlohmann::json::value_t::number_integer: v = value(j.get<std::int64_t>()); return;
    case nlohmann::json::value_t::number_unsigned: {
      const auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        v = value(static_cast<std::int64_t>(u));
      else
        v = value(static_cast<double>(u));
      return;
    }
    case nlohmann::json::value_t::number_float: v = value(j.get<double>()); return;
    case nlohmann::json::value_t::string: v = value(j.get<std::string>()); return;
    case nlohmann::json::value_t::array: {
      value::array a;
      a.reserve(j.size());
      detail::for_each_element(j, [&a](const nlohmann::json& e, std::size_t) {
        value ev;
        from_json(e, ev);
        a.push_back(std::move(ev));
      });
      v = value(std::move(a));
      return;
    }
    case nlohmann::json::value_t::object: {
      value::object o;
      o.reserve(j.size());
      for (const auto& [k, e] : j.items()) {
        value ev;
        try {
          from_json(e, ev);
        } catch (const json_error& err) {
          throw err.within(k);
        }
        o.emplace_back(k, std::move(ev));
      }
      v = value(std::move(o));
      return;
    }
    default: throw json_error("", std::string("cannot hold a JSON ") + j.type_name());
  }
}

namespace detail::spec_json {

using json = nlohmann::json;

[[noreturn]] inline void type_mismatch(const json& j, std::string_view expected) {
  std::string got = j.type_name();
  if (j.is_number() || j.is_boolean()) got += " " + j.dump();
  throw json_error("", "expected " + std::string(expected) + ", got " + got);
}

/// Calls `f(member)` when `j[key]` is present and not null; errors get `key` in front.
template <typename F>
bool with_member(const json& j, std::string_view key, F&& f) {
  require_object(j);
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return false;
  try {
    f(*it);
  } catch (const json_error& e) {
    throw e.within(std::string(key));
  }
  return true;
}

[[nodiscard]] inline std::string as_string(const json& j) {
  if (!j.is_string()) type_mismatch(j, "a string");
  return j.get<std::string>();
}

[[nodiscard]] inline bool as_bool(const json& j) {
  if (!j.is_boolean()) type_mismatch(j, "true or false");
  return j.get<bool>();
}

[[nodiscard]] inline std::int32_t as_int32(const json& j) {
  if (!j.is_number_integer()) type_mismatch(j, "an integer");
  if (j.is_number_unsigned()) {
    const auto u = j.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
      throw json_error("", "integer " + j.dump() + " is out of range");
    return static_cast<std::int32_t>(u);
  }
  const auto i = j.get<std::int64_t>();
  if (i < std::numeric_limits<std::int32_t>::min() || i > std::numeric_limits<std::int32_t>::max())
    throw json_error("", "integer " + j.dump() + " is out of range");
  return static_cast<std::int32_t>(i);
}

[[nodiscard]] inline double as_number(const json& j) {
  if (!j.is_number()) type_mismatch(j, "a number");
  return j.get<double>();
}

/// Kubernetes accepts quantities as strings or bare numbers; both are kept as text.
[[nodiscard]] inline std::string as_quantity(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_number()) return j.dump();
  type_mismatch(j, "a quantity (a string like \"10Gi\" or a number)");
}

[[nodiscard]] inline std::vector<std::string> as_string_list(const json& j) {
  std::vector<std::string> out;
  for_each_element(j, [&out](const json& e, std::size_t) { out.push_back(as_string(e)); });
  return out;
}

/// `scalar_as_text` is for redis.conf values, which are text to Redis: `maxmemory-samples: 5`
/// is read as "5" rather than rejected.
template <typename Convert>
[[nodiscard]] std::map<std::string, std::string> as_map(const json& j, Convert convert) {
  if (!j.is_object()) type_mismatch(j, "an object");
  std::map<std::string, std::string> out;
  for (const auto& [k, e] : j.items()) {
    try {
      out.emplace(k, convert(e));
    } catch (const json_error& err) {
      throw err.within(k);
    }
  }
  return out;
}

[[nodiscard]] inline std::map<std::string, std::string> as_string_map(const json& j) {
  return as_map(j, [](const json& e) { return as_string(e); });
}

[[nodiscard]] inline std::string as_config_text(const json& e) {
  if (e.is_string()) return e.get<std::string>();
  if (e.is_number() || e.is_boolean()) return e.dump();
  type_mismatch(e, "a string");
}

/// An opaque Kubernetes object or list: only its outer shape is checked.
[[nodiscard]] inline value as_opaque(const json& j, json::value_t shape) {
  if (shape == json::value_t::object && !j.is_object()) type_mismatch(j, "an object");
  if (shape == json::value_t::array && !j.is_array()) type_mismatch(j, "an array");
  value v;
  rcplan::from_json(j, v);
  return v;
}

/// The members of `j` not named in `known`, or null when there are none (so that a struct
/// read from JSON compares equal to one built in code).
[[nodiscard]] inline value unknown_members(const json& j, std::initializer_list<std::string_view> known) {
  value out;
  for (const auto& [k, e] : j.items()) {
    if (std::find(known.begin(), known.end(), std::string_view{k}) != known.end()) continue;
    value ev;
    try {
      rcplan::from_json(e, ev);
    } catch (const json_error& err) {
      throw err.within(k);
    }
    out.set(k, std::move(ev));
  }
  return out;
}

/// Starts an object with the unknown members; known members written after them win.
[[nodiscard]] inline json object_with(const value& unknown) {
  json j = json::object();
  if (unknown.is_object())
    for (const auto& [k, e] : unknown.as_object()) rcplan::to_json(j[k], e);
  return j;
}

inline void put_string(json& j, const char* key, const std::string& s) {
  if (!s.empty()) j[key] = s;
}
inline void put_map(json& j, const char* key, const std::map<std::string, std::string>& m) {
  if (!m.empty()) j[key] = m;
}
inline void put_list(json& j, const char* key, const std::vector<std::string>& l) {
  if (!l.empty()) j[key] = l;
}
inline void put_value(json& j, const char* key, const value& v) {
  if (!v.is_null()) rcplan::to_json(j[key], v);
}

template <typename T>
[[nodiscard]] std::optional<T> read_struct(const json& j, std::string_view key) {
  T out{};
  if (!read_optional(j, key, out)) return std::nullopt;
  return out;
}

template <typename T>
void put_struct(json& j, const char* key, const std::optional<T>& s) {
  if (s) j[key] = *s;
}

template <typename Enum, std::size_t N>
[[nodiscard]] Enum as_enum(const json& j, const std::pair<Enum, const char*> (&names)[N]) {
  if (j.is_string()) {
    const auto s = j.get<std::string>();
    for (const auto& [e, name] : names)
      if (s == name) return e;
  }
  std::string expected = "one of";
  for (std::size_t i = 0; i < N; ++i) expected += std::string(i == 0 ? " " : ", ") + names[i].second;
  if (j.is_string()) throw json_error("", "\"" + j.get<std::string>() + "\" is not " + expected);
  type_mismatch(j, expected);
}

template <typename Enum, std::size_t N>
[[nodiscard]] const char* enum_name(Enum e, const std::pair<Enum, const char*> (&names)[N]) {
  for (const auto& [v, name] : names)
    if (v == e) return name;
  return names[0].second;
}

inline constexpr std::pair<spread_domain, const char*> spread_names[] = {
    {spread_domain::none, "none"},
    {spread_domain::host, "host"},
    {spread_domain::zone, "zone"},
    {spread_domain::host_and_zone, "hostAndZone"}};
inline constexpr std::pair<placement_mode, const char*> mode_names[] = {
    {placement_mode::preferred, "preferred"}, {placement_mode::required, "required"}};
inline constexpr std::pair<balance_metric, const char*> metric_names[] = {
    {balance_metric::slots, "slots"}, {balance_metric::keys, "keys"}};

[[nodiscard]] inline std::map<std::int32_t, double> as_shard_weights(const json& j) {
  std::map<std::int32_t, double> out;
  if (j.is_array()) {
    for_each_element(j, [&out](const json& e, std::size_t i) {
      out[static_cast<std::int32_t>(i)] = as_number(e);
    });
    return out;
  }
  if (!j.is_object()) type_mismatch(j, "an object of shard index to weight");
  for (const auto& [k, e] : j.items()) {
    std::int32_t shard = 0;
    const auto* first = k.data();
    const auto* last = first + k.size();
    const auto [ptr, ec] = std::from_chars(first, last, shard);
    // only plain decimal indices: "01" or "+1" would make two spellings of one shard
    if (k.empty() || ec != std::errc{} || ptr != last || k[0] == '-' || (k.size() > 1 && k[0] == '0'))
      throw json_error(k, "\"" + k + "\" is not a shard index (0, 1, 2, ...)");
    try {
      out[shard] = as_number(e);
    } catch (const json_error& err) {
      throw err.within(k);
    }
  }
  return out;
}

}  // namespace detail::spec_json

// --- metadata and small pieces ---------------------------------------------------------------

inline void to_json(nlohmann::json& j, const object_meta& m) {
  namespace d = detail::spec_json;
  j = d::object_with(m.unknown_fields);
  d::put_string(j, "name", m.name);
  d::put_string(j, "namespace", m.namespace_);
  d::put_map(j, "labels", m.labels);
  d::put_map(j, "annotations", m.annotations);
}

inline void from_json(const nlohmann::json& j, object_meta& m) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  m = object_meta{};
  d::with_member(j, "name", [&](const auto& e) { m.name = d::as_string(e); });
  d::with_member(j, "namespace", [&](const auto& e) { m.namespace_ = d::as_string(e); });
  d::with_member(j, "labels", [&](const auto& e) { m.labels = d::as_string_map(e); });
  d::with_member(j, "annotations", [&](const auto& e) { m.annotations = d::as_string_map(e); });
  m.unknown_fields = d::unknown_members(j, {"name", "namespace", "labels", "annotations"});
}

inline void to_json(nlohmann::json& j, const local_object_reference& r) {
  j = detail::spec_json::object_with(r.unknown_fields);
  detail::spec_json::put_string(j, "name", r.name);
}

inline void from_json(const nlohmann::json& j, local_object_reference& r) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  r = local_object_reference{};
  d::with_member(j, "name", [&](const auto& e) { r.name = d::as_string(e); });
  r.unknown_fields = d::unknown_members(j, {"name"});
}

inline void to_json(nlohmann::json& j, const resource_requirements& r) {
  namespace d = detail::spec_json;
  j = d::object_with(r.unknown_fields);
  d::put_map(j, "requests", r.requests);
  d::put_map(j, "limits", r.limits);
}

inline void from_json(const nlohmann::json& j, resource_requirements& r) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  r = resource_requirements{};
  const auto quantities = [](const auto& e) { return d::as_map(e, d::as_quantity); };
  d::with_member(j, "requests", [&](const auto& e) { r.requests = quantities(e); });
  d::with_member(j, "limits", [&](const auto& e) { r.limits = quantities(e); });
  r.unknown_fields = d::unknown_members(j, {"requests", "limits"});
}

inline void to_json(nlohmann::json& j, const storage_spec& s) {
  namespace d = detail::spec_json;
  j = d::object_with(s.unknown_fields);
  d::put_string(j, "type", s.type);
  d::put_string(j, "size", s.size);
  d::put_string(j, "class", s.class_name);
  if (s.delete_claim) j["deleteClaim"] = true;
}

inline void from_json(const nlohmann::json& j, storage_spec& s) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  s = storage_spec{};
  d::with_member(j, "type", [&](const auto& e) { s.type = d::as_string(e); });
  d::with_member(j, "size", [&](const auto& e) { s.size = d::as_quantity(e); });
  d::with_member(j, "class", [&](const auto& e) { s.class_name = d::as_string(e); });
  d::with_member(j, "deleteClaim", [&](const auto& e) { s.delete_claim = d::as_bool(e); });
  s.unknown_fields = d::unknown_members(j, {"type", "size", "class", "deleteClaim"});
}

inline void to_json(nlohmann::json& j, const prometheus_spec& p) {
  namespace d = detail::spec_json;
  j = d::object_with(p.unknown_fields);
  if (p.port) j["port"] = *p.port;
  d::put_string(j, "namespace", p.namespace_);
  d::put_map(j, "labels", p.labels);
  d::put_string(j, "interval", p.interval);
}

inline void from_json(const nlohmann::json& j, prometheus_spec& p) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  p = prometheus_spec{};
  d::with_member(j, "port", [&](const auto& e) { p.port = d::as_int32(e); });
  d::with_member(j, "namespace", [&](const auto& e) { p.namespace_ = d::as_string(e); });
  d::with_member(j, "labels", [&](const auto& e) { p.labels = d::as_string_map(e); });
  d::with_member(j, "interval", [&](const auto& e) { p.interval = d::as_string(e); });
  p.unknown_fields = d::unknown_members(j, {"port", "namespace", "labels", "interval"});
}

inline void to_json(nlohmann::json& j, const monitor_spec& m) {
  namespace d = detail::spec_json;
  j = d::object_with(m.unknown_fields);
  d::put_string(j, "image", m.image);
  d::put_struct(j, "prometheus", m.prometheus);
  d::put_list(j, "args", m.args);
  d::put_value(j, "env", m.env);
  d::put_struct(j, "resources", m.resources);
  d::put_value(j, "securityContext", m.security_context);
}

inline void from_json(const nlohmann::json& j, monitor_spec& m) {
  namespace d = detail::spec_json;
  using vt = nlohmann::json::value_t;
  detail::require_object(j);
  m = monitor_spec{};
  d::with_member(j, "image", [&](const auto& e) { m.image = d::as_string(e); });
  m.prometheus = d::read_struct<prometheus_spec>(j, "prometheus");
  d::with_member(j, "args", [&](const auto& e) { m.args = d::as_string_list(e); });
  d::with_member(j, "env", [&](const auto& e) { m.env = d::as_opaque(e, vt::array); });
  m.resources = d::read_struct<resource_requirements>(j, "resources");
  d::with_member(j, "securityContext", [&](const auto& e) { m.security_context = d::as_opaque(e, vt::object); });
  m.unknown_fields = d::unknown_members(j, {"image", "prometheus", "args", "env", "resources", "securityContext"});
}

inline void to_json(nlohmann::json& j, const backup_source& b) {
  namespace d = detail::spec_json;
  j = d::object_with(b.unknown_fields);
  d::put_string(j, "name", b.name);
  d::put_string(j, "namespace", b.namespace_);
  d::put_list(j, "args", b.args);
}

inline void from_json(const nlohmann::json& j, backup_source& b) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  b = backup_source{};
  d::with_member(j, "name", [&](const auto& e) { b.name = d::as_string(e); });
  d::with_member(j, "namespace", [&](const auto& e) { b.namespace_ = d::as_string(e); });
  d::with_member(j, "args", [&](const auto& e) { b.args = d::as_string_list(e); });
  b.unknown_fields = d::unknown_members(j, {"name", "namespace", "args"});
}

inline void to_json(nlohmann::json& j, const init_spec& i) {
  j = detail::spec_json::object_with(i.unknown_fields);
  detail::spec_json::put_struct(j, "backupSource", i.backup_source);
}

inline void from_json(const nlohmann::json& j, init_spec& i) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  i = init_spec{};
  i.backup_source = d::read_struct<backup_source>(j, "backupSource");
  i.unknown_fields = d::unknown_members(j, {"backupSource"});
}

// --- rcplan's extensions --------------------------------------------------------------------

inline void to_json(nlohmann::json& j, const placement_policy& p) {
  namespace d = detail::spec_json;
  j = d::object_with(p.unknown_fields);
  j["spreadBy"] = d::enum_name(p.spread_by, d::spread_names);
  j["mode"] = d::enum_name(p.mode, d::mode_names);
}

inline void from_json(const nlohmann::json& j, placement_policy& p) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  p = placement_policy{};
  d::with_member(j, "spreadBy", [&](const auto& e) { p.spread_by = d::as_enum(e, d::spread_names); });
  d::with_member(j, "mode", [&](const auto& e) { p.mode = d::as_enum(e, d::mode_names); });
  p.unknown_fields = d::unknown_members(j, {"spreadBy", "mode"});
}

inline void to_json(nlohmann::json& j, const rebalance_settings& r) {
  namespace d = detail::spec_json;
  j = d::object_with(r.unknown_fields);
  j["thresholdPercent"] = r.threshold_percent;
  j["balanceBy"] = d::enum_name(r.balance_by, d::metric_names);
  j["useEmptyMasters"] = r.use_empty_masters;
}

inline void from_json(const nlohmann::json& j, rebalance_settings& r) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  r = rebalance_settings{};
  d::with_member(j, "thresholdPercent", [&](const auto& e) { r.threshold_percent = d::as_number(e); });
  d::with_member(j, "balanceBy", [&](const auto& e) { r.balance_by = d::as_enum(e, d::metric_names); });
  d::with_member(j, "useEmptyMasters", [&](const auto& e) { r.use_empty_masters = d::as_bool(e); });
  r.unknown_fields = d::unknown_members(j, {"thresholdPercent", "balanceBy", "useEmptyMasters"});
}

inline void to_json(nlohmann::json& j, const migration_settings& m) {
  j = detail::spec_json::object_with(m.unknown_fields);
  j["maxConcurrentMigrations"] = m.max_concurrent_migrations;
  j["keyBatchSize"] = m.key_batch_size;
  j["migrateTimeoutMs"] = m.migrate_timeout_ms;
  j["stepTimeoutSeconds"] = m.step_timeout_seconds;
}

inline void from_json(const nlohmann::json& j, migration_settings& m) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  m = migration_settings{};
  d::with_member(j, "maxConcurrentMigrations", [&](const auto& e) { m.max_concurrent_migrations = d::as_int32(e); });
  d::with_member(j, "keyBatchSize", [&](const auto& e) { m.key_batch_size = d::as_int32(e); });
  d::with_member(j, "migrateTimeoutMs", [&](const auto& e) { m.migrate_timeout_ms = d::as_int32(e); });
  d::with_member(j, "stepTimeoutSeconds", [&](const auto& e) { m.step_timeout_seconds = d::as_int32(e); });
  m.unknown_fields =
      d::unknown_members(j, {"maxConcurrentMigrations", "keyBatchSize", "migrateTimeoutMs", "stepTimeoutSeconds"});
}

inline void to_json(nlohmann::json& j, const failover_policy& f) {
  j = detail::spec_json::object_with(f.unknown_fields);
  j["allowTakeover"] = f.allow_takeover;
  j["allowDataLoss"] = f.allow_data_loss;
}

inline void from_json(const nlohmann::json& j, failover_policy& f) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  f = failover_policy{};
  d::with_member(j, "allowTakeover", [&](const auto& e) { f.allow_takeover = d::as_bool(e); });
  d::with_member(j, "allowDataLoss", [&](const auto& e) { f.allow_data_loss = d::as_bool(e); });
  f.unknown_fields = d::unknown_members(j, {"allowTakeover", "allowDataLoss"});
}

// --- cluster_spec ---------------------------------------------------------------------------

inline void to_json(nlohmann::json& j, const cluster_spec& s) {
  namespace d = detail::spec_json;
  j = d::object_with(s.unknown_fields);
  d::put_string(j, "image", s.image);
  d::put_string(j, "imagePullPolicy", s.image_pull_policy);
  if (!s.image_pull_secrets.empty()) j["imagePullSecrets"] = s.image_pull_secrets;
  d::put_list(j, "command", s.command);
  d::put_value(j, "env", s.env);
  if (s.master_size) j["masterSize"] = *s.master_size;
  if (s.cluster_replicas) j["clusterReplicas"] = *s.cluster_replicas;
  d::put_string(j, "serviceName", s.service_name);
  d::put_map(j, "config", s.config);
  if (s.required_anti_affinity) j["requiredAntiAffinity"] = true;
  d::put_value(j, "affinity", s.affinity);
  d::put_map(j, "nodeSelector", s.node_selector);
  d::put_value(j, "toleRations", s.tolerations);
  d::put_value(j, "securityContext", s.security_context);
  d::put_value(j, "containerSecurityContext", s.container_security_context);
  d::put_map(j, "annotations", s.annotations);
  d::put_struct(j, "storage", s.storage);
  d::put_struct(j, "resources", s.resources);
  d::put_struct(j, "passwordSecret", s.password_secret);
  d::put_struct(j, "monitor", s.monitor);
  d::put_struct(j, "init", s.init);
  if (!s.shard_weights.empty()) {
    auto& w = j["shardWeights"] = nlohmann::json::object();
    for (const auto& [shard, weight] : s.shard_weights) w[std::to_string(shard)] = weight;
  }
  if (s.placement != placement_policy{}) j["placement"] = s.placement;
  if (s.rebalance != rebalance_settings{}) j["rebalance"] = s.rebalance;
  if (s.migration != migration_settings{}) j["migration"] = s.migration;
  if (s.failover != failover_policy{}) j["failover"] = s.failover;
}

inline void from_json(const nlohmann::json& j, cluster_spec& s) {
  namespace d = detail::spec_json;
  using vt = nlohmann::json::value_t;
  detail::require_object(j);
  s = cluster_spec{};
  d::with_member(j, "image", [&](const auto& e) { s.image = d::as_string(e); });
  d::with_member(j, "imagePullPolicy", [&](const auto& e) { s.image_pull_policy = d::as_string(e); });
  d::with_member(j, "imagePullSecrets", [&](const auto& e) {
    detail::for_each_element(e, [&](const nlohmann::json& x, std::size_t) {
      s.image_pull_secrets.push_back(x.template get<local_object_reference>());
    });
  });
  d::with_member(j, "command", [&](const auto& e) { s.command = d::as_string_list(e); });
  d::with_member(j, "env", [&](const auto& e) { s.env = d::as_opaque(e, vt::array); });
  d::with_member(j, "masterSize", [&](const auto& e) { s.master_size = d::as_int32(e); });
  d::with_member(j, "clusterReplicas", [&](const auto& e) { s.cluster_replicas = d::as_int32(e); });
  d::with_member(j, "serviceName", [&](const auto& e) { s.service_name = d::as_string(e); });
  d::with_member(j, "config", [&](const auto& e) { s.config = d::as_map(e, d::as_config_text); });
  d::with_member(j, "requiredAntiAffinity", [&](const auto& e) { s.required_anti_affinity = d::as_bool(e); });
  d::with_member(j, "affinity", [&](const auto& e) { s.affinity = d::as_opaque(e, vt::object); });
  d::with_member(j, "nodeSelector", [&](const auto& e) { s.node_selector = d::as_string_map(e); });
  const auto has = [&j](const char* key) { return j.contains(key) && !j[key].is_null(); };
  if (has("toleRations") && has("tolerations"))
    throw json_error("tolerations", "both toleRations and tolerations are given; write only one");
  for (const char* key : {"toleRations", "tolerations"})
    d::with_member(j, key, [&](const auto& e) { s.tolerations = d::as_opaque(e, vt::array); });
  d::with_member(j, "securityContext", [&](const auto& e) { s.security_context = d::as_opaque(e, vt::object); });
  d::with_member(j, "containerSecurityContext",
                 [&](const auto& e) { s.container_security_context = d::as_opaque(e, vt::object); });
  d::with_member(j, "annotations", [&](const auto& e) { s.annotations = d::as_string_map(e); });
  s.storage = d::read_struct<storage_spec>(j, "storage");
  s.resources = d::read_struct<resource_requirements>(j, "resources");
  s.password_secret = d::read_struct<local_object_reference>(j, "passwordSecret");
  s.monitor = d::read_struct<monitor_spec>(j, "monitor");
  s.init = d::read_struct<init_spec>(j, "init");
  d::with_member(j, "shardWeights", [&](const auto& e) { s.shard_weights = d::as_shard_weights(e); });
  detail::read_optional(j, "placement", s.placement);
  detail::read_optional(j, "rebalance", s.rebalance);
  detail::read_optional(j, "migration", s.migration);
  detail::read_optional(j, "failover", s.failover);
  s.unknown_fields = d::unknown_members(
      j, {"image", "imagePullPolicy", "imagePullSecrets", "command", "env", "masterSize", "clusterReplicas",
          "serviceName", "config", "requiredAntiAffinity", "affinity", "nodeSelector", "toleRations",
          "tolerations", "securityContext", "containerSecurityContext", "annotations", "storage", "resources",
          "passwordSecret", "monitor", "init", "shardWeights", "placement", "rebalance", "migration",
          "failover"});
}

// --- backup ---------------------------------------------------------------------------------

inline void to_json(nlohmann::json& j, const s3_spec& s) {
  namespace d = detail::spec_json;
  j = d::object_with(s.unknown_fields);
  d::put_string(j, "endpoint", s.endpoint);
  d::put_string(j, "bucket", s.bucket);
  d::put_string(j, "prefix", s.prefix);
}

inline void from_json(const nlohmann::json& j, s3_spec& s) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  s = s3_spec{};
  d::with_member(j, "endpoint", [&](const auto& e) { s.endpoint = d::as_string(e); });
  d::with_member(j, "bucket", [&](const auto& e) { s.bucket = d::as_string(e); });
  d::with_member(j, "prefix", [&](const auto& e) { s.prefix = d::as_string(e); });
  s.unknown_fields = d::unknown_members(j, {"endpoint", "bucket", "prefix"});
}

inline void to_json(nlohmann::json& j, const backup_spec& b) {
  namespace d = detail::spec_json;
  j = d::object_with(b.unknown_fields);
  d::put_string(j, "image", b.image);
  d::put_string(j, "redisClusterName", b.redis_cluster_name);
  d::put_string(j, "storageSecretName", b.storage_secret_name);
  d::put_struct(j, "s3", b.s3);
  d::put_struct(j, "storage", b.storage);
}

inline void from_json(const nlohmann::json& j, backup_spec& b) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  b = backup_spec{};
  d::with_member(j, "image", [&](const auto& e) { b.image = d::as_string(e); });
  d::with_member(j, "redisClusterName", [&](const auto& e) { b.redis_cluster_name = d::as_string(e); });
  d::with_member(j, "storageSecretName", [&](const auto& e) { b.storage_secret_name = d::as_string(e); });
  b.s3 = d::read_struct<s3_spec>(j, "s3");
  b.storage = d::read_struct<storage_spec>(j, "storage");
  b.unknown_fields = d::unknown_members(j, {"image", "redisClusterName", "storageSecretName", "s3", "storage"});
}

// --- resources and loaders ------------------------------------------------------------------

namespace detail::spec_json {

/// Checks `kind` when present; a resource of another kind must not be read as this one.
inline void expect_kind(const json& j, const char* kind) {
  with_member(j, "kind", [kind](const json& e) {
    const auto k = as_string(e);
    if (k != kind) throw json_error("", "expected kind " + std::string(kind) + ", got \"" + k + "\"");
  });
}

template <typename Resource>
void read_resource(const json& j, Resource& r, const char* kind) {
  require_object(j);
  expect_kind(j, kind);
  r = Resource{};
  with_member(j, "apiVersion", [&](const json& e) { r.api_version = as_string(e); });
  read_optional(j, "metadata", r.metadata);
  read_optional(j, "spec", r.spec);
  r.unknown_fields = unknown_members(j, {"apiVersion", "kind", "metadata", "spec"});
}

template <typename Resource>
void write_resource(json& j, const Resource& r, const char* kind) {
  j = object_with(r.unknown_fields);
  j["apiVersion"] = r.api_version;
  j["kind"] = kind;
  j["metadata"] = r.metadata;
  j["spec"] = r.spec;
}

}  // namespace detail::spec_json

inline void to_json(nlohmann::json& j, const cluster_resource& r) {
  detail::spec_json::write_resource(j, r, cluster_kind);
}

/// Reads a whole resource; see load_cluster_resource() to also accept a bare spec.
inline void from_json(const nlohmann::json& j, cluster_resource& r) {
  detail::spec_json::read_resource(j, r, cluster_kind);
}

inline void to_json(nlohmann::json& j, const backup_resource& r) {
  detail::spec_json::write_resource(j, r, backup_kind);
}

inline void from_json(const nlohmann::json& j, backup_resource& r) {
  detail::spec_json::read_resource(j, r, backup_kind);
}

/// A DistributedRedisCluster as users write it: a whole resource, recognised by any of
/// `apiVersion`, `kind`, `metadata`, `spec`, or else a bare spec (then metadata stays empty).
/// Defaults are not applied; call apply_defaults() for what the operator would run.
/// Throws json_error naming the offending path; a resource of another kind fails at `kind`.
[[nodiscard]] inline cluster_resource load_cluster_resource(const nlohmann::json& j) {
  detail::require_object(j);
  cluster_resource r;
  if (j.contains("apiVersion") || j.contains("kind") || j.contains("metadata") || j.contains("spec"))
    from_json(j, r);
  else
    from_json(j, r.spec);
  return r;
}

/// A RedisClusterBackup (whole resource).
[[nodiscard]] inline backup_resource load_backup_resource(const nlohmann::json& j) {
  backup_resource r;
  from_json(j, r);
  return r;
}

using any_resource = std::variant<cluster_resource, backup_resource>;

/// Any resource rcplan reads, chosen by its `kind`, which is therefore required here.
[[nodiscard]] inline any_resource load_resource(const nlohmann::json& j) {
  namespace d = detail::spec_json;
  detail::require_object(j);
  std::string kind;
  if (!d::with_member(j, "kind", [&kind](const nlohmann::json& e) { kind = d::as_string(e); }))
    throw json_error("kind", "required field is missing");
  if (kind == cluster_kind) return load_cluster_resource(j);
  if (kind == backup_kind) return load_backup_resource(j);
  throw json_error("kind", "unknown kind \"" + kind + "\"; expected " + cluster_kind + " or " + backup_kind);
}

inline void to_json(nlohmann::json& j, const any_resource& r) {
  std::visit([&j](const auto& x) { to_json(j, x); }, r);
}

}  // namespace rcplan
