// `rcplan fix --redis HOST:PORT [--dry-run]`: repairs open, contested and uncovered slots of a
// live cluster (like `redis-cli --cluster fix`), never by dropping keys: a slot whose keys could
// be stranded makes the plan blocked (exit 3) instead.

#include "cli.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/plan_loop.hpp"

#include <rcplan/planner/fix.hpp>

#include <memory>

namespace rcplan::cli {
namespace {

struct fix_options {
  connection_options connection;
  bool dry_run = false;
  output_format format = output_format::text;
};

}  // namespace

void add_fix_command(CLI::App& app) {
  auto opts = std::make_shared<fix_options>();
  CLI::App* cmd = app.add_subcommand("fix", "Repair open, contested and uncovered slots of a live cluster");
  add_connection_options(*cmd, opts->connection, true);
  cmd->add_flag("--dry-run", opts->dry_run, "Print the repair plan instead of executing it");
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] {
    plan_loop_settings s;
    s.dry_run = opts->dry_run;
    s.format = opts->format;
    s.keys_per_slot = true;  // the repair must know which nodes hold keys of a broken slot
    run_plan_loop(opts->connection, s, [](const topology& t) { return plan_fix(t); });
  });
}

}  // namespace rcplan::cli
