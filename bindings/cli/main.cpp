#include "cli.hpp"
#include "support/redact.hpp"

#include <rcplan/error.hpp>

#include <exception>
#include <iostream>

namespace {

// Commands do their work in CLI11 callbacks, which run inside parse(), so every failure
// surfaces here and is mapped to one exit code.
int run(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
    return rcplan::cli::exit_ok;
  } catch (const rcplan::cli::command_exit& e) {
    return e.code();
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" to CLI11 with exit code 0
    return app.exit(e) == 0 ? rcplan::cli::exit_ok : rcplan::cli::exit_usage;
  } catch (const rcplan::cli::input_error& e) {
    std::cerr << "rcplan: " << rcplan::cli::redact(e.what()) << '\n';
    return rcplan::cli::exit_bad_input;
  } catch (const rcplan::error& e) {
    std::cerr << "rcplan: " << rcplan::cli::redact(e.what()) << '\n';
    return rcplan::cli::exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "rcplan: internal error: " << rcplan::cli::redact(e.what()) << '\n';
    return rcplan::cli::exit_internal;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Plans the reconciliation of a Redis Cluster.", "rcplan"};
  app.set_version_flag("--version", RCPLAN_VERSION);
  app.require_subcommand(1);
  rcplan::cli::add_inspect_command(app);
  rcplan::cli::add_rebalance_command(app);
  rcplan::cli::add_plan_command(app);
  rcplan::cli::add_apply_command(app);
  rcplan::cli::add_check_command(app);
  rcplan::cli::add_fix_command(app);
  rcplan::cli::add_local_command(app);
  rcplan::cli::add_backup_command(app);
  rcplan::cli::add_demo_command(app);
  rcplan::cli::add_keys_command(app);
  rcplan::cli::add_render_command(app);
  rcplan::cli::add_kube_command(app);
  rcplan::cli::add_operator_command(app);
  return run(app, argc, argv);
}
