// Kubeconfig and in-cluster configuration, read from files this test writes: inline and file
// certificates, the current or a named context, and errors that name the field.

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/config.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rcplan-kubeconfig-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return path / name;
  }
};

// "-----BEGIN CERTIFICATE-----\nCA\n" and friends, base64-encoded as kubeconfig holds them.
constexpr const char* ca_b64 = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCkNBCg==";
constexpr const char* ca_text = "-----BEGIN CERTIFICATE-----\nCA\n";

std::string two_contexts() {
  return std::string(R"(apiVersion: v1
kind: Config
current-context: admin@one
clusters:
- name: one
  cluster:
    server: https://127.0.0.1:6443/
    certificate-authority-data: )") +
         ca_b64 + R"(
- name: two
  cluster:
    server: https://10.0.0.2:443
    certificate-authority: ca.pem
    insecure-skip-tls-verify: true
users:
- name: admin
  user:
    client-certificate: admin.crt
    client-key: admin.key
- name: robot
  user:
    token: abc.def
contexts:
- name: admin@one
  context: {cluster: one, user: admin}
- name: robot@two
  context: {cluster: two, user: robot, namespace: redis}
)";
}

}  // namespace

TEST_CASE("kubeconfig: the current context with inline CA data and client certificate files", "[kubernetes]") {
  temp_dir d;
  d.write("admin.crt", "CERT");
  d.write("admin.key", "KEY");
  const auto a = rcplan::kubernetes::load_kubeconfig(d.write("config", two_contexts()));
  CHECK(a.server == "https://127.0.0.1:6443");  // trailing slash dropped
  CHECK(a.certificate_authority_pem == ca_text);
  CHECK(a.client_certificate_pem == "CERT");
  CHECK(a.client_key_pem == "KEY");
  CHECK(a.token.empty());
  CHECK(a.namespace_name == "default");
  CHECK_FALSE(a.insecure_skip_tls_verify);
}

TEST_CASE("kubeconfig: a named context with a token, a CA file and a namespace", "[kubernetes]") {
  temp_dir d;
  d.write("ca.pem", "CA FILE");
  const auto a = rcplan::kubernetes::load_kubeconfig(d.write("config", two_contexts()), "robot@two");
  CHECK(a.server == "https://10.0.0.2:443");
  CHECK(a.certificate_authority_pem == "CA FILE");
  CHECK(a.insecure_skip_tls_verify);
  CHECK(a.token == "abc.def");
  CHECK(a.client_certificate_pem.empty());
  CHECK(a.namespace_name == "redis");
}

TEST_CASE("kubeconfig: errors name the file and the field, never a credential", "[kubernetes]") {
  temp_dir d;
  const auto message = [&](const std::string& text, const std::string& context = {}) {
    try {
      (void)rcplan::kubernetes::load_kubeconfig(d.write("config", text), context);
    } catch (const rcplan::error& e) {
      CHECK(e.id() == "rcplan.kubernetes.config");
      return std::string(e.what());
    }
    FAIL("no error");
    return std::string{};
  };
  CHECK_THAT(message(two_contexts(), "nope"), Catch::Contains("contexts: no entry named \"nope\""));
  CHECK_THAT(message(two_contexts()), Catch::Contains("admin.crt"));  // the missing certificate file
  CHECK_THAT(message("current-context: x\n"), Catch::Contains("contexts: no entry named \"x\""));
  CHECK_THAT(message("kind: Config\n"), Catch::Contains("current-context"));
  CHECK_THAT(message("[1, 2"), Catch::Contains("not YAML"));
  const std::string bad_data = R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {server: "https://h", certificate-authority-data: "%%%"}}]
users: [{name: u, user: {token: sekrit-token}}]
)";
  const std::string m = message(bad_data);
  CHECK_THAT(m, Catch::Contains("clusters[k].cluster.certificate-authority-data is not base64"));
  const std::string no_server = R"(current-context: c
contexts: [{name: c, context: {cluster: k, user: u}}]
clusters: [{name: k, cluster: {}}]
users: [{name: u, user: {token: sekrit-token}}]
)";
  const std::string m2 = message(no_server);
  CHECK_THAT(m2, Catch::Contains("clusters[k].cluster.server: missing"));
  CHECK_THAT(m2, !Catch::Contains("sekrit"));
  CHECK_THROWS_AS(rcplan::kubernetes::load_kubeconfig(d.path / "missing"), rcplan::error);
}

TEST_CASE("in-cluster config: the service account's files and the service environment", "[kubernetes]") {
  temp_dir d;
  d.write("token", "the-token\n");
  d.write("ca.crt", "SA CA");
  d.write("namespace", "redis-system\n");
  ::setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
  ::setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  const auto a = rcplan::kubernetes::in_cluster_config(d.path);
  CHECK(a.server == "https://10.0.0.1:443");
  CHECK(a.token == "the-token");
  CHECK(a.certificate_authority_pem == "SA CA");
  CHECK(a.namespace_name == "redis-system");
  ::unsetenv("KUBERNETES_SERVICE_HOST");
  CHECK_THROWS_WITH(rcplan::kubernetes::in_cluster_config(d.path), Catch::Contains("not running inside a cluster"));
}
