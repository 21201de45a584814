// `rcplan rebalance`: the slot rebalance plan for a cluster, with redis-cli's knobs. From one
// node's CLUSTER NODES reply (--cluster-nodes, --dry-run only: a dump cannot be executed) or a
// live cluster (--redis), which it then rebalances round after round until the plan is empty.
// `--balance keys` needs key counts per slot, which CLUSTER NODES does not carry: from a dump
// alone it is blocked; live, they are observed.

#include "cli.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/plan_loop.hpp"
#include "support/plan_text.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/model/limits.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/planner/fix.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <charconv>
#include <cstddef>
#include <iostream>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace rcplan::cli {
namespace {

struct rebalance_cli_options {
  std::string cluster_nodes;
  connection_options connection;
  std::vector<std::string> weights;  ///< ID=W as typed, resolved once the topology is read
  bool use_empty_masters = false;
  double threshold = rebalance_options{}.threshold_percent;
  std::size_t max_concurrent = 0;
  std::size_t max_per_node = static_cast<std::size_t>(default_max_migrations_per_node);
  balance_mode balance = balance_mode::slots;
  bool dry_run = false;
  output_format format = output_format::text;
};

[[noreturn]] void usage(const std::string& option, const std::string& message) {
  throw CLI::ValidationError(option, message);
}

/// A weight as valid_weight() accepts it.
double parse_weight(const std::string& arg, std::string_view text) {
  double w = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, w);
  if (text.empty() || ec != std::errc{} || ptr != end || !valid_weight(w))
    usage("--weight", "weight in \"" + arg + "\" must be " + weight_range_text());
  return w;
}

/// The node whose id starts with `prefix`. redis-cli accepts such abbreviations, and so
/// does rcplan, but only when they name exactly one node.
const cluster_node& resolve_prefix(const std::vector<cluster_node>& nodes, const std::string& arg,
                                   std::string_view prefix) {
  std::vector<const cluster_node*> matches;
  for (const cluster_node& n : nodes)
    if (std::string_view{n.id.value}.substr(0, prefix.size()) == prefix) matches.push_back(&n);
  if (matches.empty()) usage("--weight", "no node id starts with \"" + std::string(prefix) + "\" (in \"" + arg + "\")");
  if (matches.size() > 1) {
    std::string ids;
    for (const cluster_node* n : matches) ids += (ids.empty() ? "" : ", ") + n->id.value;
    usage("--weight", "\"" + std::string(prefix) + "\" is ambiguous: it starts the ids " + ids);
  }
  return *matches.front();
}

std::map<node_id, double> resolve_weights(const std::vector<std::string>& args, const std::vector<cluster_node>& nodes) {
  std::map<node_id, double> out;
  for (const std::string& arg : args) {
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0)
      usage("--weight", "expected ID=WEIGHT (a node id or a unique prefix of one), got \"" + arg + "\"");
    const std::string_view text{arg};
    const double w = parse_weight(arg, text.substr(eq + 1));
    const cluster_node& n = resolve_prefix(nodes, arg, text.substr(0, eq));
    if (!n.is_master()) usage("--weight", "\"" + arg + "\" names " + n.id.value + ", a replica; only masters hold slots");
    if (!out.emplace(n.id, w).second) usage("--weight", "a second weight for " + n.id.value + " (\"" + arg + "\")");
  }
  return out;
}

rebalance_options planner_options(const rebalance_cli_options& opts, const std::vector<cluster_node>& nodes) {
  rebalance_options ro;
  ro.weights = resolve_weights(opts.weights, nodes);
  ro.use_empty_masters = opts.use_empty_masters;
  ro.threshold_percent = opts.threshold;
  ro.max_concurrent_migrations = opts.max_concurrent;
  ro.max_migrations_per_node = opts.max_per_node;
  ro.balance = opts.balance;
  return ro;
}

void run_dump_rebalance(const rebalance_cli_options& opts) {
  if (!opts.dry_run)
    usage("--dry-run", "a CLUSTER NODES dump can only be planned for: add --dry-run, or rebalance a live cluster "
                       "with --redis HOST:PORT");
  const topology t = read_topology(opts.cluster_nodes);
  const std::vector<cluster_node> nodes = merged_nodes(t);
  const plan p = plan_rebalance(t, planner_options(opts, nodes));
  if (opts.format == output_format::text) {
    print_plan_text(std::cout, p, nodes);
  } else {
    nlohmann::ordered_json doc = p;
    print_json(std::cout, doc);
  }
  std::cout.flush();
  if (p.status == plan_status::blocked) throw command_exit(exit_blocked);
}

void run_live_rebalance(const rebalance_cli_options& opts) {
  plan_loop_settings s;
  s.dry_run = opts.dry_run;
  s.format = opts.format;
  s.keys_per_slot = opts.balance == balance_mode::keys;
  // weights name nodes by prefix: resolved against the first observation, kept by full id
  std::optional<rebalance_options> ro;
  // broken slots are repaired first, and the safe repair depends on where their keys are
  s.want_key_counts = [](const topology& t) { return has_broken_slots(merged_nodes(t)); };
  run_plan_loop(opts.connection, s, [&](const topology& t) {
    if (!ro) ro = planner_options(opts, merged_nodes(t));
    return plan_rebalance(t, *ro);
  });
}

void run_rebalance(const rebalance_cli_options& opts) {
  require_one_source(opts.cluster_nodes, opts.connection.redis);
  if (opts.connection.redis.empty()) run_dump_rebalance(opts);
  else run_live_rebalance(opts);
}

}  // namespace

void add_rebalance_command(CLI::App& app) {
  auto opts = std::make_shared<rebalance_cli_options>();
  CLI::App* cmd = app.add_subcommand(
      "rebalance", "Plan the slot moves that give every master its weighted share of slots");
  cmd->add_option("--cluster-nodes", opts->cluster_nodes,
                  "Output of CLUSTER NODES from one node; - reads standard input (with --dry-run)");
  add_connection_options(*cmd, opts->connection, false);
  cmd->add_option("--weight", opts->weights,
                  "ID=WEIGHT for a master (a node id or a unique prefix of one); others weigh 1, 0 drains")
      ->allow_extra_args(false);
  cmd->add_flag("--use-empty-masters", opts->use_empty_masters, "Let masters without slots take part");
  cmd->add_option("--threshold", opts->threshold,
                  "Act only if some master is this many percent off its share (default 2)")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--max-concurrent", opts->max_concurrent,
                  "At most this many migrations per wave (default 0: no limit)")
      ->check(CLI::Range(0, 16384));  // a size_t would take "-2" as a huge number
  cmd->add_option("--max-per-node", opts->max_per_node,
                  "At most this many migrations of one wave per master, as source or target (default " +
                      std::to_string(default_max_migrations_per_node) + "; 0: no limit)")
      ->check(CLI::Range(0, 16384));
  cmd->add_option_function<std::string>(
         "--balance",
         [opts](const std::string& mode) { opts->balance = mode == "keys" ? balance_mode::keys : balance_mode::slots; },
         "What to even out: slots (default) or keys (needs key counts per slot of every master)")
      ->check(CLI::IsMember({"slots", "keys"}));
  cmd->add_flag("--dry-run", opts->dry_run, "Print the plan instead of executing it (required with --cluster-nodes)");
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] { run_rebalance(*opts); });
}

}  // namespace rcplan::cli
