#pragma once

// One pod's redis-server process, as the local runtime runs it: a daemon with its files in a
// directory of its own (redis.conf readable by its owner only, pid file, log), its data in a
// volume directory, on an IP and port of this machine's loopback network. The runtime's pods
// and the local node agent's pods are both started, probed and stopped through these.

#include <rcplan/redis/secret.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace rcplan::local {

/// The redis-server binary: `name` itself when it holds a '/', else the first on PATH, made
/// absolute. Throws rcplan::error (`rcplan.local.redis_server`) with install instructions.
[[nodiscard]] std::filesystem::path find_redis_server(const std::string& name = "redis-server");

struct redis_process_options {
  std::filesystem::path redis_server;  ///< from find_redis_server()
  std::filesystem::path run_dir;       ///< redis.conf, redis.pid, redis.log
  std::filesystem::path data_dir;      ///< the volume: data files and nodes.conf
  std::string ip = "127.0.0.1";        ///< bound, announced and connected from
  std::uint16_t port = 6379;           ///< client port; the cluster bus is port + 10000
  std::string configmap_text;          ///< the ConfigMap's redis.conf (its owned directives replaced)
  redis::secret password;              ///< requirepass and masterauth when not empty
  std::uint32_t node_timeout_ms = 3000;
};

/// Starts the process and waits until it has written its pid file (it then listens). Returns
/// why it failed to start (redis-server's own words, the password blotted out), or nothing.
[[nodiscard]] std::optional<std::string> start_redis_process(const redis_process_options& o);

/// The pid of the redis-server running from `run_dir`, if one does.
[[nodiscard]] std::optional<pid_t> redis_process_pid(const std::filesystem::path& run_dir);

/// SIGTERM (Redis saves and exits), SIGKILL once `grace` has passed; returns when it is gone.
void stop_redis_process(const std::filesystem::path& run_dir, std::chrono::milliseconds grace);

/// Whether `ip`:`port` and its cluster bus port can be listened on now.
[[nodiscard]] bool ports_free(const std::string& ip, std::uint16_t port);

}  // namespace rcplan::local
