// `rcplan inspect`: reads what the cluster says about itself and shows it to a person (text)
// or a program (JSON: the topology as rcplan models it, plus the same summary). The cluster
// is a CLUSTER NODES dump (--cluster-nodes) or a live cluster observed from seeds (--redis).

#include "cli.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/topology_text.hpp"

#include <rcplan/json/model.hpp>
#include <rcplan/planner/summary.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace rcplan::cli {
namespace {

struct inspect_options {
  std::string cluster_nodes;
  connection_options connection;
  output_format format = output_format::text;
};

void run_inspect(const inspect_options& opts) {
  require_one_source(opts.cluster_nodes, opts.connection.redis);
  const topology t = opts.cluster_nodes.empty()
                         ? observe_cluster(parse_seeds(opts.connection.redis), resolve_password(opts.connection), false,
                                           tls_options_for(opts.connection.tls))
                         : read_topology(opts.cluster_nodes);
  const topology_summary s = summarize(t);
  if (opts.format == output_format::text) {
    print_topology_text(std::cout, s);
    return;
  }
  nlohmann::ordered_json doc;
  doc["topology"] = t;
  doc["summary"] = topology_summary_json(s);
  print_json(std::cout, doc);
}

}  // namespace

void add_inspect_command(CLI::App& app) {
  auto opts = std::make_shared<inspect_options>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show the topology of a CLUSTER NODES dump or of a live cluster");
  cmd->add_option("--cluster-nodes", opts->cluster_nodes,
                  "Output of CLUSTER NODES from one node; - reads standard input");
  add_connection_options(*cmd, opts->connection, false);
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] { run_inspect(*opts); });
}

}  // namespace rcplan::cli
