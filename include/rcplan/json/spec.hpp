#pragma once

// to_json/from_json for the desired spec and the two resources, and loaders that accept what
// users write: a whole resource (apiVersion, kind, metadata, spec) or a bare spec.
//
// Reading is strict about types (a string where a bool belongs is an error naming the exact
// path, like `spec.storage.deleteClaim`) and lenient about names: members nobody knows are
// kept in `unknown_fields` and written back. Writing omits what is unset, the way the original
// operator's `omitempty` tags do, and is deterministic byte for byte: into nlohmann::json
// object members come out sorted by key.
//
// Each struct's fields are listed once, in a `json_detail::fields_of` below, for both directions.

#include <rcplan/error.hpp>
#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/detail/scalars.hpp>
#include <rcplan/json/detail/value.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/value.hpp>

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <system_error>
#include <tuple>
#include <variant>

// --- enums and the spec's own value spellings ------------------------------------------------

namespace rcplan::json_detail {

template <> inline constexpr name_table<spread_domain, 4> enum_names<spread_domain>{
    {{spread_domain::none, "none"}, {spread_domain::host, "host"}, {spread_domain::zone, "zone"},
     {spread_domain::host_and_zone, "hostAndZone"}}};
template <> inline constexpr name_table<placement_mode, 2> enum_names<placement_mode>{
    {{placement_mode::preferred, "preferred"}, {placement_mode::required, "required"}}};
template <> inline constexpr name_table<balance_metric, 2> enum_names<balance_metric>{
    {{balance_metric::slots, "slots"}, {balance_metric::keys, "keys"}}};

/// Kubernetes accepts quantities as strings or bare numbers; both are kept as text.
[[nodiscard]] inline std::string read_quantity(const nlohmann::json& j) {
  if (j.is_number()) return j.dump();
  if (!j.is_string()) type_mismatch(j, "a quantity (a string like \"10Gi\" or a number)");
  return j.get<std::string>();
}

/// redis.conf values are text to Redis: `maxmemory-samples: 5` is read as "5" rather than refused.
[[nodiscard]] inline std::string read_config_text(const nlohmann::json& j) {
  if (j.is_number() || j.is_boolean()) return j.dump();
  return read_string(j);
}

using quantity = scalar<std::string, read_quantity>;
using config_text = scalar<std::string, read_config_text>;

/// Shard indices as object keys: only plain decimal, since "01" or "+1" would make two spellings
/// of one shard.
struct shard_index_key {
  using type = std::int32_t;
  static constexpr const char* expected = "an object of shard index to weight";
  [[nodiscard]] static std::int32_t from_key(const std::string& key) {
    std::int32_t shard = 0;
    const char* last = key.data() + key.size();
    const auto [end, ec] = std::from_chars(key.data(), last, shard);
    if (key.empty() || ec != std::errc{} || end != last || key[0] == '-' || (key.size() > 1 && key[0] == '0'))
      throw json_error("", "\"" + key + "\" is not a shard index (0, 1, 2, ...)");
    return shard;
  }
  [[nodiscard]] static std::string to_key(std::int32_t shard) { return std::to_string(shard); }
};

/// `shardWeights`: an object keyed by shard index, or an array of weights in shard order.
struct shard_weights {
  using by_key = keyed_map<shard_index_key, codec<double>>;
  using type = by_key::type;
  [[nodiscard]] static type read(const nlohmann::json& j) {
    if (!j.is_array()) return by_key::read(j);
    type out;
    for_each_element(j, [&out](const nlohmann::json& e, std::size_t i) {
      out[static_cast<std::int32_t>(i)] = read_number(e);
    });
    return out;
  }
  template <json_document J>
  [[nodiscard]] static J write(const type& weights) {
    return by_key::write<J>(weights);
  }
};

}  // namespace rcplan::json_detail

// --- the spec's pieces (unknown members kept in `unknown_fields`) -----------------------------

