#pragma once

// How the bindings reach nodes that speak TLS only (Redis 6+ `tls-port` with `port 0`,
// `tls-cluster yes`, `tls-replication yes`). The nodes then also migrate keys and replicate
// over TLS among themselves; rcplan only needs to reach them the same way.

#include <filesystem>
#include <string>

namespace rcplan::redis {

struct tls_options {
  /// Connect with TLS. Every other field is read only when this is set.
  bool enabled = false;
  /// PEM file of the certificate authorities that sign the nodes' certificates; empty: the
  /// system's trust store.
  std::filesystem::path ca_file;
  /// The client's certificate and key (PEM), for nodes with `tls-auth-clients yes`: both or
  /// neither.
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  /// The name each node's certificate must carry; empty: the address connected to (the IP
  /// address or host name CLUSTER NODES gives). Kubernetes pods are reached by IP while their
  /// certificates often name a Service: set it to that name.
  std::string server_name;
  /// Check the node's certificate against `ca_file` and the name. Turning it off leaves the
  /// connection encrypted but open to anyone in the middle: for tests and debugging only.
  bool verify_peer = true;
};

/// Refuses (rcplan::error `rcplan.redis.tls`) options that cannot work, before any connection:
/// a file given that does not exist or cannot be read, a certificate without its key or a key
/// without its certificate. Nothing when TLS is off.
void check_tls_options(const tls_options& options);

}  // namespace rcplan::redis
