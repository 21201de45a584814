#pragma once

// Test support: a private certificate authority with a certificate for the test's Redis nodes
// (127.0.0.1 and localhost) and one for its clients, made with rcplan's certificate maker; the
// arguments that make a redis-server speak TLS only, and the client options that trust it.

#include <rcplan/redis/certificates.hpp>
#include <rcplan/redis/tls.hpp>

#include "support/redis_server.hpp"
#include "support/temp_files.hpp"

#include <string>
#include <vector>

namespace rcplan_test {

class test_pki {
 public:
  test_pki() {
    ca_ = rcplan::redis::make_authority(dir_.path(), "ca");
    rcplan::redis::certificate_request node;
    node.common_name = "rcplan test node";
    node.dns_names = {"localhost"};
    node.ip_addresses = {"127.0.0.1"};
    node_ = rcplan::redis::issue_certificate(ca_, dir_.path(), "node", node);
    rcplan::redis::certificate_request client;
    client.common_name = "rcplan test client";
    client_ = rcplan::redis::issue_certificate(ca_, dir_.path(), "client", client);
  }

  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_.path(); }
  [[nodiscard]] const rcplan::redis::pem_pair& authority() const noexcept { return ca_; }

  /// A TLS-only server on `port`: nodes talk TLS to each other too, and clients need a
  /// certificate of this authority.
  [[nodiscard]] std::vector<std::string> server_args(std::uint16_t port) const {
    return {"--port", "0", "--tls-port", std::to_string(port), "--tls-cluster", "yes", "--tls-replication", "yes",
            "--tls-cert-file", node_.cert.string(), "--tls-key-file", node_.key.string(),
            "--tls-ca-cert-file", ca_.cert.string(), "--tls-auth-clients", "yes"};
  }

  /// For redis_process and live_cluster; refers to this authority, which must outlive them.
  [[nodiscard]] tls_server server() const {
    return {[this](std::uint16_t port) { return server_args(port); }, client_options()};
  }

  /// What a client of these servers connects with.
  [[nodiscard]] rcplan::redis::tls_options client_options() const {
    rcplan::redis::tls_options o;
    o.enabled = true;
    o.ca_file = ca_.cert;
    o.cert_file = client_.cert;
    o.key_file = client_.key;
    return o;
  }

 private:
  temp_dir dir_;
  rcplan::redis::pem_pair ca_;
  rcplan::redis::pem_pair node_;
  rcplan::redis::pem_pair client_;
};

}  // namespace rcplan_test