namespace rcplan::json_detail {

template <> inline constexpr auto fields_of<object_meta> = std::tuple{omitempty("name", &object_meta::name),
    omitempty("namespace", &object_meta::namespace_), omitempty("labels", &object_meta::labels),
    omitempty("annotations", &object_meta::annotations)};

template <> inline constexpr auto fields_of<local_object_reference> = std::tuple{
    omitempty("name", &local_object_reference::name)};

template <> inline constexpr auto fields_of<resource_requirements> = std::tuple{
    omitempty("requests", &resource_requirements::requests, map_of<quantity>{}),
    omitempty("limits", &resource_requirements::limits, map_of<quantity>{})};

template <> inline constexpr auto fields_of<storage_spec> = std::tuple{omitempty("type", &storage_spec::type),
    omitempty("size", &storage_spec::size, quantity{}), omitempty("class", &storage_spec::class_name),
    omitempty("deleteClaim", &storage_spec::delete_claim)};

template <> inline constexpr auto fields_of<prometheus_spec> = std::tuple{omitempty("port", &prometheus_spec::port),
    omitempty("namespace", &prometheus_spec::namespace_), omitempty("labels", &prometheus_spec::labels),
    omitempty("interval", &prometheus_spec::interval)};

template <> inline constexpr auto fields_of<monitor_spec> = std::tuple{omitempty("image", &monitor_spec::image),
    omitempty("prometheus", &monitor_spec::prometheus), omitempty("args", &monitor_spec::args),
    omitempty("env", &monitor_spec::env, opaque_array{}), omitempty("resources", &monitor_spec::resources),
    omitempty("securityContext", &monitor_spec::security_context, opaque_object{})};

template <> inline constexpr auto fields_of<backup_source> = std::tuple{omitempty("name", &backup_source::name),
    omitempty("namespace", &backup_source::namespace_), omitempty("args", &backup_source::args)};

template <> inline constexpr auto fields_of<init_spec> = std::tuple{
    omitempty("backupSource", &init_spec::backup_source)};

// rcplan's extensions are written complete, defaults filled in.

template <> inline constexpr auto fields_of<placement_policy> = std::tuple{
    defaulted("spreadBy", &placement_policy::spread_by), defaulted("mode", &placement_policy::mode)};

template <> inline constexpr auto fields_of<rebalance_settings> = std::tuple{
    defaulted("thresholdPercent", &rebalance_settings::threshold_percent),
    defaulted("balanceBy", &rebalance_settings::balance_by),
    defaulted("useEmptyMasters", &rebalance_settings::use_empty_masters)};

template <> inline constexpr auto fields_of<migration_settings> = std::tuple{
    defaulted("maxConcurrentMigrations", &migration_settings::max_concurrent_migrations),
    defaulted("maxMigrationsPerNode", &migration_settings::max_migrations_per_node),
    defaulted("keyBatchSize", &migration_settings::key_batch_size),
    defaulted("migrateTimeoutMs", &migration_settings::migrate_timeout_ms),
    defaulted("stepTimeoutSeconds", &migration_settings::step_timeout_seconds),
    defaulted("latencyBudgetMs", &migration_settings::latency_budget_ms),
    defaulted("maxKeysPerSecond", &migration_settings::max_keys_per_second)};

template <> inline constexpr auto fields_of<failover_policy> = std::tuple{
    defaulted("allowTakeover", &failover_policy::allow_takeover),
    defaulted("allowDataLoss", &failover_policy::allow_data_loss)};

template <> inline constexpr auto fields_of<cluster_spec> = [] {
  using s = cluster_spec;
  return std::tuple{
      omitempty("image", &s::image), omitempty("imagePullPolicy", &s::image_pull_policy),
      omitempty("imagePullSecrets", &s::image_pull_secrets), omitempty("command", &s::command),
      omitempty("env", &s::env, opaque_array{}), omitempty("masterSize", &s::master_size),
      omitempty("clusterReplicas", &s::cluster_replicas), omitempty("serviceName", &s::service_name),
      omitempty("config", &s::config, map_of<config_text>{}),
      omitempty("requiredAntiAffinity", &s::required_anti_affinity),
      omitempty("affinity", &s::affinity, opaque_object{}), omitempty("nodeSelector", &s::node_selector),
      // the original's tag, misspelled; the usual spelling is read too
      omitempty("toleRations", &s::tolerations, opaque_array{}).also_read_as("tolerations"),
      omitempty("securityContext", &s::security_context, opaque_object{}),
      omitempty("containerSecurityContext", &s::container_security_context, opaque_object{}),
      omitempty("annotations", &s::annotations), omitempty("storage", &s::storage),
      omitempty("resources", &s::resources), omitempty("passwordSecret", &s::password_secret),
      omitempty("username", &s::username),
      omitempty("monitor", &s::monitor), omitempty("init", &s::init),
      omitempty("shardWeights", &s::shard_weights, shard_weights{}), omitempty("placement", &s::placement),
      omitempty("rebalance", &s::rebalance), omitempty("migration", &s::migration),
      omitempty("failover", &s::failover)};
}();

// --- backup ---------------------------------------------------------------------------------

template <> inline constexpr auto fields_of<s3_spec> = std::tuple{omitempty("endpoint", &s3_spec::endpoint),
    omitempty("bucket", &s3_spec::bucket), omitempty("prefix", &s3_spec::prefix)};

template <> inline constexpr auto fields_of<backup_spec> = std::tuple{omitempty("image", &backup_spec::image),
    omitempty("redisClusterName", &backup_spec::redis_cluster_name),
    omitempty("storageSecretName", &backup_spec::storage_secret_name), omitempty("s3", &backup_spec::s3),
    omitempty("storage", &backup_spec::storage)};

// --- resources: a resource of another kind must not be read as this one ----------------------

template <typename R>
[[nodiscard]] constexpr auto resource_fields(const char* kind) {
  return std::tuple{constant("kind", kind), defaulted("apiVersion", &R::api_version),
                    defaulted("metadata", &R::metadata), defaulted("spec", &R::spec)};
}

template <> inline constexpr auto fields_of<cluster_resource> = resource_fields<cluster_resource>(cluster_kind);
template <> inline constexpr auto fields_of<backup_resource> = resource_fields<backup_resource>(backup_kind);

}  // namespace rcplan::json_detail

