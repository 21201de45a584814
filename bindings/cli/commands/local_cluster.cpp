// `rcplan local cluster up|down --dir DIR`: Kubernetes on one machine for trying the operator —
// the test control plane (etcd, kube-apiserver, kube-controller-manager built from their Go
// modules by scripts/kube-testenv.sh), the local node agent (the stand-in for the kubelet and
// the scheduler) and the operator, each in the background, with rcplan's CRDs installed.
// `up` prints the kubeconfig; `kubectl apply -f` a DistributedRedisCluster and watch it.

#include "cli.hpp"
#include "support/daemon.hpp"
#include "support/exit.hpp"
#include "support/io.hpp"

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/config.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/local/agent.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

namespace rcplan::cli {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct cluster_cli_options {
  std::string dir;
  output_format format = output_format::text;
};

/// The control plane's script: $RCPLAN_KUBE_TESTENV, else the one of the source tree this
/// binary was built from.
std::string control_plane_script() {
  const char* env = std::getenv("RCPLAN_KUBE_TESTENV");
  if (env != nullptr && *env != '\0') return env;
  return RCPLAN_KUBE_TESTENV_SCRIPT;
}

fs::path marker(const fs::path& dir) { return dir / "local-cluster.json"; }

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void run_up(const cluster_cli_options& o) {
  const fs::path dir = fs::absolute(o.dir);
  if (fs::exists(marker(dir))) throw input_error(o.dir + " already holds a local Kubernetes cluster");
  fs::create_directories(dir);
  const fs::path plane = dir / "control-plane";
  std::cerr << "starting the control plane (built from its Go modules on first use; minutes the first time)"
            << std::endl;
  const int rc = run_program({control_plane_script(), "up", plane.string()});
  if (rc == 3) throw input_error("the control plane cannot be built here: " + slurp(plane / "unavailable"));
  if (rc != 0) throw input_error("the control plane did not start (see " + (plane / "logs").string() + ")");
  const fs::path kubeconfig = plane / "kubeconfig";
  std::ofstream(marker(dir)) << nlohmann::json{{"kubeconfig", kubeconfig.string()}}.dump() << '\n';
  kubernetes::client c(kubernetes::load_kubeconfig(kubeconfig));
  (void)kubernetes::install_crds(c);
  start_daemon({"local", "agent", "--kubeconfig", kubeconfig.string(), "--dir", (dir / "agent").string()},
               dir / "agent.log", dir / "agent.pid");
  start_daemon({"operator", "--kubeconfig", kubeconfig.string(), "--metrics-addr", "127.0.0.1:0"},
               dir / "operator.log", dir / "operator.pid");
  if (o.format == output_format::json) {
    print_json(std::cout, {{"kubeconfig", kubeconfig.string()}, {"dir", dir.string()}});
  } else {
    std::cout << kubeconfig.string() << '\n';
    std::cerr << "the control plane, the local node agent and the operator run in the background "
                 "(logs in "
              << dir.string() << "); try:\n  export KUBECONFIG=" << kubeconfig.string()
              << "\n  kubectl apply -f distributedrediscluster.yaml\n  kubectl get drc -w\n";
  }
}

void run_down(const cluster_cli_options& o) {
  const fs::path dir = fs::absolute(o.dir);
  // never remove a directory that is not a local cluster's: DIR is whatever the user typed
  if (!fs::exists(marker(dir))) throw input_error("no local Kubernetes cluster in " + o.dir + "; nothing removed");
  (void)stop_daemon(dir / "operator.pid", 60s);
  (void)stop_daemon(dir / "agent.pid", 30s);
  local::agent::stop_pods(dir / "agent");
  (void)run_program({control_plane_script(), "down", (dir / "control-plane").string()});
  fs::remove_all(dir);
  if (o.format == output_format::json) print_json(std::cout, {{"stopped", true}, {"removed", dir.string()}});
  else std::cout << "stopped the local Kubernetes cluster and removed " << dir.string() << '\n';
}

}  // namespace

void add_local_cluster_command(CLI::App& local) {
  CLI::App* cluster = local.add_subcommand(
      "cluster", "Kubernetes on this machine: the test control plane, the local node agent and the operator");
  cluster->require_subcommand(1);
  auto opts = std::make_shared<cluster_cli_options>();
  CLI::App* up = cluster->add_subcommand("up", "Start them in the background and print the kubeconfig");
  CLI::App* down = cluster->add_subcommand("down", "Stop them, with every pod, and remove DIR");
  for (CLI::App* cmd : {up, down}) {
    cmd->add_option("--dir", opts->dir, "Work directory")->required();
    add_output_option(*cmd, opts->format);
  }
  up->callback([opts] { run_up(*opts); });
  down->callback([opts] { run_down(*opts); });
}

}  // namespace rcplan::cli
