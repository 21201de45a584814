#pragma once

// Where the API server is and how to prove who we are: from a kubeconfig file (its current
// context, or a named one) or from the pod's service account when running inside a cluster.
// The credentials are secrets: they are never part of an error message or a log line.

#include <filesystem>
#include <string>

namespace rcplan::kubernetes {

struct cluster_access {
  std::string server;  ///< "https://host:port", no trailing slash
  std::string certificate_authority_pem;  ///< empty: the system's trust store
  bool insecure_skip_tls_verify = false;
  std::string client_certificate_pem;
  std::string client_key_pem;  ///< secret
  std::string token;           ///< secret (a bearer token)
  std::string namespace_name = "default";  ///< the context's namespace
  /// Act as this user (`Impersonate-User`), e.g. "system:serviceaccount:NS:NAME"; empty: as
  /// the credentials' own user. Needs the `impersonate` verb.
  std::string impersonate_user;
};

/// Reads a kubeconfig: the context `context` (empty: `current-context`), its cluster, user and
/// namespace. Certificate data may be inline (`*-data`, base64) or files (relative paths are
/// relative to the kubeconfig's directory). Throws rcplan::error (`rcplan.kubernetes.config`)
/// naming the file and the missing or malformed field.
[[nodiscard]] cluster_access load_kubeconfig(const std::filesystem::path& file, const std::string& context = {});

/// The kubeconfig a user means: `$KUBECONFIG` (its first entry), else `~/.kube/config`.
[[nodiscard]] std::filesystem::path default_kubeconfig_path();

/// Inside a pod: `KUBERNETES_SERVICE_HOST`/`_PORT` and the service account's token, CA and
/// namespace under `account_dir`. Throws rcplan::error (`rcplan.kubernetes.config`) outside a
/// cluster.
[[nodiscard]] cluster_access in_cluster_config(
    const std::filesystem::path& account_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace rcplan::kubernetes
