// `rcplan local up|apply|status|down --spec FILE --dir DIR`, and `rcplan local agent`: a real cluster of redis-server
// processes on this machine, made from a spec and changed by applying a changed spec. The
// processes outlive the command; `status` looks at them, `down` stops them and removes DIR.
// `up --tls` makes the cluster TLS-only, with certificates in DIR/tls that every later command
// on DIR uses and prints for other clients.

#include "cli.hpp"
#include "support/converge_run.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/local_cluster.hpp"
#include "support/spec_input.hpp"
#include "support/kube.hpp"
#include "support/stop_signal.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/local/agent.hpp>
#include <rcplan/local/runtime.hpp>
#include <rcplan/redis/converge.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

namespace rcplan::cli {
namespace {

struct local_cli_options {
  std::string spec;
  std::string dir;
  connection_options connection;
  bool tls = false;  ///< `up`: run the cluster TLS-only
  output_format format = output_format::text;
};

enum class converge_mode { up, apply };

void run_converge(const local_cli_options& o, converge_mode mode) {
  const cluster_resource desired = read_valid_resource(o.spec);
  const redis::secret password = password_for_spec(desired, o.connection);
  const std::filesystem::path dir{o.dir};
  if (mode == converge_mode::up && local::holds_cluster(dir))
    throw input_error(o.dir + " already holds a local cluster: change it with `rcplan local apply`, or remove it "
                              "with `rcplan local down`");
  if (mode == converge_mode::apply && !local::holds_cluster(dir))
    throw input_error("no local cluster in " + o.dir + ": create one with `rcplan local up`");

  local::runtime_options ro = local_options(dir, password);
  ro.previous_password = resolve_previous_password(o.connection, password);
  ro.tls = o.tls;
  local::runtime runtime(ro);
  converge_settings cs;
  cs.password = password;
  cs.previous_password = ro.previous_password;
  cs.tls = runtime.client_tls();
  cs.parallel = o.connection.parallel;
  cs.pace = o.connection.pace;
  cs.format = o.format;
  cs.node_timeout_ms = ro.node_timeout_ms;
  const converge_run run = converge_printing(std::cout, {}, desired, cs, &runtime);
  const redis::converge_result& r = run.result;

  redis::observe_options oo;
  oo.password = password;
  oo.previous_password = ro.previous_password;
  const topology t = observe_local(runtime, oo);
  if (o.format == output_format::json) {
    nlohmann::ordered_json doc;
    add_converge_result(doc, run);
    std::ostringstream status;
    print_local_status(status, t, &desired, output_format::json);
    doc["cluster"] = nlohmann::ordered_json::parse(status.str());
    doc["tls"] = local_tls_json(runtime);
    print_json(std::cout, doc);
  } else {
    std::cout << "\nresult: " << (r.converged ? "converged" : "not converged") << " after " << r.iterations
              << (r.iterations == 1 ? " iteration" : " iterations") << " in " << o.dir << "\n";
    for (const diagnostic& d : r.diagnostics) std::cout << "  " << d.code << ": " << d.message << '\n';
    std::cout << '\n';
    print_local_status(std::cout, t, &desired, output_format::text);
    print_local_tls(std::cout, runtime);
  }
  std::cout.flush();
  if (!r.converged) throw command_exit(exit_blocked);
}

void run_status(const local_cli_options& o) {
  const std::filesystem::path dir{o.dir};
  if (!local::holds_cluster(dir)) throw input_error("no local cluster in " + o.dir);
  std::optional<cluster_resource> desired;
  if (!o.spec.empty()) desired = read_valid_resource(o.spec);
  const redis::secret password = desired ? password_for_spec(*desired, o.connection) : resolve_password(o.connection);
  local::runtime runtime(local_options(dir, password));
  redis::observe_options oo;
  oo.password = password;
  oo.keys_per_slot = true;
  if (desired) oo = redis::observation_for(*desired, oo);
  const topology t = observe_local(runtime, oo);
  if (o.format == output_format::json) {
    std::ostringstream status;
    print_local_status(status, t, desired ? &*desired : nullptr, o.format);
    nlohmann::ordered_json doc = nlohmann::ordered_json::parse(status.str());
    doc["tls"] = local_tls_json(runtime);
    print_json(std::cout, doc);
  } else {
    print_local_status(std::cout, t, desired ? &*desired : nullptr, o.format);
    print_local_tls(std::cout, runtime);
  }
}

void run_down(const local_cli_options& o) {
  const std::filesystem::path dir{o.dir};
  // never remove a directory that is not a local cluster's: DIR is whatever the user typed
  if (!local::holds_cluster(dir)) throw input_error("no local cluster in " + o.dir + "; nothing removed");
  local::runtime runtime(local_options(dir, {}));
  runtime.down(true);
  if (o.format == output_format::json) print_json(std::cout, {{"stopped", true}, {"removed", o.dir}});
  else std::cout << "stopped the local cluster and removed " << o.dir << '\n';
}

struct agent_cli_options {
  kube_options kube;
  std::string dir;
  std::string redis_server = "redis-server";
  bool stop_pods = false;
};

void run_agent(const agent_cli_options& o) {
  local::agent_options ao;
  ao.dir = o.dir;
  ao.redis_server = o.redis_server;
  ao.namespace_name = o.kube.namespace_name;
  // rcplan containers (restore init containers, backup Jobs) run as this very binary
  std::error_code ec;
  ao.rcplan = std::filesystem::read_symlink("/proc/self/exe", ec);
  kube_options access_only = o.kube;
  access_only.namespace_name.clear();
  local::agent agent(kube_access(access_only), ao);
  const std::atomic<bool>& stop = stop_requested();
  std::cerr << "local node agent (a stand-in for the kubelet and the scheduler): nodes";
  for (const std::string& h : ao.hosts) std::cerr << ' ' << h;
  std::cerr << ", pod IPs " << agent.pod_network() << "0.0/16, pods in "
            << (ao.namespace_name.empty() ? std::string("every namespace") : ao.namespace_name) << std::endl;
  agent.run(stop);
  if (o.stop_pods) local::agent::stop_pods(ao.dir);
}

CLI::App* add_local_subcommand(CLI::App& parent, const char* name, const char* description,
                               const std::shared_ptr<local_cli_options>& opts, bool spec_required) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  CLI::Option* spec =
      cmd->add_option("--spec", opts->spec, "DistributedRedisCluster resource or bare spec, YAML or JSON");
  if (spec_required) spec->required();
  cmd->add_option("--dir", opts->dir, "Work directory of the local cluster")->required();
  add_password_options(*cmd, opts->connection);
  add_output_option(*cmd, opts->format);
  return cmd;
}

}  // namespace

