#pragma once

// Checks a desired spec before anything is planned from it. Every problem is reported at
// once, each naming the field it is about, so that a user fixes a resource in one pass.

#include <rcplan/diagnostic.hpp>
#include <rcplan/spec/quantity.hpp>
#include <rcplan/spec/spec.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

/// Stable diagnostic codes of validate(). Subjects are spec field paths in the resource's
/// JSON names (`spec.storage.size`, `spec.shardWeights[4]`, `spec.config.port`).
namespace spec_code {
// errors
inline constexpr const char* master_size_invalid = "spec.master_size_invalid";            // < 1
inline constexpr const char* cluster_replicas_invalid = "spec.cluster_replicas_invalid";  // < 0
inline constexpr const char* storage_type_invalid = "spec.storage_type_invalid";
inline constexpr const char* storage_size_missing = "spec.storage_size_missing";
inline constexpr const char* quantity_invalid = "spec.quantity_invalid";    // does not parse
inline constexpr const char* quantity_negative = "spec.quantity_negative";  // parses, below 0
inline constexpr const char* requests_exceed_limits = "spec.requests_exceed_limits";
inline constexpr const char* secret_name_empty = "spec.secret_name_empty";
inline constexpr const char* backup_source_name_empty = "spec.backup_source_name_empty";
inline constexpr const char* port_invalid = "spec.port_invalid";
inline constexpr const char* shard_weight_invalid = "spec.shard_weight_invalid";  // < 0 or not finite
inline constexpr const char* shard_weight_out_of_range = "spec.shard_weight_out_of_range";
inline constexpr const char* shard_weights_all_zero = "spec.shard_weights_all_zero";
inline constexpr const char* rebalance_threshold_invalid = "spec.rebalance_threshold_invalid";
inline constexpr const char* migration_concurrency_invalid = "spec.migration_concurrency_invalid";
inline constexpr const char* migration_batch_size_invalid = "spec.migration_batch_size_invalid";
inline constexpr const char* migration_timeout_invalid = "spec.migration_timeout_invalid";
inline constexpr const char* config_key_reserved = "spec.config_key_reserved";
// warnings
inline constexpr const char* master_size_no_majority = "spec.master_size_no_majority";
inline constexpr const char* master_size_above_original_limit = "spec.master_size_above_original_limit";
inline constexpr const char* cluster_replicas_above_original_limit =
    "spec.cluster_replicas_above_original_limit";
inline constexpr const char* no_replicas = "spec.no_replicas";
inline constexpr const char* ephemeral_without_replicas = "spec.ephemeral_without_replicas";
inline constexpr const char* takeover_allowed = "spec.takeover_allowed";
inline constexpr const char* data_loss_allowed = "spec.data_loss_allowed";
inline constexpr const char* unknown_field = "spec.unknown_field";  // warning in rcplan's own
                                                                     // objects, info elsewhere
// RedisClusterBackup
inline constexpr const char* backup_cluster_name_missing = "spec.backup_cluster_name_missing";
inline constexpr const char* backup_storage_missing = "spec.backup_storage_missing";
}  // namespace spec_code

namespace detail {

class spec_findings {
 public:
  void error(const char* code, std::string subject, std::string message) {
    add(severity::error, code, std::move(subject), std::move(message));
  }
  void warning(const char* code, std::string subject, std::string message) {
    add(severity::warning, code, std::move(subject), std::move(message));
  }
  void info(const char* code, std::string subject, std::string message) {
    add(severity::info, code, std::move(subject), std::move(message));
  }
  [[nodiscard]] std::vector<diagnostic> take() && { return std::move(out_); }

