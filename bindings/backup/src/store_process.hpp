#pragma once

// Child processes for the stores (rclone): an argv vector and an environment of our choosing,
// never a shell, so that nothing in a name or URL is interpreted and secrets travel only in the
// child's environment (readable by its owner alone, unlike argv, which `ps` shows to everyone).

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::backup::detail {

/// `name` itself when it holds a '/', else the first executable `name` on PATH.
[[nodiscard]] std::optional<std::filesystem::path> find_executable(const std::string& name);

/// Our own environment as "NAME=value" entries.
[[nodiscard]] std::vector<std::string> current_environment();

struct child_result {
  int exit_code = -1;  ///< -1: it could not be started or did not finish in time (it was killed)
  bool timed_out = false;
  std::string out;  ///< stdout (its first MiB)
  std::string err;  ///< stderr (its first MiB)
};

/// Runs `argv` (argv[0] a path to the binary) with exactly `env` as its environment, stdin from
/// /dev/null, no descriptor of ours inherited and umask 077 (what it writes holds cluster data).
[[nodiscard]] child_result run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                     std::chrono::milliseconds timeout);

}  // namespace rcplan::backup::detail