void add_local_command(CLI::App& app) {
  CLI::App* local = app.add_subcommand("local", "A real cluster of redis-server processes on this machine");
  local->require_subcommand(1);
  auto opts = std::make_shared<local_cli_options>();
  add_local_subcommand(*local, "up", "Create a local cluster from a spec and converge it", opts, true)
      ->callback([opts] { run_converge(*opts, converge_mode::up); })
      ->add_flag("--tls", opts->tls,
                 "Run the cluster TLS-only (clients, cluster bus, replication), with an authority and certificates "
                 "made in DIR/tls; later commands on DIR find it. Clients connect with --tls --tls-ca-cert "
                 "DIR/tls/ca.crt --tls-cert DIR/tls/client.crt --tls-key DIR/tls/client.key");
  add_local_subcommand(*local, "apply", "Converge an existing local cluster to a (changed) spec", opts, true)
      ->callback([opts] { run_converge(*opts, converge_mode::apply); });
  add_local_subcommand(*local, "status", "Show a local cluster's topology, pods and status", opts, false)
      ->callback([opts] { run_status(*opts); });
  add_local_subcommand(*local, "down", "Stop a local cluster and remove its directory", opts, false)
      ->callback([opts] { run_down(*opts); });

  auto agent_opts = std::make_shared<agent_cli_options>();
  CLI::App* agent = local->add_subcommand(
      "agent",
      "The local node agent, a stand-in for the kubelet and the scheduler: runs a Kubernetes API server's pods as "
      "redis-server processes on this machine until SIGTERM");
  add_kube_options(*agent, agent_opts->kube, true);
  agent->add_option("--dir", agent_opts->dir, "Work directory: the pods' files and volumes")->required();
  agent->add_option("--redis-server", agent_opts->redis_server, "redis-server binary (default: on PATH)");
  agent->add_flag("--stop-pods", agent_opts->stop_pods, "Stop the pods' processes when the agent stops");
  agent->callback([agent_opts] { run_agent(*agent_opts); });
  add_local_cluster_command(*local);
  add_local_backup_commands(*local);
}

}  // namespace rcplan::cli
