#pragma once

// SIGTERM and SIGINT for the commands that run until stopped (the operator, the local node
// agent): the first sets a flag the command polls, so it finishes what it is doing; a second
// ends the process at once.

#include <atomic>

namespace rcplan::cli {

/// Installs the handlers (once) and returns the flag they set.
[[nodiscard]] const std::atomic<bool>& stop_requested();

}  // namespace rcplan::cli
