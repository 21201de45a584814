#pragma once

// The pieces desired_objects() builds from: which redis.conf parameters Redis takes at runtime,
// the rendered redis.conf, label selectors, pod anti-affinity, and the password variable.

#include <rcplan/model/pod.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/config_keys.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/spec/value.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::planner_detail {

inline constexpr const char* hostname_topology_key = "kubernetes.io/hostname";
inline constexpr const char* zone_topology_key = "topology.kubernetes.io/zone";
/// The environment variable the password Secret is exposed as, and the Secret's key.
inline constexpr const char* password_env_var = "REDIS_PASSWORD";
/// The ACL user the password belongs to (spec.username), when there is one.
inline constexpr const char* user_env_var = "REDIS_USER";
inline constexpr const char* password_secret_key = "password";
/// The default the original operator's redis.conf has.
inline constexpr const char* default_cluster_node_timeout = "15000";

[[nodiscard]] inline std::string configmap_name(std::string_view cluster) {
  return "redis-cluster-" + std::string(cluster);
}

/// Parameters Redis (7.0) accepts with CONFIG SET, sorted. Anything not listed, and not matched
/// by `runtime_config_prefixes`, is treated as needing a restart: restarting is always correct,
/// CONFIG SET of an immutable parameter fails halfway through a rollout.
inline constexpr std::array<std::string_view, 58> runtime_config_parameters = {
    "activedefrag",
    "activerehashing",
    "aof-rewrite-incremental-fsync",
    "aof-use-rdb-preamble",
    "appendfsync",
    "appendonly",
    "auto-aof-rewrite-min-size",
    "auto-aof-rewrite-percentage",
    "busy-reply-threshold",
    "client-query-buffer-limit",
    "cluster-allow-pubsubshard-when-down",
    "cluster-allow-reads-when-down",
    "cluster-allow-replica-migration",
    "cluster-migration-barrier",
    "cluster-node-timeout",
    "cluster-replica-no-failover",
    "cluster-replica-validity-factor",
    "cluster-require-full-coverage",
    "cluster-slave-no-failover",
    "cluster-slave-validity-factor",
    "dbfilename",
    "dynamic-hz",
    "hz",
    "jemalloc-bg-thread",
    "loglevel",
    "lua-time-limit",
    "maxclients",
    "maxmemory",
    "maxmemory-clients",
    "maxmemory-eviction-tenacity",
    "maxmemory-policy",
    "maxmemory-samples",
    "min-replicas-max-lag",
    "min-replicas-to-write",
    "min-slaves-max-lag",
    "min-slaves-to-write",
    "no-appendfsync-on-rewrite",
    "notify-keyspace-events",
    "oom-score-adj",
    "proto-max-bulk-len",
    "rdb-save-incremental-fsync",
    "rdbchecksum",
    "rdbcompression",
    "repl-backlog-size",
    "repl-backlog-ttl",
    "repl-diskless-load",
    "repl-diskless-sync",
    "repl-diskless-sync-delay",
    "repl-ping-replica-period",
    "repl-timeout",
    "replica-ignore-maxmemory",
    "replica-lazy-flush",
    "replica-priority",
    "replica-read-only",
    "replica-serve-stale-data",
    "save",
    "stop-writes-on-bgsave-error",
    "timeout",
};

static_assert(std::is_sorted(runtime_config_parameters.begin(), runtime_config_parameters.end()));

/// Families of runtime parameters: encodings, slow log, latency monitor, defragmentation,
/// lazy freeing, client output buffers, TCP keepalive.
inline constexpr std::array<std::string_view, 12> runtime_config_prefixes = {
    "active-defrag-", "client-output-buffer-limit", "hash-max-", "latency-", "lazyfree-", "list-",
    "set-max-",       "slowlog-",                   "stream-node-max-", "tcp-keepalive", "zset-max-",
    "lfu-",
};

