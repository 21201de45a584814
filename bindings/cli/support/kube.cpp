#include "kube.hpp"

#include <rcplan/kubernetes/config.hpp>

#include <cstdlib>

namespace rcplan::cli {

void add_kube_options(CLI::App& command, kube_options& o, bool required) {
  CLI::Option* k = command.add_option("--kubeconfig", o.kubeconfig, "kubeconfig file (default: $KUBECONFIG, ~/.kube/config)");
  if (required) k->required();
  command.add_option("--context", o.context, "kubeconfig context (default: its current context)");
  command.add_option("--namespace,-n", o.namespace_name, "namespace (default: the context's)");
  command.add_option("--as", o.as_user, "act as this user (impersonation), e.g. system:serviceaccount:NS:NAME");
}

kubernetes::cluster_access kube_access(const kube_options& o, bool in_cluster) {
  kubernetes::cluster_access a;
  if (in_cluster && o.kubeconfig.empty() && std::getenv("KUBERNETES_SERVICE_HOST") != nullptr) {
    a = kubernetes::in_cluster_config();
  } else {
    const std::filesystem::path file = o.kubeconfig.empty() ? kubernetes::default_kubeconfig_path()
                                                             : std::filesystem::path(o.kubeconfig);
    a = kubernetes::load_kubeconfig(file, o.context);
  }
  if (!o.namespace_name.empty()) a.namespace_name = o.namespace_name;
  if (!o.as_user.empty()) a.impersonate_user = o.as_user;
  return a;
}

kubernetes::client kube_client(const kube_options& o) { return kubernetes::client(kube_access(o)); }

}  // namespace rcplan::cli
