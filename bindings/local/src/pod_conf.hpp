#pragma once

// A pod's redis.conf: the ConfigMap's text with the lines the runtime owns taken out, then those
// lines (port, paths, cluster identity, persistence, password).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rcplan::local::detail {

/// The files a TLS-only pod serves with (absolute paths).
struct pod_tls_files {
  std::filesystem::path ca_file;    ///< the authority clients' and peers' certificates must chain to
  std::filesystem::path cert_file;  ///< the node's certificate (server and client use: the bus is TLS too)
  std::filesystem::path key_file;
};

struct pod_conf_options {
  std::uint16_t port = 0;
  /// The pod's IP: the address it binds, announces and connects from.
  std::string ip = "127.0.0.1";
  std::filesystem::path dir;  ///< the pod's data directory (absolute)
  /// Where redis.log goes; empty: the data directory.
  std::filesystem::path log_dir;
  std::uint32_t node_timeout_ms = 3000;
  const std::string* password = nullptr;  ///< null or empty: no requirepass/masterauth
  /// An ACL user the password is also for (null or empty: none), defined with every right and
  /// used by replicas to reach their master (masteruser).
  const std::string* user = nullptr;
  /// Null: plain TCP. Else TLS only on `port` (`port 0`), for clients, the cluster bus and
  /// replication, clients authenticated by certificate.
  const pod_tls_files* tls = nullptr;
};

/// Whether redis.conf directive `key` is one the runtime writes itself (case-insensitive), so a
/// ConfigMap's copy of it is dropped: the pod's address, files and cluster identity are the
/// runtime's, and a Kubernetes path like `dir /data` would not even exist here.
[[nodiscard]] bool runtime_owned_directive(std::string_view key);

/// `text` quoted for redis.conf (Redis' own sdssplitargs syntax): double quotes, with `\"`,
/// `\\` and `\xHH` for anything not printable.
[[nodiscard]] std::string quote_conf_value(std::string_view text);

[[nodiscard]] std::string render_pod_conf(const std::string& configmap_text, const pod_conf_options& o);

}  // namespace rcplan::local::detail