[[nodiscard]] inline bool runtime_settable(std::string_view lower) {
  if (std::binary_search(runtime_config_parameters.begin(), runtime_config_parameters.end(), lower)) return true;
  return std::any_of(runtime_config_prefixes.begin(), runtime_config_prefixes.end(),
                     [&](std::string_view p) { return lower.substr(0, p.size()) == p; });
}

/// A config entry that would break the rendered file or smuggle in a directive: a line break
/// anywhere, or a key that is not one word.
[[nodiscard]] inline bool unsafe_config_entry(const std::string& key, const std::string& text) {
  const auto bad = [](char c) { return c == '\n' || c == '\r' || c == '\0'; };
  if (key.empty() || std::any_of(key.begin(), key.end(), bad) || std::any_of(text.begin(), text.end(), bad))
    return true;
  return std::any_of(key.begin(), key.end(), [](char c) { return c == ' ' || c == '\t'; });
}

[[nodiscard]] inline bool reserved_config_key(const std::string& key) { return is_reserved_config_key(key); }

[[nodiscard]] inline value string_map_value(const std::map<std::string, std::string>& m) {
  value::object o;
  for (const auto& [k, v] : m) o.emplace_back(k, value(v));
  return value(std::move(o));
}

/// Sets member `key` of object `o` (null becomes an object), inserting a new member where it
/// sorts: objects read from JSON are sorted, and keeping them so makes the output read back
/// equal to what was written.
inline void set_sorted(value& o, const std::string& key, value v) {
  if (o.is_null()) o = value::make_object();
  auto& members = o.as_object();
  for (auto& [k, existing] : members)
    if (k == key) {
      existing = std::move(v);
      return;
    }
  const auto at = std::find_if(members.begin(), members.end(), [&](const auto& m) { return key < m.first; });
  members.emplace(at, key, std::move(v));
}

[[nodiscard]] inline value affinity_term(const std::map<std::string, std::string>& match, const char* topology_key) {
  value term;
  value selector;
  set_sorted(selector, "matchLabels", string_map_value(match));
  set_sorted(term, "labelSelector", std::move(selector));
  set_sorted(term, "topologyKey", topology_key);
  return term;
}

[[nodiscard]] inline value weighted_term(std::int64_t weight, value term) {
  value w;
  set_sorted(w, "weight", weight);
  set_sorted(w, "podAffinityTerm", std::move(term));
  return w;
}

/// Appends `v` to the array member `key` of `object`, making it an array if it is not one.
inline void append_member(value& object, const char* key, value v) {
  const value* existing = object.find(key);
  value list = existing != nullptr && existing->is_array() ? *existing : value::make_array();
  list.as_array().push_back(std::move(v));
  set_sorted(object, key, std::move(list));
}

/// effective_config().
[[nodiscard]] inline std::map<std::string, std::string> config_entries(const cluster_spec& spec) {
  std::map<std::string, std::string> out;
  for (const auto& [key, text] : spec.config)
    if (!reserved_config_key(key) && !unsafe_config_entry(key, text)) out.emplace(key, text);
  return out;
}

/// redis.conf for the spec: the cluster settings rcplan owns, then the spec's entries sorted by
/// key. `cluster-node-timeout` and `appendonly` are defaults the spec may override.
[[nodiscard]] inline std::string render_redis_conf(const cluster_spec& spec) {
  const auto config = config_entries(spec);
  const bool persistent = spec.storage && spec.storage->type == storage_persistent_claim;
  std::string out;
  out += "cluster-enabled yes\n";
  out += "cluster-config-file /data/nodes.conf\n";
  out += "dir /data\n";
  if (!config.contains("cluster-node-timeout"))
    out += std::string("cluster-node-timeout ") + default_cluster_node_timeout + "\n";
  if (persistent && !config.contains("appendonly")) out += "appendonly yes\n";
  // replicas reach their master as the ACL user (its password is added at start, from the
  // Secret); here, so that a new user name changes the config hash
  if (spec.password_secret && !spec.username.empty()) out += "masteruser " + spec.username + "\n";
  for (const auto& [key, text] : config) out += key + " " + text + "\n";
  return out;
}