// --- loaders --------------------------------------------------------------------------------

namespace rcplan {

/// A DistributedRedisCluster as users write it: a whole resource, recognised by any of
/// `apiVersion`, `kind`, `metadata`, `spec`, or else a bare spec (then metadata stays empty).
/// Defaults are not applied; call apply_defaults() for what the operator would run.
/// Throws json_error naming the offending path; a resource of another kind fails at `kind`.
[[nodiscard]] inline cluster_resource load_cluster_resource(const nlohmann::json& j) {
  json_detail::require_object(j);
  cluster_resource r;
  if (j.contains("apiVersion") || j.contains("kind") || j.contains("metadata") || j.contains("spec"))
    r = json_detail::read_record<cluster_resource>(j);
  else
    r.spec = json_detail::read_record<cluster_spec>(j);
  return r;
}

/// A RedisClusterBackup (whole resource).
[[nodiscard]] inline backup_resource load_backup_resource(const nlohmann::json& j) {
  return json_detail::read_record<backup_resource>(j);
}

using any_resource = std::variant<cluster_resource, backup_resource>;

/// Any resource rcplan reads, chosen by its `kind`, which is therefore required here.
[[nodiscard]] inline any_resource load_resource(const nlohmann::json& j) {
  json_detail::require_object(j);
  const nlohmann::json* kind_member = json_detail::member_of(j, "kind");
  if (kind_member == nullptr) json_detail::missing_field("kind");
  const std::string kind = json_detail::within("kind", [&] { return json_detail::read_string(*kind_member); });
  if (kind == cluster_kind) return load_cluster_resource(j);
  if (kind == backup_kind) return load_backup_resource(j);
  throw json_error("kind", "unknown kind \"" + kind + "\"; expected " + cluster_kind + " or " + backup_kind);
}

template <json_detail::json_document J>
void to_json(J& j, const any_resource& r) {
  std::visit([&j](const auto& x) { to_json(j, x); }, r);
}

}  // namespace rcplan

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_SPEC_RECORDS(X) X(object_meta) X(local_object_reference) \
  X(resource_requirements) X(storage_spec) X(prometheus_spec) X(monitor_spec) X(backup_source) \
  X(init_spec) X(placement_policy) X(rebalance_settings) X(migration_settings) X(failover_policy) \
  X(cluster_spec) X(s3_spec) X(backup_spec) X(cluster_resource) X(backup_resource)
namespace rcplan {
RCPLAN_JSON_SPEC_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
