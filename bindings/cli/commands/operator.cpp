// `rcplan operator`: the operator — watches DistributedRedisCluster resources and converges
// each one (rcplan::controller::operator_manager) until SIGTERM.

#include "cli.hpp"
#include "support/exit.hpp"
#include "support/kube.hpp"
#include "support/stop_signal.hpp"

#include <rcplan/controller/manager.hpp>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace rcplan::cli {
namespace {

struct operator_cli_options {
  kube_options kube;
  bool all_namespaces = false;
  controller::operator_options run;
  int resync_seconds = 30;
  int lease_seconds = 15;
};

std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

void run_operator(operator_cli_options o) {
  kube_options access_only = o.kube;
  access_only.namespace_name.clear();
  const kubernetes::cluster_access access = kube_access(access_only, true);
  o.run.namespace_name = o.all_namespaces ? std::string{} : o.kube.namespace_name;
  if (o.run.lease_namespace.empty()) o.run.lease_namespace = env_or("POD_NAMESPACE", access.namespace_name);
  if (o.run.identity.empty()) o.run.identity = env_or("POD_NAME", "");
  if (o.run.reconcile.tools_image.empty())
    o.run.reconcile.tools_image = env_or("RCPLAN_TOOLS_IMAGE", kubernetes::default_tools_image);
  o.run.resync = std::chrono::seconds(std::max(1, o.resync_seconds));
  o.run.lease_duration = std::chrono::seconds(std::max(2, o.lease_seconds));
  controller::operator_manager m(access, o.run);
  const std::atomic<bool>& stop = stop_requested();
  std::cerr << "rcplan operator: watching DistributedRedisClusters and RedisClusterBackups in "
            << (o.run.namespace_name.empty() ? std::string("every namespace") : o.run.namespace_name)
            << (o.run.leader_elect ? ", with leader election" : "") << std::endl;
  const int code = m.run(stop);
  std::cerr << "rcplan operator: stopped" << std::endl;
  if (code != 0) throw command_exit(exit_blocked);  // lost the Lease: another replica leads now
}

}  // namespace

void add_operator_command(CLI::App& app) {
  auto o = std::make_shared<operator_cli_options>();
  o->run.lease_namespace.clear();
  o->run.reconcile.tools_image.clear();
  CLI::App* cmd = app.add_subcommand(
      "operator", "Run the operator: converge every DistributedRedisCluster (in-cluster config without --kubeconfig)");
  add_kube_options(*cmd, o->kube, false);
  cmd->add_flag("--all-namespaces,-A", o->all_namespaces, "Watch every namespace (the default without --namespace)");
  cmd->add_option("--metrics-addr", o->run.metrics_addr, "Serve /healthz, /readyz and /metrics on HOST:PORT (e.g. :8080)");
  cmd->add_flag("--leader-elect", o->run.leader_elect, "Act only while holding the Lease (for several replicas)");
  cmd->add_option("--lease-namespace", o->run.lease_namespace, "Namespace of the Lease (default: $POD_NAMESPACE, else the context's)");
  cmd->add_option("--lease-name", o->run.lease_name, "Name of the Lease")->capture_default_str();
  cmd->add_option("--lease-seconds", o->lease_seconds, "Lease duration")->capture_default_str();
  cmd->add_option("--identity", o->run.identity, "This replica in the Lease and Events (default: $POD_NAME, else host-pid)");
  cmd->add_option("--resync-seconds", o->resync_seconds, "Reconcile every resource at least this often")->capture_default_str();
  cmd->add_option("--tools-image", o->run.reconcile.tools_image,
                  "Image holding the rcplan binary, for restore init containers and backup Jobs (default: "
                  "$RCPLAN_TOOLS_IMAGE, else rcplan:latest)");
  cmd->add_option("--workers", o->run.workers, "Resources reconciled in parallel")->capture_default_str();
  cmd->callback([o] { run_operator(*o); });
}

}  // namespace rcplan::cli
