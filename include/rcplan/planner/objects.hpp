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

#include <rcplan/model/pod.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/planner/detail/objects.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/spec/value.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

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
  return !planner_detail::runtime_settable(config_key_lower(parameter));
}

/// The spec.config entries rcplan writes to redis.conf: reserved keys (port, cluster identity,
/// dir, requirepass, masterauth, replicaof, …) and entries with line breaks are dropped.
[[nodiscard]] inline std::map<std::string, std::string> effective_config(const cluster_spec& spec) {
  return planner_detail::config_entries(spec);
}

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
  out.configmap.name = planner_detail::configmap_name(cluster);
  out.configmap.cluster = cluster;
  out.configmap.labels = planner_detail::pod_selector(cluster, -1);
  out.configmap.data[redis_conf_key] = planner_detail::render_redis_conf(spec);
  const std::string hash = config_hash(out.configmap.data[redis_conf_key]);

  service_description client;
  client.name = spec.service_name;
  client.cluster = cluster;
  client.headless = false;
  client.shard_index = -1;
  client.ports = {{"client", redis_client_port}};
  client.selector = planner_detail::pod_selector(cluster, -1);
  client.labels = client.selector;
  out.services.push_back(std::move(client));

  for (int i = 0; i < masters; ++i) {
    const std::string name = statefulset_name(cluster, i);
    auto labels = r.metadata.labels;
    for (const auto& [k, v] : planner_detail::pod_selector(cluster, i)) labels[k] = v;

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
    s.resources = planner_detail::to_kube(spec.resources);
    if (spec.storage) {
      s.storage.type = spec.storage->type.empty() ? storage_ephemeral : spec.storage->type;
      s.storage.size = spec.storage->size;
      s.storage.class_name = spec.storage->class_name;
      s.storage.delete_claim = spec.storage->delete_claim;
    }
    s.affinity = planner_detail::pod_affinity(spec, cluster, i);
    s.tolerations = spec.tolerations;
    s.node_selector = spec.node_selector;
    s.labels = labels;
    s.annotations = spec.annotations;
    s.annotations[config_hash_annotation] = hash;
    s.security_context = spec.security_context;
    s.container_security_context = spec.container_security_context;
    if (spec.password_secret && !spec.password_secret->name.empty()) {
      s.password_secret = spec.password_secret->name;
      s.env = planner_detail::password_env(s.env, s.password_secret);
    }
    if (spec.monitor) {
      monitor_description m;
      m.image = spec.monitor->image;
      m.args = spec.monitor->args;
      m.env = spec.monitor->env;
      m.resources = planner_detail::to_kube(spec.monitor->resources);
      m.security_context = spec.monitor->security_context;
      m.port = spec.monitor->prometheus && spec.monitor->prometheus->port ? *spec.monitor->prometheus->port
                                                                          : default_prometheus_port;
      s.monitor = std::move(m);
    }
    s.update_strategy = update_strategy_on_delete;
    s.config_map = out.configmap.name;
    if (spec.init && spec.init->backup_source) s.restore_config = restore_config_name(cluster);
    out.statefulsets.push_back(std::move(s));

    service_description headless;
    headless.name = name;
    headless.cluster = cluster;
    headless.headless = true;
    headless.shard_index = i;
    headless.ports = {{"client", redis_client_port}, {"gossip", redis_bus_port}};
    headless.selector = planner_detail::pod_selector(cluster, i);
    headless.labels = labels;
    out.services.push_back(std::move(headless));

    pdb_description pdb;
    pdb.name = name;
    pdb.cluster = cluster;
    pdb.shard_index = i;
    pdb.max_unavailable = 1;
    pdb.selector = planner_detail::pod_selector(cluster, i);
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
