#pragma once

// The keys of the spec's `config` map (redis.conf directives): how rcplan compares them (case
// does not matter to Redis) and which ones rcplan decides itself and refuses to take from a spec.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace rcplan {

/// redis.conf directives whose value rcplan (or the pod template) must decide: changing them
/// through `config` would break cluster membership, persistence paths or authentication.
inline constexpr std::array<std::string_view, 14> reserved_config_keys = {
    "port",          "cluster-enabled",   "cluster-config-file", "cluster-port",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port",
    "cluster-announce-hostname", "dir", "daemonize", "requirepass", "masterauth",
    "replicaof", "slaveof"};

/// The redis.conf directives Redis 7.0 knows (with the old names it still accepts), and a few of
/// later releases, sorted. redis-server refuses to start on any other ("FATAL CONFIG FILE ERROR"),
/// long after the spec was accepted; a module's directives carry a dot (`module.setting`).
inline constexpr std::array<std::string_view, 204> known_config_keys = {
    "acl-pubsub-default", "aclfile", "acllog-max-len", "active-defrag-cycle-max", "active-defrag-cycle-min",
    "active-defrag-ignore-bytes", "active-defrag-max-scan-fields", "active-defrag-threshold-lower",
    "active-defrag-threshold-upper", "active-expire-effort", "activedefrag", "activerehashing",
    "always-show-logo", "aof-disable-auto-gc", "aof-load-truncated", "aof-rewrite-incremental-fsync",
    "aof-timestamp-enabled", "aof-use-rdb-preamble", "appenddirname", "appendfilename", "appendfsync",
    "appendonly", "auto-aof-rewrite-min-size", "auto-aof-rewrite-percentage", "bind", "bind-source-addr",
    "busy-reply-threshold", "client-output-buffer-limit", "client-query-buffer-limit",
    "cluster-allow-pubsubshard-when-down", "cluster-allow-reads-when-down", "cluster-allow-replica-migration",
    "cluster-announce-bus-port", "cluster-announce-hostname", "cluster-announce-human-nodename",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-tls-port", "cluster-config-file",
    "cluster-enabled", "cluster-link-sendbuf-limit", "cluster-migration-barrier", "cluster-node-timeout",
    "cluster-port", "cluster-preferred-endpoint-type", "cluster-replica-no-failover",
    "cluster-replica-validity-factor", "cluster-require-full-coverage", "cluster-slave-no-failover",
    "cluster-slave-validity-factor", "cluster-slot-stats-enabled", "crash-log-enabled",
    "crash-memcheck-enabled", "daemonize", "databases", "dbfilename", "dir", "disable-thp", "dynamic-hz",
    "enable-debug-command", "enable-module-command", "enable-protected-configs", "hash-max-listpack-entries",
    "hash-max-listpack-value", "hash-max-ziplist-entries", "hash-max-ziplist-value", "hide-user-data-from-log",
    "hll-sparse-max-bytes", "hz", "ignore-warnings", "include", "io-threads", "io-threads-do-reads",
    "jemalloc-bg-thread", "key-load-delay", "latency-monitor-threshold", "latency-tracking",
    "latency-tracking-info-percentiles", "lazyfree-lazy-eviction", "lazyfree-lazy-expire",
    "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lazyfree-lazy-user-flush", "lfu-decay-time",
    "lfu-log-factor", "list-compress-depth", "list-max-listpack-size", "list-max-ziplist-size",
    "loading-process-events-interval-bytes", "loadmodule", "locale-collate", "logfile", "loglevel",
    "lua-time-limit", "masterauth", "masteruser", "max-new-connections-per-cycle",
    "max-new-tls-connections-per-cycle", "maxclients", "maxmemory", "maxmemory-clients",
    "maxmemory-eviction-tenacity", "maxmemory-policy", "maxmemory-samples", "min-replicas-max-lag",
    "min-replicas-to-write", "min-slaves-max-lag", "min-slaves-to-write", "no-appendfsync-on-rewrite",
    "notify-keyspace-events", "oom-score-adj", "oom-score-adj-values", "pidfile", "port",
    "proc-title-template", "propagation-error-behavior", "protected-mode", "proto-max-bulk-len",
    "rdb-del-sync-files", "rdb-key-save-delay", "rdb-save-incremental-fsync", "rdbchecksum", "rdbcompression",
    "rename-command", "repl-backlog-size", "repl-backlog-ttl", "repl-disable-tcp-nodelay",
    "repl-diskless-load", "repl-diskless-sync", "repl-diskless-sync-delay", "repl-diskless-sync-max-replicas",
    "repl-ping-replica-period", "repl-ping-slave-period", "repl-timeout", "replica-announce-ip",
    "replica-announce-port", "replica-announced", "replica-ignore-disk-write-errors",
    "replica-ignore-maxmemory", "replica-lazy-flush", "replica-priority", "replica-read-only",
    "replica-serve-stale-data", "replicaof", "requirepass", "sanitize-dump-payload", "save", "sentinel",
    "set-max-intset-entries", "set-proc-title", "shutdown-on-sigint", "shutdown-on-sigterm",
    "shutdown-timeout", "slave-announce-ip", "slave-announce-port", "slave-ignore-maxmemory",
    "slave-lazy-flush", "slave-priority", "slave-read-only", "slave-serve-stale-data", "slaveof",
    "slowlog-log-slower-than", "slowlog-max-len", "socket-mark-id", "stop-writes-on-bgsave-error",
    "stream-node-max-bytes", "stream-node-max-entries", "supervised", "syslog-enabled", "syslog-facility",
    "syslog-ident", "tcp-backlog", "tcp-keepalive", "timeout", "tls-auth-clients", "tls-ca-cert-dir",
    "tls-ca-cert-file", "tls-cert-file", "tls-ciphers", "tls-ciphersuites", "tls-client-cert-file",
    "tls-client-key-file", "tls-client-key-file-pass", "tls-cluster", "tls-dh-params-file", "tls-key-file",
    "tls-key-file-pass", "tls-port", "tls-prefer-server-ciphers", "tls-protocols", "tls-replication",
    "tls-session-cache-size", "tls-session-cache-timeout", "tls-session-caching", "tracking-table-max-keys",
    "unixsocket", "unixsocketperm", "use-exit-on-panic", "user", "watchdog-period",
    "zset-max-listpack-entries", "zset-max-listpack-value", "zset-max-ziplist-entries",
    "zset-max-ziplist-value"
};

static_assert(std::is_sorted(known_config_keys.begin(), known_config_keys.end()), "binary_search needs them sorted");

/// `key` in lower case, the form Redis itself compares directives in.
[[nodiscard]] inline std::string config_key_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Whether `key` (in any case) is one of reserved_config_keys.
[[nodiscard]] inline bool is_reserved_config_key(std::string_view key) {
  const std::string lower = config_key_lower(key);
  return std::find(reserved_config_keys.begin(), reserved_config_keys.end(), lower) != reserved_config_keys.end();
}

/// Whether redis-server would accept `key` (in any case) as a directive: a known one or a
/// module's (with a dot).
[[nodiscard]] inline bool is_known_config_key(std::string_view key) {
  if (key.find('.') != std::string_view::npos) return true;
  const std::string lower = config_key_lower(key);
  return std::binary_search(known_config_keys.begin(), known_config_keys.end(), std::string_view{lower});
}

}  // namespace rcplan
