#pragma once

// The shell the rendered redis container runs (POSIX sh and redis-cli, as in the official
// redis images). Kept here, not in a ConfigMap, so that a rendered StatefulSet is complete.

namespace rcplan::kubernetes::detail {

/// Start-up: redis.conf from the ConfigMap, plus the password from the environment (filled from
/// the Secret) written by the shell's printf builtin into a memory volume readable by the
/// container's user only — never a process argument — then redis-server on that copy. With
/// REDIS_USER (spec.username) the password is also that ACL user's, with every right; the
/// ConfigMap's masteruser makes replicas authenticate as it.
inline constexpr const char* start_script = R"(set -e
umask 077
cp /conf/redis.conf /run/redis/redis.conf
if [ -n "${REDIS_PASSWORD:-}" ]; then
  printf 'requirepass "%s"\nmasterauth "%s"\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD" >> /run/redis/redis.conf
  if [ -n "${REDIS_USER:-}" ]; then
    printf 'user %s on ">%s" ~* &* +@all\n' "$REDIS_USER" "$REDIS_PASSWORD" >> /run/redis/redis.conf
  fi
fi
exec redis-server /run/redis/redis.conf
)";

/// Where the password Secret is mounted: unlike the environment, fixed when the container
/// started, the kubelet keeps the file current, so probes follow a live password change.
inline constexpr const char* password_dir = "/etc/rcplan-secret";

/// Ready when the node serves a healthy cluster (cluster_state:ok), or while it is a lone node
/// that rcplan has yet to meet (cluster_known_nodes:1): it must be reachable to be joined. The
/// environment's password first, then the mounted Secret's (after a live password change).
inline constexpr const char* readiness_script = R"(probe() {
  redis-cli -h 127.0.0.1 -p "${RCPLAN_REDIS_PORT:-6379}" cluster info 2>/dev/null | tr -d '\r' | grep -Eq '^(cluster_state:ok|cluster_known_nodes:1)$'
}
probe && exit 0
[ -r /etc/rcplan-secret/password ] || exit 1
REDISCLI_AUTH=$(cat /etc/rcplan-secret/password)
export REDISCLI_AUTH
probe
)";

/// Before the pod stops: a master with a connected, healthy replica asks it to fail over and
/// waits (up to 30 s) until it has become a replica itself, so clients lose no writes to a dead
/// master. Anything else (a replica, a master without replicas) stops at once.
inline constexpr const char* pre_stop_script = R"(if [ -r /etc/rcplan-secret/password ] && ! redis-cli -h 127.0.0.1 -p "${RCPLAN_REDIS_PORT:-6379}" ping 2>/dev/null | grep -q PONG; then
  REDISCLI_AUTH=$(cat /etc/rcplan-secret/password)
  export REDISCLI_AUTH
fi
nodes=$(redis-cli -h 127.0.0.1 -p "${RCPLAN_REDIS_PORT:-6379}" cluster nodes 2>/dev/null | tr -d '\r') || exit 0
me=$(printf '%s\n' "$nodes" | awk '$3 ~ /myself/ && $3 ~ /master/ {print $1}')
[ -n "$me" ] || exit 0
replica=$(printf '%s\n' "$nodes" | awk -v m="$me" '$4 == m && $3 !~ /fail/ && $8 == "connected" {print $2; exit}')
[ -n "$replica" ] || exit 0
addr=${replica%%@*}
redis-cli -h "${addr%:*}" -p "${addr##*:}" cluster failover >/dev/null 2>&1 || exit 0
i=0
while [ $i -lt 30 ]; do
  redis-cli -h 127.0.0.1 -p "${RCPLAN_REDIS_PORT:-6379}" role 2>/dev/null | head -n 1 | grep -q slave && exit 0
  sleep 1
  i=$((i + 1))
done
exit 0
)";

}  // namespace rcplan::kubernetes::detail
