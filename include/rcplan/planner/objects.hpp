#pragma once

// The Kubernetes objects a resource asks for: StatefulSets, Services, PodDisruptionBudgets and
// the redis.conf ConfigMap, as typed descriptions (plan/kube_objects.hpp). Pure: the same
// resource gives the same objects, byte for byte.
//
// Passwords. redis.conf never holds `requirepass` or `masterauth`: spec.config entries for them
// are stripped (validate() reports them as errors). With `passwordSecret` set, the redis
// container gets the environment variable REDIS_PASSWORD from that Secret's key `password`
// (a secretKeyRef: only names), and the binding starts redis-server with
// `--requirepass "$(REDIS_PASSWORD)" --masterauth "$(REDIS_PASSWORD)"`, so the value exists only
// inside the pod.
//
// Restarts. StatefulSets use the OnDelete strategy, so changing the pod template (image, config
// hash) restarts nothing by itself; reconcile() replaces pods one at a time, failing masters over
// first. Parameters Redis accepts at runtime (`needs_restart() == false`) are applied with
// CONFIG SET instead.

#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/spec/defaults.hpp>
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
#include <utility>
#include <vector>

namespace rcplan {

inline constexpr const char* hostname_topology_key = "kubernetes.io/hostname";
inline constexpr const char* zone_topology_key = "topology.kubernetes.io/zone";
/// The environment variable the password Secret is exposed as, and the Secret's key.
inline constexpr const char* password_env_var = "REDIS_PASSWORD";
inline constexpr const char* password_secret_key = "password";
/// The default the original operator's redis.conf has.
inline constexpr const char* default_cluster_node_timeout = "15000";

[[nodiscard]] inline std::string configmap_name(std::string_view cluster) {
  return "redis-cluster-" + std::string(cluster);
}

/// Stable 64-bit FNV-1a of `text` as 16 lowercase hex digits. Stable across platforms and
/// releases (unlike std::hash), because it is stored in pod templates and compared later.
[[nodiscard]] inline std::string config_hash(const std::string& text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 0xf];
  return out;
}

namespace detail {

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

[[nodiscard]] inline bool reserved_config_key(const std::string& key) {
  const std::string lower = config_key_lower(key);
  return std::find(reserved_config_keys.begin(), reserved_config_keys.end(), lower) != reserved_config_keys.end();
}

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

}  // namespace detail

/// Whether changing redis.conf parameter `parameter` needs the pod restarted, i.e. Redis does
/// not accept it with CONFIG SET. Case-insensitive, as Redis is.
///
/// | runtime (CONFIG SET)                                  | restart                           |
/// |-------------------------------------------------------|-----------------------------------|
/// | maxmemory, maxmemory-policy, maxmemory-samples        | databases, port, bind, tls-*      |
/// | timeout, tcp-keepalive, maxclients                    | cluster-enabled, cluster-config-file, cluster-port, cluster-announce-* |
/// | save, appendonly, appendfsync, auto-aof-rewrite-*     | daemonize, supervised, pidfile    |
/// | slowlog-*, latency-*, notify-keyspace-events, hz      | unixsocket, tcp-backlog, io-threads* |
/// | hash-/list-/set-/zset-max-*, active-defrag-*, lazyfree-* | rename-command, include, loadmodule |
/// | repl-backlog-*, repl-timeout, min-replicas-*          | logfile, syslog-*, appendfilename |
/// | cluster-node-timeout, cluster-require-full-coverage, cluster-migration-barrier, cluster-replica-validity-factor, cluster-allow-reads-when-down | anything not known |
///
/// The cluster-* parameters Redis reads once are the ones that define the node's identity and
/// bus; the timeouts and coverage policy are runtime settings in Redis 7.
[[nodiscard]] inline bool needs_restart(std::string_view parameter) {
  return !detail::runtime_settable(config_key_lower(parameter));
}

/// The spec.config entries rcplan writes to redis.conf: reserved keys (port, cluster identity,
/// dir, requirepass, masterauth, replicaof, …) and entries with line breaks are dropped.
[[nodiscard]] inline std::map<std::string, std::string> effective_config(const cluster_spec& spec) {
  std::map<std::string, std::string> out;
  for (const auto& [key, text] : spec.config)
    if (!detail::reserved_config_key(key) && !detail::unsafe_config_entry(key, text)) out.emplace(key, text);
  return out;
}

/// redis.conf for the spec: the cluster settings rcplan owns, then the spec's entries sorted by
/// key. `cluster-node-timeout` and `appendonly` are defaults the spec may override.
[[nodiscard]] inline std::string render_redis_conf(const cluster_spec& spec) {
  const auto config = effective_config(spec);
  const bool persistent = spec.storage && spec.storage->type == storage_persistent_claim;
  std::string out;
  out += "cluster-enabled yes\n";
  out += "cluster-config-file /data/nodes.conf\n";
  out += "dir /data\n";
  if (!config.contains("cluster-node-timeout"))
    out += std::string("cluster-node-timeout ") + default_cluster_node_timeout + "\n";
  if (persistent && !config.contains("appendonly")) out += "appendonly yes\n";
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
  if (host_required) detail::append_member(anti, req, detail::affinity_term(shard_pods, hostname_topology_key));
  if (zone_required) detail::append_member(anti, req, detail::affinity_term(shard_pods, zone_topology_key));
  if (host_preferred)
    detail::append_member(anti, pref, detail::weighted_term(100, detail::affinity_term(shard_pods, hostname_topology_key)));
  if (zone_preferred)
    detail::append_member(anti, pref, detail::weighted_term(100, detail::affinity_term(shard_pods, zone_topology_key)));
  if (d != spread_domain::none || spec.required_anti_affinity)
    detail::append_member(anti, pref,
                          detail::weighted_term(50, detail::affinity_term(pod_selector(cluster, -1), hostname_topology_key)));
  detail::set_sorted(affinity, "podAntiAffinity", std::move(anti));
  return affinity;
}

