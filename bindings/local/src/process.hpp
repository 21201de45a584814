#pragma once

// Processes and ports on this machine: what the kubelet and the pod network do for a pod.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rcplan::local::detail {

/// `name` itself when it holds a '/', else the first executable `name` on PATH.
[[nodiscard]] std::optional<std::filesystem::path> find_executable(const std::string& name);

/// Whether nobody listens on 127.0.0.1:`port` now.
[[nodiscard]] bool port_free(std::uint16_t port);
/// Whether nobody listens on `ip`:`port` now (false for an address that is not an IPv4 one).
[[nodiscard]] bool port_free(const std::string& ip, std::uint16_t port);

/// A loopback port that is free now, whose cluster bus port (port + 10000) is free too, and that
/// is not in `taken` (ports and bus ports of other pods that may be down right now). Throws
/// rcplan::error (`rcplan.local.port`) when none is found.
[[nodiscard]] std::uint16_t pick_port(const std::set<std::uint16_t>& taken);

struct run_result {
  int exit_code = -1;  ///< -1: did not exit in time (it was killed)
  std::string output;  ///< stdout and stderr
};

/// Runs `argv` (argv[0] the binary) to completion: stdin from /dev/null, output captured, no
/// descriptor of ours inherited, umask 077 (so what it creates — data, nodes.conf, logs — is
/// the owner's only). Meant for `redis-server --daemonize yes`, whose first process exits as
/// soon as the daemon is forked.
[[nodiscard]] run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout);

/// The pid in a pid file, if it holds one.
[[nodiscard]] std::optional<pid_t> read_pid_file(const std::filesystem::path& path);

/// Whether `pid` is a live redis-server: it exists, is not a zombie (nobody may reap a daemon
/// whose parent exited) and is a Redis process (a recycled pid must not count).
[[nodiscard]] bool redis_alive(pid_t pid);

/// SIGTERM, then SIGKILL once `grace` has passed; returns when the process is gone (or after a
/// last short wait).
void stop_process(pid_t pid, std::chrono::milliseconds grace);

/// SIGKILL and wait until it is gone.
void kill_process(pid_t pid);

/// Writes `content` to `path` readable by its owner only (0600, also when it existed before
/// with wider permissions). Throws rcplan::error (`rcplan.local.pod`).
void write_private_file(const std::filesystem::path& path, const std::string& content);

/// The last `n` lines of a text file; empty when it cannot be read.
[[nodiscard]] std::string tail_lines(const std::filesystem::path& path, std::size_t n);

}  // namespace rcplan::local::detail
