// `rcplan kube install`: rcplan's CustomResourceDefinitions into the cluster a kubeconfig
// names, idempotently, waiting until the API server serves them; with --operator also the
// operator: its ServiceAccount, the least ClusterRole it needs, and its Deployment.

#include "cli.hpp"
#include "support/kube.hpp"

#include <rcplan/kubernetes/install.hpp>

#include <iostream>
#include <memory>

namespace rcplan::cli {
namespace {

struct kube_install_options {
  kube_options kube;
  int timeout_seconds = 60;
  bool with_operator = false;
  kubernetes::operator_options operator_settings;
};

void run_install(const kube_install_options& o) {
  kubernetes::client c = kube_client(o.kube);
  kubernetes::install_options io;
  io.timeout = std::chrono::seconds(o.timeout_seconds);
  for (const std::string& applied : kubernetes::install_crds(c, io).applied) std::cout << "applied " << applied << '\n';
  std::cout << "every CustomResourceDefinition is Established\n";
  if (!o.with_operator) return;
  for (const std::string& applied : kubernetes::install_operator(c, o.operator_settings).applied)
    std::cout << "applied " << applied << '\n';
}

}  // namespace

void add_kube_command(CLI::App& app) {
  CLI::App* kube = app.add_subcommand("kube", "Work with a Kubernetes cluster");
  kube->require_subcommand(1);
  auto opts = std::make_shared<kube_install_options>();
  CLI::App* install = kube->add_subcommand("install", "Install or update rcplan's CustomResourceDefinitions");
  add_kube_options(*install, opts->kube, false);
  install->add_option("--timeout", opts->timeout_seconds, "Seconds to wait for the CRDs to be Established")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  install->add_flag("--operator", opts->with_operator,
                    "Also the operator: its Namespace, ServiceAccount, least-privilege ClusterRole and binding, and Deployment");
  install->add_option("--operator-namespace", opts->operator_settings.namespace_name,
                      "Namespace the operator runs in")
      ->capture_default_str();
  install->add_option("--operator-image", opts->operator_settings.image, "The operator's image")->capture_default_str();
  install->callback([opts] { run_install(*opts); });
}

}  // namespace rcplan::cli
