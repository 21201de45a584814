#include "pod_conf.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace rcplan::local::detail {
namespace {

constexpr std::array<std::string_view, 29> owned = {
    "appendonly",          "bind",                  "cluster-announce-bus-port", "cluster-announce-hostname",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-tls-port", "cluster-config-file",
    "cluster-enabled",     "cluster-node-timeout",  "cluster-port",              "daemonize",
    "dir",                 "include",               "logfile",                   "masterauth",
    "masteruser",          "pidfile",               "port",                      "requirepass",
    "supervised",          "unixsocket",            "tls-auth-clients",          "tls-ca-cert-file",
    "tls-cert-file",       "tls-cluster",           "tls-key-file",              "tls-port",
    "tls-replication",
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

bool runtime_owned_directive(std::string_view key) {
  const std::string k = lower(key);
  return std::find(owned.begin(), owned.end(), k) != owned.end();
}

std::string quote_conf_value(std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string render_pod_conf(const std::string& configmap_text, const pod_conf_options& o) {
  std::string out = "# From the ConfigMap, without the directives the local runtime owns.\n";
  std::size_t pos = 0;
  while (pos < configmap_text.size()) {
    auto end = configmap_text.find('\n', pos);
    if (end == std::string::npos) end = configmap_text.size();
    const std::string_view line(configmap_text.data() + pos, end - pos);
    pos = end + 1;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) continue;
    const auto key_end = line.find_first_of(" \t\r", first);
    const std::string_view key = line.substr(first, key_end == std::string_view::npos ? line.npos : key_end - first);
    if (key.front() != '#' && runtime_owned_directive(key)) continue;
    out.append(line);
    out += '\n';
  }
  const std::string dir = o.dir.string();
  out += "# Owned by the local runtime.\n";
  if (o.tls != nullptr) {
    // TLS only: no plaintext port; the cluster bus and replication use TLS too, and clients
    // need a certificate of the same authority.
    out += "port 0\n";
    out += "tls-port " + std::to_string(o.port) + "\n";
    out += "tls-cluster yes\n";
    out += "tls-replication yes\n";
    out += "tls-cert-file " + quote_conf_value(o.tls->cert_file.string()) + "\n";
    out += "tls-key-file " + quote_conf_value(o.tls->key_file.string()) + "\n";
    out += "tls-ca-cert-file " + quote_conf_value(o.tls->ca_file.string()) + "\n";
    out += "tls-auth-clients yes\n";
  } else {
    out += "port " + std::to_string(o.port) + "\n";
  }
  out += "bind " + o.ip + "\n";
  // Announcing the pod's IP gives a fresh node its address in CLUSTER NODES before anyone has
  // met it, as a pod has its IP from the start (Redis would show none).
  out += "cluster-announce-ip " + o.ip + "\n";
  out += "dir " + quote_conf_value(dir) + "\n";
  out += "cluster-enabled yes\n";
  out += "cluster-config-file nodes.conf\n";
  out += "cluster-node-timeout " + std::to_string(o.node_timeout_ms) + "\n";
  out += "logfile " + quote_conf_value(((o.log_dir.empty() ? o.dir : o.log_dir) / "redis.log").string()) + "\n";
  out += "appendonly yes\n";  // a restarted pod must come back with its keys
  if (o.password != nullptr && !o.password->empty()) {
    out += "requirepass " + quote_conf_value(*o.password) + "\n";
    out += "masterauth " + quote_conf_value(*o.password) + "\n";
    if (o.user != nullptr && !o.user->empty()) {
      out += "user " + *o.user + " on " + quote_conf_value(">" + *o.password) + " ~* &* +@all\n";
      out += "masteruser " + *o.user + "\n";
    }
  }
  return out;
}

}  // namespace rcplan::local::detail
