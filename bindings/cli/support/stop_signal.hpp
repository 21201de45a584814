#pragma once

// SIGTERM and SIGINT for the commands that run until stopped (the operator, the local node
// agent): the first sets a flag the command polls, so it finishes what it is doing; a second
// ends the process at once.

#include <atomic>

namespace rcplan::cli {

/// Installs the handlers (once) and returns the flag they set. Once it is set, the process
/// ends after `stop_grace` even if the command has not come back to its poll (a migration of
/// big keys), with exit code 5.
[[nodiscard]] const std::atomic<bool>& stop_requested();

inline constexpr int stop_grace_seconds = 25;  ///< inside Kubernetes' default 30 s before SIGKILL

/// After a live run: if a stop was requested, says so and ends the command with exit_stopped.
void end_if_stopped();

}  // namespace rcplan::cli
