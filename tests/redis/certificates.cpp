// The certificate maker against the openssl command line (what it verifies, what names it
// reads) and against a TLS-only redis-server, which must take the certificates as they are.

#include <rcplan/error.hpp>
#include <rcplan/redis/certificates.hpp>

#include "support/redis_server.hpp"
#include "support/temp_files.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using rcplan::redis::certificate_request;
using rcplan::redis::issue_certificate;
using rcplan::redis::make_authority;
using rcplan::redis::pem_pair;

bool have_tool(const std::string& name) { return std::system(("command -v " + name + " >/dev/null 2>&1").c_str()) == 0; }

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

/// Runs a shell command; its output (stdout and stderr) in `output`, whether it exited 0.
bool run(const std::string& command, std::string& output) {
  output.clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) output.append(buf, n);
  return ::pclose(p) == 0;
}

bool verifies(const pem_pair& ca, const fs::path& cert, std::string& output, const std::string& options = {}) {
  return run("openssl verify " + options + " -CAfile " + quoted(ca.cert) + " " + quoted(cert), output);
}

std::string text_of(const fs::path& cert) {
  std::string out;
  REQUIRE(run("openssl x509 -noout -text -in " + quoted(cert), out));
  return out;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

certificate_request local_node() {
  certificate_request r;
  r.common_name = "rcplan local node";
  r.dns_names = {"localhost", "node-0.rcplan.test"};
  r.ip_addresses = {"127.0.0.1", "::1"};
  return r;
}

void require_openssl() {
  if (!have_tool("openssl")) FAIL("the openssl command is not installed (apt-get install -y openssl)");
}

/// A TLS-only redis-server (no plain port), killed at the end. redis_process waits for a plain
/// port, so this one starts itself and waits for redis-cli over TLS.
class tls_server {
 public:
  tls_server(const fs::path& dir, const pem_pair& ca, const pem_pair& node, const std::string& auth_clients)
      : ca_(ca) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      port_ = rcplan_test::free_port();
      const std::vector<std::string> args = {
          "redis-server", "--port", "0", "--tls-port", std::to_string(port_), "--bind", "127.0.0.1",
          "--tls-cert-file", node.cert.string(), "--tls-key-file", node.key.string(),
          "--tls-ca-cert-file", ca.cert.string(), "--tls-auth-clients", auth_clients,
          "--save", "", "--appendonly", "no", "--dir", dir.string(),
          "--logfile", (dir / ("redis-" + std::to_string(port_) + ".log")).string(), "--daemonize", "no"};
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      pid_ = ::fork();
      REQUIRE(pid_ >= 0);
      if (pid_ == 0) {
        ::execvp(argv[0], argv.data());
        ::_exit(127);
      }
      if (wait_ready(auth_clients == "yes" ? node : pem_pair{})) return;
      stop();
    }
    FAIL("redis-server did not answer over TLS (its log is under " << dir.string() << ")");
  }
  tls_server(const tls_server&) = delete;
  tls_server& operator=(const tls_server&) = delete;
  ~tls_server() { stop(); }

  /// redis-cli PING over TLS, trusting `ca` and presenting `client` when it has files.
  [[nodiscard]] bool ping(const pem_pair& ca, const pem_pair& client, std::string& output) const {
    std::string command = "redis-cli --tls --cacert " + quoted(ca.cert) + " -h 127.0.0.1 -p " + std::to_string(port_);
    if (!client.cert.empty()) command += " --cert " + quoted(client.cert) + " --key " + quoted(client.key);
    return run(command + " PING", output) && contains(output, "PONG");
  }

 private:
  bool wait_ready(const pem_pair& client) {
    std::string output;
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      if (ping(ca_, client, output)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  pem_pair ca_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("certificates: a leaf verifies against its authority and names the request's addresses", "[redis][tls]") {
  require_openssl();
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path() / "ca", "rcplan-test-ca");
  CHECK(ca.cert == tmp.path() / "ca" / "rcplan-test-ca.crt");
  CHECK(ca.key == tmp.path() / "ca" / "rcplan-test-ca.key");
  const pem_pair node = issue_certificate(ca, tmp.path() / "nodes", "node-0", local_node());
  CHECK(node.cert == tmp.path() / "nodes" / "node-0.crt");
  CHECK(node.key == tmp.path() / "nodes" / "node-0.key");

  std::string out;
  CHECK(verifies(ca, node.cert, out));
  CHECK(contains(out, "OK"));
  CHECK(verifies(ca, node.cert, out, "-purpose sslserver"));
  CHECK(verifies(ca, node.cert, out, "-purpose sslclient"));

  REQUIRE(run("openssl x509 -noout -ext subjectAltName -in " + quoted(node.cert), out));
  CAPTURE(out);
  CHECK(contains(out, "DNS:localhost"));
  CHECK(contains(out, "DNS:node-0.rcplan.test"));
  CHECK(contains(out, "IP Address:127.0.0.1"));
  // OpenSSL 3.0 prints IPv6 addresses uncompressed, later releases compressed
  CHECK((contains(out, "IP Address:0:0:0:0:0:0:0:1") || contains(out, "IP Address:::1")));

  const std::string leaf = text_of(node.cert);
  CAPTURE(leaf);
  CHECK(contains(leaf, "CN = rcplan local node"));
  CHECK(contains(leaf, "Issuer: CN = rcplan-test-ca"));
  CHECK(contains(leaf, "ecdsa-with-SHA256"));
  CHECK(contains(leaf, "NIST CURVE: P-256"));
  CHECK(contains(leaf, "CA:FALSE"));
  CHECK(contains(leaf, "Digital Signature, Key Encipherment"));
  CHECK(contains(leaf, "TLS Web Server Authentication, TLS Web Client Authentication"));
  CHECK(contains(leaf, "X509v3 Subject Key Identifier"));
  CHECK(contains(leaf, "X509v3 Authority Key Identifier"));

  const std::string root = text_of(ca.cert);
  CAPTURE(root);
  CHECK(contains(root, "Subject: CN = rcplan-test-ca"));
  CHECK(contains(root, "X509v3 Basic Constraints: critical"));
  CHECK(contains(root, "CA:TRUE"));
  CHECK(contains(root, "X509v3 Key Usage: critical"));
  CHECK(contains(root, "Certificate Sign, CRL Sign"));
}

TEST_CASE("certificates: two leaves never share a serial, and a server-only one is no client", "[redis][tls]") {
  require_openssl();
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  certificate_request server_only = local_node();
  server_only.client = false;
  server_only.common_name.clear();
  const pem_pair a = issue_certificate(ca, tmp.path(), "a", local_node());
  const pem_pair b = issue_certificate(ca, tmp.path(), "b", server_only);

  std::string serial_a, serial_b, out;
  REQUIRE(run("openssl x509 -noout -serial -in " + quoted(a.cert), serial_a));
  REQUIRE(run("openssl x509 -noout -serial -in " + quoted(b.cert), serial_b));
  CHECK(serial_a != serial_b);
  CHECK(serial_a.size() >= std::string{"serial=\n"}.size() + 30);  // 128 bits: about 32 hex digits

  const std::string text = text_of(b.cert);
  CAPTURE(text);
  CHECK(contains(text, "Subject: CN = b"));  // no common name: the file's name
  CHECK(contains(text, "TLS Web Server Authentication"));
  CHECK_FALSE(contains(text, "TLS Web Client Authentication"));
  CHECK(verifies(ca, b.cert, out, "-purpose sslserver"));
  CHECK_FALSE(verifies(ca, b.cert, out, "-purpose sslclient"));
}

TEST_CASE("certificates: an expired leaf fails verification as expired", "[redis][tls]") {
  require_openssl();
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  certificate_request old = local_node();
  old.not_before_days = -10;
  old.valid_days = 5;
  const pem_pair node = issue_certificate(ca, tmp.path(), "old", old);
  std::string out;
  CHECK_FALSE(verifies(ca, node.cert, out));
  CAPTURE(out);
  CHECK(contains(out, "expired"));
  // and one that starts in the past but still runs verifies
  certificate_request running = local_node();
  running.not_before_days = -10;
  running.valid_days = 20;
  CHECK(verifies(ca, issue_certificate(ca, tmp.path(), "running", running).cert, out));
}

TEST_CASE("certificates: a leaf checked against another authority fails", "[redis][tls]") {
  require_openssl();
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  const pem_pair other = make_authority(tmp.path(), "other-ca");
  const pem_pair node = issue_certificate(ca, tmp.path(), "node", local_node());
  std::string out;
  CHECK(verifies(ca, node.cert, out));
  CHECK_FALSE(verifies(other, node.cert, out));
  CAPTURE(out);
  CHECK(contains(out, "unable to get local issuer certificate"));
}

TEST_CASE("certificates: private keys are readable by their owner only", "[redis][tls]") {
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  const pem_pair node = issue_certificate(ca, tmp.path(), "node", local_node());
  for (const fs::path& key : {ca.key, node.key}) {
    CAPTURE(key.string());
    struct stat st {};
    REQUIRE(::stat(key.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(rcplan_test::read_file(key).rfind("-----BEGIN PRIVATE KEY-----", 0) == 0);
  }
  CHECK(rcplan_test::read_file(node.cert).rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  // made again over the old files: still private, and nothing left beside them
  const pem_pair again = issue_certificate(ca, tmp.path(), "node", local_node());
  struct stat st {};
  REQUIRE(::stat(again.key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(tmp.path())) {
    CAPTURE(entry.path().string());
    CHECK(entry.path().extension() != ".part");
    ++files;
  }
  CHECK(files == 4);
}

TEST_CASE("certificates: bad input is an error naming it", "[redis][tls]") {
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  const auto error_of = [&](const certificate_request& r, const std::string& name = "node") {
    try {
      (void)issue_certificate(ca, tmp.path(), name, r);
    } catch (const rcplan::error& e) {
      CHECK(e.id() == "rcplan.redis.certificates");
      return std::string{e.what()};
    }
    FAIL("no exception");
    return std::string{};
  };
  for (const std::string bad : {"127.0.0.256", "10.0.0.1junk", "not-an-ip", "::g", ""}) {
    CAPTURE(bad);
    certificate_request r = local_node();
    r.ip_addresses.push_back(bad);
    CHECK(contains(error_of(r), "\"" + bad + "\" is not an IPv4 or IPv6 address"));
  }
  CHECK_FALSE(fs::exists(tmp.path() / "node.key"));  // refused before anything was written

  certificate_request spaced = local_node();
  spaced.dns_names.push_back("two words");
  CHECK(contains(error_of(spaced), "\"two words\" is not a DNS name"));

  certificate_request never = local_node();
  never.valid_days = 0;
  CHECK(contains(error_of(never), "at least 1 day"));

  CHECK(contains(error_of(local_node(), "../escape"), "\"../escape\" is no file name"));

  const pem_pair missing{tmp.path() / "no-such.crt", tmp.path() / "no-such.key"};
  try {
    (void)issue_certificate(missing, tmp.path(), "node", local_node());
    FAIL("no exception");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.redis.certificates");
    CHECK(contains(e.what(), missing.cert.string()));
  }

  // a key that is not the authority's
  const pem_pair other = make_authority(tmp.path(), "other");
  try {
    (void)issue_certificate(pem_pair{ca.cert, other.key}, tmp.path(), "node", local_node());
    FAIL("no exception");
  } catch (const rcplan::error& e) {
    CHECK(contains(e.what(), other.key.string()));
  }
}

TEST_CASE("certificates: a TLS-only redis-server answers with them", "[redis][tls]") {
  require_openssl();
  if (!rcplan_test::have_redis_server()) FAIL("redis-server not installed (apt-get install -y redis-server)");
  if (!have_tool("redis-cli")) FAIL("redis-cli not installed (apt-get install -y redis-tools)");
  const rcplan_test::temp_dir tmp;
  const pem_pair ca = make_authority(tmp.path(), "ca");
  const pem_pair node = issue_certificate(ca, tmp.path(), "node", local_node());
  const pem_pair other = make_authority(tmp.path(), "other-ca");
  std::string out;

  SECTION("clients not authenticated") {
    const tls_server server(tmp.path(), ca, node, "no");
    CHECK(server.ping(ca, {}, out));
    CHECK_FALSE(server.ping(other, {}, out));  // the server's certificate is not the other authority's
  }
  SECTION("clients authenticated with a certificate of the same authority") {
    const tls_server server(tmp.path(), ca, node, "yes");
    const pem_pair client = issue_certificate(ca, tmp.path(), "client", local_node());
    CHECK(server.ping(ca, client, out));
    CHECK_FALSE(server.ping(ca, {}, out));
    const pem_pair stranger = issue_certificate(other, tmp.path(), "stranger", local_node());
    CHECK_FALSE(server.ping(ca, stranger, out));
  }
}
