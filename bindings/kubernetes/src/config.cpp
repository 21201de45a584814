#include <rcplan/error.hpp>
#include <rcplan/kubernetes/config.hpp>

#include "text.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace rcplan::kubernetes {

namespace {

constexpr const char* config_error = "rcplan.kubernetes.config";

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& message) {
  throw error(config_error, file.string() + ": " + message);
}

std::string read_file(const std::filesystem::path& file, const std::filesystem::path& origin, const std::string& what) {
  std::ifstream in(file, std::ios::binary);
  if (!in) fail(origin, "cannot read " + what + " file " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The entry of `list` (a kubeconfig's `clusters`, `users` or `contexts`) named `name`.
YAML::Node named(const YAML::Node& list, const std::string& name, const std::string& field,
                 const std::filesystem::path& file) {
  if (list && list.IsSequence())
    for (const YAML::Node& entry : list)
      if (entry["name"] && entry["name"].as<std::string>() == name) return entry;
  fail(file, field + ": no entry named \"" + name + "\"");
}

std::string scalar(const YAML::Node& parent, const char* key) {
  const YAML::Node n = parent[key];
  return n && n.IsScalar() ? n.as<std::string>() : std::string{};
}

/// `<key>-data` (base64) or `<key>` (a file), as kubeconfig allows for certificates and keys.
std::string pem(const YAML::Node& parent, const std::string& key, const std::string& field,
                const std::filesystem::path& file) {
  const std::string data = scalar(parent, (key + "-data").c_str());
  if (!data.empty()) {
    std::string decoded;
    if (!detail::base64_decode(data, decoded)) fail(file, field + "." + key + "-data is not base64");
    return decoded;
  }
  const std::string path = scalar(parent, key.c_str());
  if (path.empty()) return {};
  std::filesystem::path p(path);
  if (p.is_relative()) p = file.parent_path() / p;
  return read_file(p, file, field + "." + key);
}

}  // namespace

std::filesystem::path default_kubeconfig_path() {
  if (const char* env = std::getenv("KUBECONFIG"); env != nullptr && *env != '\0') {
    const std::string list = env;
    return list.substr(0, list.find(':'));
  }
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "") / ".kube" / "config";
}

cluster_access load_kubeconfig(const std::filesystem::path& file, const std::string& context) {
  YAML::Node root;
  try {
    root = YAML::Load(read_file(file, file, "kubeconfig"));
  } catch (const YAML::Exception& e) {
    fail(file, "not YAML: line " + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  if (!root.IsMap()) fail(file, "not a kubeconfig (no mapping at the top level)");
  const std::string context_name = context.empty() ? scalar(root, "current-context") : context;
  if (context_name.empty()) fail(file, "current-context: not set, and no context was named");
  const YAML::Node ctx = named(root["contexts"], context_name, "contexts", file)["context"];
  if (!ctx || !ctx.IsMap()) fail(file, "contexts[" + context_name + "].context: missing");
  const std::string cluster_name = scalar(ctx, "cluster");
  const std::string user_name = scalar(ctx, "user");
  if (cluster_name.empty()) fail(file, "contexts[" + context_name + "].context.cluster: missing");

  cluster_access a;
  const YAML::Node cluster = named(root["clusters"], cluster_name, "clusters", file)["cluster"];
  const std::string cluster_field = "clusters[" + cluster_name + "].cluster";
  if (!cluster || !cluster.IsMap()) fail(file, cluster_field + ": missing");
  a.server = scalar(cluster, "server");
  if (a.server.empty()) fail(file, cluster_field + ".server: missing");
  while (!a.server.empty() && a.server.back() == '/') a.server.pop_back();
  a.certificate_authority_pem = pem(cluster, "certificate-authority", cluster_field, file);
  a.insecure_skip_tls_verify = scalar(cluster, "insecure-skip-tls-verify") == "true";

  if (!user_name.empty()) {
    const YAML::Node user = named(root["users"], user_name, "users", file)["user"];
    const std::string user_field = "users[" + user_name + "].user";
    if (user && user.IsMap()) {
      a.client_certificate_pem = pem(user, "client-certificate", user_field, file);
      a.client_key_pem = pem(user, "client-key", user_field, file);
      a.token = scalar(user, "token");
      const std::string token_file = scalar(user, "tokenFile");
      if (a.token.empty() && !token_file.empty()) a.token = detail::trim(read_file(token_file, file, user_field + ".tokenFile"));
      if (a.client_certificate_pem.empty() != a.client_key_pem.empty())
        fail(file, user_field + ": a client certificate needs its key, and a key its certificate");
      if (user["exec"] || user["auth-provider"])
        if (a.token.empty() && a.client_certificate_pem.empty())
          fail(file, user_field + ": exec and auth-provider credentials are not supported; give a token or a client certificate");
    }
  }
  const std::string ns = scalar(ctx, "namespace");
  if (!ns.empty()) a.namespace_name = ns;
  return a;
}

cluster_access in_cluster_config(const std::filesystem::path& account_dir) {
  const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
  const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0')
    throw error(config_error, "not running inside a cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set");
  cluster_access a;
  const std::string h = host;
  a.server = "https://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + port;
  a.token = detail::trim(read_file(account_dir / "token", account_dir, "service account token"));
  a.certificate_authority_pem = read_file(account_dir / "ca.crt", account_dir, "service account CA");
  std::ifstream ns(account_dir / "namespace");
  std::string name;
  if (ns && std::getline(ns, name) && !detail::trim(name).empty()) a.namespace_name = detail::trim(name);
  return a;
}

}  // namespace rcplan::kubernetes