/// Labels selecting the pods of shard `shard` of `cluster` (all shards when `shard` < 0).
[[nodiscard]] inline std::map<std::string, std::string> pod_selector(std::string_view cluster, int shard) {
  std::map<std::string, std::string> out{{label_app_name, app_name}, {label_cluster_name, std::string(cluster)}};
  if (shard >= 0) out[label_shard] = std::to_string(shard);
  return out;
}

/// spec.affinity plus the pod anti-affinity of the placement policy for shard `shard`.
///
/// The pods of one shard (a master and its replicas) are kept apart by the policy's domain(s),
/// required or preferred (weight 100): losing a host or zone must not take a shard's every copy.
/// Keeping *all* pods of a cluster apart cannot be required (it needs a host per pod), so it is
/// only preferred, by host, with a lower weight (50), unless spreading is off. The original's
/// `requiredAntiAffinity: true` makes the host term required whatever the policy says.
[[nodiscard]] inline value pod_affinity(const cluster_spec& spec, std::string_view cluster, int shard) {
  const spread_domain d = spec.placement.spread_by;
  const bool by_host = d == spread_domain::host || d == spread_domain::host_and_zone;
  const bool by_zone = d == spread_domain::zone || d == spread_domain::host_and_zone;
  const bool required = spec.placement.mode == placement_mode::required;
  const bool host_required = (by_host && required) || spec.required_anti_affinity;
  const bool host_preferred = by_host && !host_required;
  const bool zone_required = by_zone && required;
  const bool zone_preferred = by_zone && !required;

  value affinity = spec.affinity.is_object() ? spec.affinity : value::make_object();
  if (!host_required && !host_preferred && !zone_required && !zone_preferred) return affinity;

  const value* existing = affinity.find("podAntiAffinity");
  value anti = existing != nullptr && existing->is_object() ? *existing : value::make_object();
  const auto shard_pods = pod_selector(cluster, shard);
  constexpr const char* req = "requiredDuringSchedulingIgnoredDuringExecution";
  constexpr const char* pref = "preferredDuringSchedulingIgnoredDuringExecution";
  if (host_required) append_member(anti, req, affinity_term(shard_pods, hostname_topology_key));
  if (zone_required) append_member(anti, req, affinity_term(shard_pods, zone_topology_key));
  if (host_preferred)
    append_member(anti, pref, weighted_term(100, affinity_term(shard_pods, hostname_topology_key)));
  if (zone_preferred)
    append_member(anti, pref, weighted_term(100, affinity_term(shard_pods, zone_topology_key)));
  if (d != spread_domain::none || spec.required_anti_affinity)
    append_member(anti, pref,
                          weighted_term(50, affinity_term(pod_selector(cluster, -1), hostname_topology_key)));
  set_sorted(affinity, "podAntiAffinity", std::move(anti));
  return affinity;
}

[[nodiscard]] inline kube_resources to_kube(const std::optional<resource_requirements>& r) {
  if (!r) return {};
  return {r->requests, r->limits};
}

/// `env` with the ACL user the password belongs to, for the pods' start script.
[[nodiscard]] inline value user_env(const value& env, const std::string& user) {
  value list = env.is_array() ? env : value::make_array();
  value var;
  set_sorted(var, "name", user_env_var);
  set_sorted(var, "value", user);
  list.as_array().push_back(std::move(var));
  return list;
}

[[nodiscard]] inline value password_env(const value& env, const std::string& secret) {
  value list = env.is_array() ? env : value::make_array();
  value ref;
  set_sorted(ref, "name", secret);
  set_sorted(ref, "key", password_secret_key);
  value from;
  set_sorted(from, "secretKeyRef", std::move(ref));
  value var;
  set_sorted(var, "name", password_env_var);
  set_sorted(var, "valueFrom", std::move(from));
  list.as_array().push_back(std::move(var));
  return list;
}

}  // namespace rcplan::planner_detail
