#pragma once

// Background processes of `rcplan local cluster`: this same binary started again in a session
// of its own (so it outlives the command and a terminal's hangup), its output in a log file,
// its pid in a pid file; and stopping them again.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace rcplan::cli {

/// Starts `rcplan args...` detached; writes its pid to `pid_file`. Throws input_error when it
/// cannot be started.
void start_daemon(const std::vector<std::string>& args, const std::filesystem::path& log,
                  const std::filesystem::path& pid_file);

/// SIGTERM to the process in `pid_file` (if it runs), SIGKILL after `grace`; removes the file.
/// Returns whether a process was running.
bool stop_daemon(const std::filesystem::path& pid_file, std::chrono::milliseconds grace);

/// Runs `argv` to completion, its output on our stderr; its exit status.
[[nodiscard]] int run_program(const std::vector<std::string>& argv);

}  // namespace rcplan::cli
