#pragma once

// How a command ends other than by printing its result: the exit codes shared by every
// subcommand, and the exceptions main() maps to them.

#include <stdexcept>

namespace rcplan::cli {

enum exit_code : int {
  exit_ok = 0,
  exit_bad_input = 1,  ///< the input could not be read or is not what the command expects
  exit_usage = 2,      ///< the command line itself is wrong
  exit_blocked = 3,    ///< a plan was made but cannot proceed; its diagnostics say why
  exit_internal = 4,   ///< a bug: an exception nobody expected
  exit_stopped = 5,    ///< SIGTERM or SIGINT: the slots in flight finished, nothing new started
};

/// Ends a command that printed its output in full with a code other than exit_ok. Not a
/// std::exception, so that nothing mistakes it for a failure to report.
class command_exit {
 public:
  explicit command_exit(exit_code code) noexcept : code_(code) {}
  [[nodiscard]] exit_code code() const noexcept { return code_; }

 private:
  exit_code code_;
};

/// Input the command cannot use (unreadable file, empty dump, ...). main prints the message
/// and exits with exit_bad_input, like it does for rcplan::error.
class input_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rcplan::cli
