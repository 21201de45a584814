// `rcplan plan`: what reconcile() would do next, for a desired DistributedRedisCluster (YAML or
// JSON, a whole resource: its name names every object) and an observed cluster (topology JSON, one node's
// CLUSTER NODES reply, a live cluster observed from seeds, or what a Kubernetes API server holds
// with the Redis nodes of its pods). A cluster observed from seeds has no platform: the
// Kubernetes steps reconcile plans are shown, as for a dump.

#include "cli.hpp"
#include "support/converge_run.hpp"
#include "support/io.hpp"
#include "support/kube.hpp"
#include "support/live.hpp"
#include "support/plan_text.hpp"
#include "support/spec_input.hpp"

#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/redis/converge.hpp>

#include <iostream>
#include <memory>
#include <string>

namespace rcplan::cli {
namespace {

struct plan_cli_options {
  std::string spec;
  std::string observed;
  std::string cluster_nodes;
  connection_options connection;
  kube_options kube;
  output_format format = output_format::text;
};

void run_plan(const plan_cli_options& o) {
  const bool kube = !o.kube.kubeconfig.empty();
  const int sources =
      int{!o.observed.empty()} + int{!o.cluster_nodes.empty()} + int{!o.connection.redis.empty()} + int{kube};
  if (sources != 1)
    throw CLI::ValidationError("--observed", "give exactly one of --observed, --cluster-nodes, --redis and --kubeconfig");
  const cluster_resource desired = read_valid_resource(o.spec);
  topology t;
  if (kube) {
    kubernetes::client c = kube_client(o.kube);
    const std::string ns = desired.metadata.namespace_.empty() ? c.default_namespace() : desired.metadata.namespace_;
    kubernetes::platform pods(c, {ns, desired.metadata.name});
    redis::observe_options oo;
    oo.password = resolve_password(o.connection);
    oo.tls = tls_options_for(o.connection.tls);
    t = redis::observe(pods, redis::observation_for(desired, oo));
  } else if (!o.connection.redis.empty()) {
    redis::observe_options oo;
    oo.password = resolve_password(o.connection);
    oo.tls = tls_options_for(o.connection.tls);
    oo = redis::observation_for(desired, oo);
    t = observe_cluster(parse_seeds(o.connection.redis), oo);
  } else {
    t = o.observed.empty() ? read_topology(o.cluster_nodes) : read_observed(o.observed);
  }
  const plan p = reconcile(t, desired);
  if (o.format == output_format::text) {
    print_plan_text(std::cout, p, merged_nodes(t));
  } else {
    print_json(std::cout, nlohmann::ordered_json(p));
  }
  std::cout.flush();
  if (p.status == plan_status::blocked) throw command_exit(exit_blocked);
}

}  // namespace

void add_plan_command(CLI::App& app) {
  auto opts = std::make_shared<plan_cli_options>();
  CLI::App* cmd = app.add_subcommand("plan", "Plan the next steps that bring a cluster to its desired spec");
  cmd->add_option("--spec", opts->spec, "DistributedRedisCluster resource, YAML or JSON; - reads stdin")
      ->required();
  cmd->add_option("--observed", opts->observed, "Observed topology as JSON (rcplan's topology format)");
  cmd->add_option("--cluster-nodes", opts->cluster_nodes, "Output of CLUSTER NODES from one node");
  add_connection_options(*cmd, opts->connection, false);
  add_kube_options(*cmd, opts->kube, false);
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] { run_plan(*opts); });
}

}  // namespace rcplan::cli
