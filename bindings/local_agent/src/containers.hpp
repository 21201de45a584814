#pragma once

// The agent's second kind of container: one whose command is `rcplan` (a restored
// StatefulSet's init container, a backup Job's container). The agent runs it as a process of
// this machine's rcplan binary, as a kubelet would run it in the tools image: its environment
// from the container's env and envFrom (the Secrets' values only ever in the process'
// environment), its volume mounts mapped to directories of this machine in its arguments, its
// output in a log whose tail is the termination message on failure (FallbackToLogsOnError).

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::local::detail {

/// Whether the agent can run `container`: its command starts with `rcplan`.
[[nodiscard]] bool runs_rcplan(const nlohmann::json& container);

/// What the agent resolved for a container from the API server.
struct container_inputs {
  std::map<std::string, std::string> env;
  /// Each volume mount's path inside the container → the directory it is on this machine.
  std::vector<std::pair<std::string, std::filesystem::path>> mounts;
};

/// The process' arguments: the rcplan binary, then the command's and args' words with
/// `$(VAR)` expanded from the environment and mount paths mapped.
[[nodiscard]] std::vector<std::string> container_argv(const std::filesystem::path& rcplan,
                                                      const nlohmann::json& container, const container_inputs& in);

/// Starts the container's process, its output appended to `log`; `base_env` (PATH, HOME, ...)
/// under the container's own variables. Throws rcplan::error when it cannot start.
[[nodiscard]] pid_t start_container(const std::vector<std::string>& argv, const container_inputs& in,
                                    const std::map<std::string, std::string>& base_env,
                                    const std::filesystem::path& log);

/// The exit code once the process has ended (killed by a signal: 128 + the signal); nothing
/// while it runs.
[[nodiscard]] std::optional<int> container_exit(pid_t pid);

/// Stops a container's process (SIGKILL) and reaps it.
void kill_container(pid_t pid);

/// The end of `log`, as a kubelet takes a failed container's termination message from its logs:
/// the last 80 lines, at most 2048 bytes.
[[nodiscard]] std::string termination_message(const std::filesystem::path& log);

}  // namespace rcplan::local::detail
