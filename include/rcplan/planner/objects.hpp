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

#include <rcplan/config.hpp>
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
[[nodiscard]] RCPLAN_ENTRY std::map<std::string, std::string> effective_config(const cluster_spec& spec);

/// Every object `resource` asks for. Defaults are applied first (apply_defaults), so a
/// resource read as written gives what the operator would build.
[[nodiscard]] RCPLAN_ENTRY kube_objects desired_objects(const cluster_resource& resource);

/// Whether the observed StatefulSet's pod template differs from the desired one in what
/// restarts pods: the image, the config hash, the password Secret.
[[nodiscard]] RCPLAN_ENTRY bool template_outdated(const statefulset& observed, const statefulset_description& desired);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/planner/impl/objects.hpp>
#endif
