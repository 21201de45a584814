#pragma once

// Certificates for TLS-only local Redis clusters (tls-port, tls-cluster, tls-replication): a
// private authority and the node certificates it signs, made by rcplan itself so that a local
// cluster needs no outside tooling, and so that tests can make the certificates a handshake
// must refuse (an expired one, one from another authority).
//
// Keys are EC P-256 and signatures SHA-256: every TLS library Redis builds against takes them,
// and they are quick to make. The files are PEM; private keys are written with mode 0600.

#include <filesystem>
#include <string>
#include <vector>

namespace rcplan::redis {

/// A certificate and its private key, PEM files.
struct pem_pair {
  std::filesystem::path cert;
  std::filesystem::path key;
};

/// What a leaf certificate says about its holder.
struct certificate_request {
  /// The subject's CN; empty: the certificate's file name. Clients check the names below, not this.
  std::string common_name;
  /// subjectAltName DNS entries.
  std::vector<std::string> dns_names;
  /// subjectAltName IP entries, IPv4 or IPv6 text.
  std::vector<std::string> ip_addresses;
  /// Days the certificate is valid, from its start (at least 1).
  int valid_days = 365;
  /// Days from now to the start; negative starts it in the past, so that with a short
  /// `valid_days` the certificate has already expired (-10 and 5: ended five days ago).
  int not_before_days = 0;
  /// Whether it may also authenticate as a TLS client (clientAuth beside serverAuth): cluster
  /// nodes present their certificate as clients on the cluster bus and on replication links.
  bool client = true;
};

/// Makes a self-signed authority in `dir` (created if missing) as `<name>.crt` and `<name>.key`,
/// with `name` as its CN: CA:TRUE (critical), keyUsage keyCertSign and cRLSign, valid from now
/// for `valid_days`. Throws rcplan::error `rcplan.redis.certificates` naming the file or the
/// OpenSSL step that failed.
[[nodiscard]] pem_pair make_authority(const std::filesystem::path& dir, const std::string& name, int valid_days = 3650);

/// Issues a certificate signed by `ca` (as make_authority() wrote it) into `dir` (created if
/// missing) as `<name>.crt` and `<name>.key`: CA:FALSE, keyUsage digitalSignature and
/// keyEncipherment, extendedKeyUsage serverAuth (and clientAuth with `request.client`), the
/// request's names as subjectAltName, a random 128-bit serial, and key identifiers linking it
/// to its issuer. Throws rcplan::error `rcplan.redis.certificates` for an IP address that is no
/// IPv4 or IPv6 text (naming it), an unreadable or mismatched authority, and the failures
/// make_authority() reports.
[[nodiscard]] pem_pair issue_certificate(const pem_pair& ca, const std::filesystem::path& dir, const std::string& name,
                                         const certificate_request& request);

}  // namespace rcplan::redis
