// `rcplan apply --spec FILE --redis HOST:PORT`: converges a live cluster to the spec with
// run_until_converged(), without a platform. Redis steps run; the first Kubernetes step (a
// StatefulSet to apply, a pod to delete) stops it with exit 3, since nothing here can carry it
// out (`rcplan local apply` can, for a local cluster).

#include "cli.hpp"
#include "support/converge_run.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/plan_text.hpp"
#include "support/spec_input.hpp"

#include <rcplan/json/plan.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

namespace rcplan::cli {
namespace {

struct apply_options {
  std::string spec;
  connection_options connection;
  output_format format = output_format::text;
};

/// The first Kubernetes step of `p`, if any.
const step* first_kubernetes_step(const plan& p) {
  const auto it = std::find_if(p.steps.begin(), p.steps.end(), [](const step& s) { return !is_redis_action(s.action); });
  return it == p.steps.end() ? nullptr : &*it;
}

void run_apply(const apply_options& o) {
  const cluster_resource desired = read_valid_resource(o.spec);
  const std::vector<address> seeds = parse_seeds(o.connection.redis);
  converge_settings cs;
  cs.password = resolve_password(o.connection);
  cs.previous_password = resolve_previous_password(o.connection, cs.password);
  cs.parallel = o.connection.parallel;
  cs.pace = o.connection.pace;
  cs.format = o.format;
  cs.tls = tls_options_for(o.connection.tls);
  // a live cluster's nodes must answer before anything is planned: a clear error, nothing changed
  redis::observe_options first;
  first.password = cs.password;
  first.previous_password = cs.previous_password;
  first.tls = cs.tls;
  (void)observe_cluster(seeds, first);
  const converge_run run = converge_printing(std::cout, seeds, desired, cs, nullptr);
  const redis::converge_result& r = run.result;
  const step* kube = r.converged ? nullptr : first_kubernetes_step(r.last_plan);

  if (o.format == output_format::json) {
    nlohmann::ordered_json doc;
    add_converge_result(doc, run);
    if (kube != nullptr) doc["result"]["stopped_at"] = describe_action(kube->action);
    print_json(std::cout, doc);
  } else {
    std::cout << "\nresult: " << (r.converged ? "converged" : "not converged") << " after " << r.iterations
              << (r.iterations == 1 ? " iteration\n" : " iterations\n");
    for (const diagnostic& d : r.diagnostics) std::cout << "  " << d.code << ": " << d.message << '\n';
  }
  std::cout.flush();
  if (r.converged) return;
  if (kube != nullptr)
    std::cerr << "rcplan: stopped at a Kubernetes step (" << describe_action(kube->action)
              << "): apply --redis runs only Redis steps; a platform must carry out the rest "
                 "(rcplan local apply for a local cluster)\n";
  else
    std::cerr << "rcplan: the cluster did not converge; the last plan is " << to_string(r.last_plan.status) << '\n';
  throw command_exit(exit_blocked);
}

}  // namespace

void add_apply_command(CLI::App& app) {
  auto opts = std::make_shared<apply_options>();
  CLI::App* cmd = app.add_subcommand("apply", "Converge a live cluster to a spec (Redis steps only)");
  cmd->add_option("--spec", opts->spec, "DistributedRedisCluster resource or bare spec, YAML or JSON")->required();
  add_connection_options(*cmd, opts->connection, true);
  add_output_option(*cmd, opts->format);
  cmd->callback([opts] { run_apply(*opts); });
}

}  // namespace rcplan::cli