 private:
  void add(rcplan::severity s, const char* code, std::string subject, std::string message) {
    out_.push_back(diagnostic{s, code, std::move(subject), std::move(message)});
  }
  std::vector<diagnostic> out_;
};

/// redis.conf directives whose value rcplan (or the pod template) must decide: changing them
/// through `config` would break cluster membership, persistence paths or authentication.
inline constexpr std::array<std::string_view, 14> reserved_config_keys = {
    "port",          "cluster-enabled",   "cluster-config-file", "cluster-port",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port",
    "cluster-announce-hostname", "dir", "daemonize", "requirepass", "masterauth",
    "replicaof", "slaveof"};

[[nodiscard]] inline std::string config_key_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

[[nodiscard]] inline std::optional<quantity> check_quantity(spec_findings& f, const std::string& subject,
                                                            const std::string& text) {
  const auto q = parse_quantity(text);
  if (!q) {
    f.error(spec_code::quantity_invalid, subject,
            "\"" + text + "\" is not a Kubernetes quantity (like 10Gi, 500m or 1e3)");
    return std::nullopt;
  }
  if (q->amount < 0) {
    f.error(spec_code::quantity_negative, subject, "\"" + text + "\" must not be negative");
    return std::nullopt;
  }
  return q;
}

inline void check_resources(spec_findings& f, const std::string& prefix, const resource_requirements& r) {
  std::map<std::string, quantity> requests;
  for (const auto& [name, text] : r.requests)
    if (auto q = check_quantity(f, prefix + ".requests." + name, text)) requests.emplace(name, *q);
  std::map<std::string, quantity> limits;
  for (const auto& [name, text] : r.limits)
    if (auto q = check_quantity(f, prefix + ".limits." + name, text)) limits.emplace(name, *q);
  for (const auto& [name, request] : requests) {
    const auto lim = limits.find(name);
    if (lim != limits.end() && request > lim->second)
      f.error(spec_code::requests_exceed_limits, prefix + ".requests." + name,
              "request " + r.requests.at(name) + " for " + name + " exceeds its limit " + r.limits.at(name) +
                  "; Kubernetes rejects such a pod");
  }
}

inline void report_unknown(spec_findings& f, const std::string& prefix, const value& unknown, bool own_object) {
  if (!unknown.is_object()) return;
  for (const auto& [key, v] : unknown.as_object()) {
    (void)v;
    if (own_object)
      f.warning(spec_code::unknown_field, prefix + "." + key,
                "rcplan does not know this field and ignores it; a misspelt setting falls back to its default");
    else
      f.info(spec_code::unknown_field, prefix + "." + key, "not interpreted by rcplan; kept as written");
  }
}

}  // namespace detail

