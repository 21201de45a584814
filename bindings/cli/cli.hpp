#pragma once

// The rcplan command: exit codes shared by every subcommand, and the list of subcommands.
// A new subcommand is one source file defining its add_*_command, declared here and called
// from main.cpp.

#include <CLI/CLI.hpp>

#include <stdexcept>

namespace rcplan::cli {

enum exit_code : int {
  exit_ok = 0,
  exit_bad_input = 1,  ///< the input could not be read or is not what the command expects
  exit_usage = 2,      ///< the command line itself is wrong
  exit_blocked = 3,    ///< a plan was made but cannot proceed; its diagnostics say why
  exit_internal = 4,   ///< a bug: an exception nobody expected
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

/// `rcplan inspect (--cluster-nodes FILE | --redis HOST:PORT)`: what the cluster says about itself.
void add_inspect_command(CLI::App& app);

/// `rcplan rebalance (--cluster-nodes FILE --dry-run | --redis HOST:PORT)`: plan, or run, the
/// slot moves that give every master its weighted share.
void add_rebalance_command(CLI::App& app);

/// `rcplan plan --spec FILE (--observed FILE | --cluster-nodes FILE | --redis HOST:PORT)`:
/// reconcile()'s next steps.
void add_plan_command(CLI::App& app);

/// `rcplan check --redis HOST:PORT`: exit 0 when the cluster is healthy, 1 with the findings.
void add_check_command(CLI::App& app);

/// `rcplan fix --redis HOST:PORT [--dry-run]`: repairs open, contested and uncovered slots.
void add_fix_command(CLI::App& app);

/// `rcplan apply --spec FILE --redis HOST:PORT`: converges a live cluster (Redis steps only).
void add_apply_command(CLI::App& app);

/// `rcplan local up|apply|status|down --spec FILE --dir DIR`: a cluster of local processes.
void add_local_command(CLI::App& app);

/// `rcplan keys load|verify|traffic --redis HOST:PORT --count N`: a numbered key set.
void add_keys_command(CLI::App& app);

/// `rcplan demo`: the whole loop on a local cluster, checking that no key is lost.
void add_demo_command(CLI::App& app);

}  // namespace rcplan::cli