namespace detail {

[[nodiscard]] inline kube_resources to_kube(const std::optional<resource_requirements>& r) {
  if (!r) return {};
  return {r->requests, r->limits};
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

}  // namespace detail

/// Every object `resource` asks for. Defaults are applied first (apply_defaults), so a
/// resource read as written gives what the operator would build.
[[nodiscard]] inline kube_objects desired_objects(const cluster_resource& resource) {
  cluster_resource r = resource;
  apply_defaults(r);
  const cluster_spec& spec = r.spec;
  const std::string& cluster = r.metadata.name;
  const int masters = master_count(spec);
  const int replicas = replica_count(spec);

  kube_objects out;
  out.configmap.name = configmap_name(cluster);
  out.configmap.cluster = cluster;
  out.configmap.labels = pod_selector(cluster, -1);
  out.configmap.data[redis_conf_key] = render_redis_conf(spec);
  const std::string hash = config_hash(out.configmap.data[redis_conf_key]);

  service_description client;
  client.name = spec.service_name;
  client.cluster = cluster;
  client.headless = false;
  client.shard_index = -1;
  client.ports = {{"client", redis_client_port}};
  client.selector = pod_selector(cluster, -1);
  client.labels = client.selector;
  out.services.push_back(std::move(client));

  for (int i = 0; i < masters; ++i) {
    const std::string name = statefulset_name(cluster, i);
    auto labels = r.metadata.labels;
    for (const auto& [k, v] : pod_selector(cluster, i)) labels[k] = v;

    statefulset_description s;
    s.name = name;
    s.cluster = cluster;
    s.shard_index = i;
    s.replicas = replicas + 1;
    s.service_name = name;
    s.image = spec.image;
    s.image_pull_policy = spec.image_pull_policy;
    for (const local_object_reference& ref : spec.image_pull_secrets) s.image_pull_secrets.push_back(ref.name);
    s.command = spec.command;
    s.env = spec.env;
    s.resources = detail::to_kube(spec.resources);
    if (spec.storage) {
      s.storage.type = spec.storage->type.empty() ? storage_ephemeral : spec.storage->type;
      s.storage.size = spec.storage->size;
      s.storage.class_name = spec.storage->class_name;
      s.storage.delete_claim = spec.storage->delete_claim;
    }
    s.affinity = pod_affinity(spec, cluster, i);
    s.tolerations = spec.tolerations;
    s.node_selector = spec.node_selector;
    s.labels = labels;
    s.annotations = spec.annotations;
    s.annotations[config_hash_annotation] = hash;
    s.security_context = spec.security_context;
    s.container_security_context = spec.container_security_context;
    if (spec.password_secret && !spec.password_secret->name.empty()) {
      s.password_secret = spec.password_secret->name;
      s.env = detail::password_env(s.env, s.password_secret);
    }
    if (spec.monitor) {
      monitor_description m;
      m.image = spec.monitor->image;
      m.args = spec.monitor->args;
      m.env = spec.monitor->env;
      m.resources = detail::to_kube(spec.monitor->resources);
      m.security_context = spec.monitor->security_context;
      m.port = spec.monitor->prometheus && spec.monitor->prometheus->port ? *spec.monitor->prometheus->port
                                                                          : default_prometheus_port;
      s.monitor = std::move(m);
    }
    s.update_strategy = update_strategy_on_delete;
    s.config_map = out.configmap.name;
    out.statefulsets.push_back(std::move(s));

    service_description headless;
    headless.name = name;
    headless.cluster = cluster;
    headless.headless = true;
    headless.shard_index = i;
    headless.ports = {{"client", redis_client_port}, {"gossip", redis_bus_port}};
    headless.selector = pod_selector(cluster, i);
    headless.labels = labels;
    out.services.push_back(std::move(headless));

    pdb_description pdb;
    pdb.name = name;
    pdb.cluster = cluster;
    pdb.shard_index = i;
    pdb.max_unavailable = 1;
    pdb.selector = pod_selector(cluster, i);
    pdb.labels = labels;
    out.pdbs.push_back(std::move(pdb));
  }
  return out;
}

/// Whether the observed StatefulSet's pod template differs from the desired one in what
/// restarts pods: the image, the config hash, the password Secret.
[[nodiscard]] inline bool template_outdated(const statefulset& observed, const statefulset_description& desired) {
  return observed.image != desired.image || observed.config_hash != template_config_hash(desired) ||
         observed.password_secret != desired.password_secret;
}

}  // namespace rcplan
