#pragma once

// What the commands that talk to Kubernetes share: --kubeconfig, --context and --namespace, and
// the client they make.

#include <rcplan/kubernetes/client.hpp>

#include <CLI/CLI.hpp>

#include <string>

namespace rcplan::cli {

struct kube_options {
  std::string kubeconfig;  ///< empty: $KUBECONFIG or ~/.kube/config
  std::string context;     ///< empty: the kubeconfig's current context
  std::string namespace_name;  ///< empty: the context's namespace
  std::string as_user;         ///< empty: the credentials' own user; else impersonated
};

/// Adds --kubeconfig (required when `required`), --context, --namespace and --as.
void add_kube_options(CLI::App& command, kube_options& o, bool required);

/// The access the options give; `o.namespace_name` overrides the context's namespace. With
/// `in_cluster` and no --kubeconfig, a pod's own service account when run in a pod.
[[nodiscard]] kubernetes::cluster_access kube_access(const kube_options& o, bool in_cluster = false);

/// A client for the options; `o.namespace_name` overrides the context's namespace.
[[nodiscard]] kubernetes::client kube_client(const kube_options& o);

}  // namespace rcplan::cli
