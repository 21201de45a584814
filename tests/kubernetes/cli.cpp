// The rcplan command's Kubernetes side: `render` prints the seed fixture's objects (YAML and
// JSON that agree) and the API server accepts them as printed; `kube install` installs the
// CRDs, again without change, and names a missing kubeconfig; `plan --kubeconfig` plans
// against what the API server holds.

#include "cli/run_cli.hpp"
#include "kubernetes/kube_env.hpp"

#include <rcplan/kubernetes/install.hpp>
#include <rcplan/redis/client.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::test_namespace;
using rcplan_test::run_cli;

namespace {

const std::string seed_fixture = RCPLAN_TEST_DATA_DIR "/fixtures/distributedrediscluster.yaml";

}  // namespace

TEST_CASE("rcplan render: the seed fixture's objects, as YAML and as JSON", "[kubernetes][cli]") {
  const auto yaml = run_cli({"render", "--spec", seed_fixture, "--namespace", "redis"});
  REQUIRE(yaml.exit_code == 0);
  const std::vector<json> docs = rcplan::yaml::parse_yaml_documents(yaml.out);
  std::multiset<std::string> kinds;
  for (const json& d : docs) {
    kinds.insert(d["kind"].get<std::string>());
    CHECK(d["metadata"]["namespace"] == "redis");
  }
  CHECK(kinds == std::multiset<std::string>{"ConfigMap", "Service", "Service", "Service", "Service", "StatefulSet",
                                            "StatefulSet", "StatefulSet", "PodDisruptionBudget",
                                            "PodDisruptionBudget", "PodDisruptionBudget"});
  const auto as_json = run_cli({"render", "--spec", seed_fixture, "--namespace", "redis", "-o", "json"});
  REQUIRE(as_json.exit_code == 0);
  CHECK(json::parse(as_json.out) == json(docs));

  const auto bad = run_cli({"render", "--spec", "-"}, "spec:\n  masterSize: 0\n");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("spec.masterSize"));
}

TEST_CASE("rcplan render: the API server accepts the objects as printed", "[kubernetes][cli][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "cli-render");
  const auto r = run_cli({"render", "--spec", seed_fixture, "--namespace", ns.name()});
  REQUIRE(r.exit_code == 0);
  for (const json& d : rcplan::yaml::parse_yaml_documents(r.out)) {
    INFO(d["kind"] << " " << d["metadata"]["name"]);
    CHECK_NOTHROW(c.apply(d));
  }
}

TEST_CASE("rcplan kube install: the CRDs, idempotently, the operator on request - a missing kubeconfig is named",
          "[kubernetes][cli][live]") {
  const std::string kubeconfig = rcplan_kube_test::admin_kubeconfig().string();
  for (int i = 0; i < 2; ++i) {
    const auto r = run_cli({"kube", "install", "--kubeconfig", kubeconfig});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("applied CustomResourceDefinition distributedredisclusters.redis.kun"));
    CHECK_THAT(r.out, Catch::Contains("Established"));
  }
  const auto with_operator = run_cli({"kube", "install", "--kubeconfig", kubeconfig, "--operator", "--operator-image",
                                      "registry.example/rcplan:cli"});
  INFO(with_operator.err);
  REQUIRE(with_operator.exit_code == 0);
  CHECK_THAT(with_operator.out, Catch::Contains("applied ClusterRole rcplan-operator") &&
                                    Catch::Contains("applied Deployment rcplan-operator"));
  const nlohmann::json d = admin().get(k8s::kinds::deployment, "rcplan-system", "rcplan-operator");
  CHECK(d["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example/rcplan:cli");

  const auto missing = run_cli({"kube", "install", "--kubeconfig", "/nonexistent/kubeconfig"});
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("/nonexistent/kubeconfig") && Catch::Contains("rcplan.kubernetes.config"));
}

TEST_CASE("rcplan plan --kubeconfig: the creation plan for a cluster the API server does not hold yet",
          "[kubernetes][cli][live]") {
  k8s::client c = admin();
  (void)k8s::install_crds(c);
  test_namespace ns(c, "cli-plan");
  const auto r = run_cli({"plan", "--spec", seed_fixture, "--kubeconfig", rcplan_kube_test::admin_kubeconfig().string(),
                          "--namespace", ns.name(), "-o", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json p = json::parse(r.out);
  std::set<std::string> actions;
  for (const json& s : p["steps"]) actions.insert(s["action"]["type"].get<std::string>());
  CHECK(actions.count("apply_statefulset") == 1);
  CHECK(actions.count("apply_configmap") == 1);
}

TEST_CASE("rcplan kube install: credentials the server refuses are reported without being printed",
          "[kubernetes][cli][live]") {
  const rcplan::kubernetes::cluster_access a = admin().access();
  const std::string token = "sekrit-token-8f3a2b";
  const std::string kubeconfig = std::string(RCPLAN_KUBE_TESTENV_DIR) + "/bad-token.kubeconfig";
  std::ofstream(kubeconfig) << "apiVersion: v1\nkind: Config\ncurrent-context: bad\n"
                            << "clusters: [{name: t, cluster: {server: \"" << a.server
                            << "\", insecure-skip-tls-verify: true}}]\n"
                            << "users: [{name: u, user: {token: " << token << "}}]\n"
                            << "contexts: [{name: bad, context: {cluster: t, user: u}}]\n";
  const auto r = run_cli({"kube", "install", "--kubeconfig", kubeconfig});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("rcplan.kubernetes.unauthorized"));
  CHECK(r.err.find(token) == std::string::npos);
  CHECK(r.out.find(token) == std::string::npos);
}

TEST_CASE("rcplan local cluster up: the seed fixture applied as it is becomes Healthy - down stops everything",
          "[kubernetes][cli][live]") {
  rcplan_kube_test::require_testenv();  // the control plane's binaries are built (and cached) by then
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("rcplan-local-cluster-" + std::to_string(::getpid()));
  const auto up = run_cli({"local", "cluster", "up", "--dir", dir.string()});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  const std::string kubeconfig = up.out.substr(0, up.out.find('\n'));
  CHECK(kubeconfig == (dir / "control-plane" / "kubeconfig").string());
  CHECK(run_cli({"local", "cluster", "up", "--dir", dir.string()}).exit_code == 1);  // already there

  k8s::client c(k8s::load_kubeconfig(kubeconfig));
  json seed = rcplan::yaml::load_yaml_file(seed_fixture);
  seed["metadata"]["namespace"] = "default";
  (void)c.create(seed);
  std::vector<std::string> ips;
  const bool healthy = rcplan_kube_test::eventually(
      [&] {
        const json drc = c.get(k8s::kinds::distributed_redis_cluster, "default", "example-distributedrediscluster");
        return drc.value("status", json::object()).value("status", "") == "Healthy";
      },
      std::chrono::seconds(180));
  const json pods = c.list(k8s::kinds::pod, "default");
  for (const json& p : pods["items"]) ips.push_back(p["status"].value("podIP", ""));
  const auto down = run_cli({"local", "cluster", "down", "--dir", dir.string()});
  CHECK(healthy);
  CHECK(ips.size() == 6);
  CHECK(down.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(dir));
  for (const std::string& ip : ips) {
    try {
      rcplan::redis::node_client n(rcplan::address{ip, 6379, 16379, ""});
      FAIL("a pod still answers at " << ip);
    } catch (const rcplan::error& e) {
      CHECK(e.id() == "rcplan.redis.connect");
    }
  }
}