/// Every problem of `spec` at once: errors that make it unusable and warnings about settings
/// that are legal but risky. Absent masterSize/clusterReplicas are checked at their defaults.
/// Messages quote field values except secrets; the password itself never appears in a spec
/// (only the name of its Secret), and reserved config keys are reported without their value.
[[nodiscard]] inline std::vector<diagnostic> validate(const cluster_spec& spec) {
  detail::spec_findings f;
  const std::int32_t masters = master_count(spec);
  const std::int32_t replicas = replica_count(spec);

  if (masters < 1)
    f.error(spec_code::master_size_invalid, "spec.masterSize",
            "masterSize is " + std::to_string(masters) + "; a cluster needs at least 1 master");
  else if (masters < 3)
    f.warning(spec_code::master_size_no_majority, "spec.masterSize",
              "with " + std::to_string(masters) +
                  " master(s) there is no majority left to fail over when one master is lost; use 3 or more");
  else if (masters > 10)
    f.warning(spec_code::master_size_above_original_limit, "spec.masterSize",
              "masterSize " + std::to_string(masters) +
                  " is above 10, which the original operator's resource definition rejects");

  if (replicas < 0)
    f.error(spec_code::cluster_replicas_invalid, "spec.clusterReplicas",
            "clusterReplicas is " + std::to_string(replicas) + "; it must be 0 or more");
  else if (replicas == 0)
    f.warning(spec_code::no_replicas, "spec.clusterReplicas",
              "clusterReplicas is 0: a failed master cannot fail over and its slots become unavailable");
  else if (replicas > 3)
    f.warning(spec_code::cluster_replicas_above_original_limit, "spec.clusterReplicas",
              "clusterReplicas " + std::to_string(replicas) +
                  " is above 3, which the original operator's resource definition rejects");

  for (std::size_t i = 0; i < spec.image_pull_secrets.size(); ++i)
    if (spec.image_pull_secrets[i].name.empty())
      f.error(spec_code::secret_name_empty, "spec.imagePullSecrets[" + std::to_string(i) + "].name",
              "an image pull secret needs a name");

  for (const auto& [key, text] : spec.config) {
    (void)text;  // may be a password (requirepass, masterauth): never quoted
    const auto lower = detail::config_key_lower(key);
    if (std::find(detail::reserved_config_keys.begin(), detail::reserved_config_keys.end(), lower) !=
        detail::reserved_config_keys.end()) {
      const bool auth = lower == "requirepass" || lower == "masterauth";
      f.error(spec_code::config_key_reserved, "spec.config." + key,
              "redis.conf directive `" + key + "` is managed by rcplan and cannot be set through config" +
                  (auth ? "; set the password through passwordSecret" : ""));
    }
  }

  const bool ephemeral = !spec.storage || spec.storage->type == storage_ephemeral;
  if (spec.storage) {
    const auto& st = *spec.storage;
    if (st.type != storage_persistent_claim && st.type != storage_ephemeral)
      f.error(spec_code::storage_type_invalid, "spec.storage.type",
              (st.type.empty() ? std::string("storage type is missing")
                               : "storage type \"" + st.type + "\" is unknown") +
                  "; use persistent-claim or ephemeral");
    if (st.size.empty()) {
      if (st.type == storage_persistent_claim)
        f.error(spec_code::storage_size_missing, "spec.storage.size",
                "a persistent-claim storage needs a size, like 10Gi");
    } else {
      (void)detail::check_quantity(f, "spec.storage.size", st.size);
    }
  }
  if (ephemeral && replicas == 0)
    f.warning(spec_code::ephemeral_without_replicas, "spec.storage",
              std::string(spec.storage ? "ephemeral storage" : "no storage (ephemeral)") +
                  " with clusterReplicas 0: a restarted pod comes back empty and its data is lost");

  if (spec.resources) detail::check_resources(f, "spec.resources", *spec.resources);

  if (spec.password_secret && spec.password_secret->name.empty())
    f.error(spec_code::secret_name_empty, "spec.passwordSecret.name",
            "passwordSecret needs the name of a Secret holding the password");

  if (spec.monitor) {
    if (spec.monitor->prometheus && spec.monitor->prometheus->port) {
      const auto port = *spec.monitor->prometheus->port;
      if (port < 1 || port > 65535)
        f.error(spec_code::port_invalid, "spec.monitor.prometheus.port",
                "port " + std::to_string(port) + " is outside 1..65535");
    }
    if (spec.monitor->resources) detail::check_resources(f, "spec.monitor.resources", *spec.monitor->resources);
  }

  if (spec.init && spec.init->backup_source && spec.init->backup_source->name.empty())
    f.error(spec_code::backup_source_name_empty, "spec.init.backupSource.name",
            "a restore needs the name of the RedisClusterBackup to restore from");

  // --- rcplan's extensions ---
  for (const auto& [shard, weight] : spec.shard_weights) {
    const auto subject = "spec.shardWeights[" + std::to_string(shard) + "]";
    if (!std::isfinite(weight) || weight < 0)
      f.error(spec_code::shard_weight_invalid, subject, "a weight must be a finite number, 0 or more");
    if (shard < 0 || shard >= masters)
      f.error(spec_code::shard_weight_out_of_range, subject,
              "shard " + std::to_string(shard) + " does not exist: masterSize is " + std::to_string(masters) +
                  ", so shards are numbered 0.." + std::to_string(masters - 1));
  }
  if (masters >= 1 && !spec.shard_weights.empty()) {
    bool any_positive = false;
    for (std::int32_t s = 0; s < masters && !any_positive; ++s) any_positive = shard_weight(spec, s) > 0;
    if (!any_positive)
      f.error(spec_code::shard_weights_all_zero, "spec.shardWeights",
              "every shard has weight 0, so no shard could hold the 16384 slots");
  }

  const double threshold = spec.rebalance.threshold_percent;
  if (!(threshold >= 0 && threshold <= 100))
    f.error(spec_code::rebalance_threshold_invalid, "spec.rebalance.thresholdPercent",
            "the rebalance threshold is a percentage and must lie within 0..100");

  if (spec.migration.max_concurrent_migrations < 1)
    f.error(spec_code::migration_concurrency_invalid, "spec.migration.maxConcurrentMigrations",
            "at least 1 migration must be allowed to run at a time");
  if (spec.migration.key_batch_size < 1)
    f.error(spec_code::migration_batch_size_invalid, "spec.migration.keyBatchSize",
            "MIGRATE must move at least 1 key per batch");
  if (spec.migration.migrate_timeout_ms < 1)
    f.error(spec_code::migration_timeout_invalid, "spec.migration.migrateTimeoutMs",
            "the MIGRATE timeout must be at least 1 ms (0 would mean no timeout at all)");
  if (spec.migration.step_timeout_seconds < 1)
    f.error(spec_code::migration_timeout_invalid, "spec.migration.stepTimeoutSeconds",
            "a step timeout must be at least 1 second");

  if (spec.failover.allow_takeover)
    f.warning(spec_code::takeover_allowed, "spec.failover.allowTakeover",
              "TAKEOVER promotes a replica without a majority vote; during a partition two masters may "
              "accept writes for the same slots and one side's writes are lost");
  if (spec.failover.allow_data_loss)
    f.warning(spec_code::data_loss_allowed, "spec.failover.allowDataLoss",
              "plans may promote a lagging replica or give up a shard's data to make progress");

  detail::report_unknown(f, "spec", spec.unknown_fields, false);
  detail::report_unknown(f, "spec.placement", spec.placement.unknown_fields, true);
  detail::report_unknown(f, "spec.rebalance", spec.rebalance.unknown_fields, true);
  detail::report_unknown(f, "spec.migration", spec.migration.unknown_fields, true);
  detail::report_unknown(f, "spec.failover", spec.failover.unknown_fields, true);

  return std::move(f).take();
}

/// Checks a RedisClusterBackup spec as the original operator does before it runs a backup.
[[nodiscard]] inline std::vector<diagnostic> validate(const backup_spec& spec) {
  detail::spec_findings f;
  if (spec.redis_cluster_name.empty())
    f.error(spec_code::backup_cluster_name_missing, "spec.redisClusterName",
            "a backup needs the name of the DistributedRedisCluster to back up");
  bool has_backend = spec.s3.has_value();
  for (const char* other : {"gcs", "azure", "swift", "local"})
    has_backend = has_backend || spec.unknown_fields.find(other) != nullptr;
  if (!has_backend)
    f.error(spec_code::backup_storage_missing, "spec",
            "no storage backend is configured (s3, gcs, azure, swift or local)");
  if (spec.storage && !spec.storage->size.empty())
    (void)detail::check_quantity(f, "spec.storage.size", spec.storage->size);
  return std::move(f).take();
}

/// Whether any diagnostic is an error (warnings and infos do not block planning).
[[nodiscard]] inline bool has_errors(const std::vector<diagnostic>& diags) noexcept {
  return std::any_of(diags.begin(), diags.end(), [](const diagnostic& d) { return d.severity == severity::error; });
}

}  // namespace rcplan
