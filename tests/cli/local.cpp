// `rcplan local` and `rcplan demo`: real local clusters made by the local runtime, driven
// through the built binary.

#include "cli/live_support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <rcplan/redis/client.hpp>

#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace rcplan_test;

namespace {

const std::string fixture = std::string{RCPLAN_TEST_DATA_DIR} + "/fixtures/distributedrediscluster.yaml";

/// A new, empty temporary directory; removed (after a `local down`, if still there) at the end.
struct work_dir {
  std::filesystem::path path;
  work_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rcplan-cli-local-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = std::filesystem::path(tmpl) / "cluster";
  }
  ~work_dir() {
    (void)run_cli({"local", "down", "--dir", path.string()});
    std::error_code ec;
    std::filesystem::remove_all(path.parent_path(), ec);
  }
  work_dir(const work_dir&) = delete;
  work_dir& operator=(const work_dir&) = delete;
};

}  // namespace

TEST_CASE("local up, status, apply and down on the fixture spec") {
  const work_dir dir;
  const std::string d = dir.path.string();
  auto r = run_cli({"local", "up", "--spec", fixture, "--dir", d});
  INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0) << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "iteration 1\n"));
  CHECK(contains(r.out, "apply_statefulset"));
  CHECK(contains(r.out, "result: converged"));
  CHECK(contains(r.out, "status: Healthy"));

  r = run_cli({"local", "up", "--spec", fixture, "--dir", d});  // already there
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "local apply"));

  r = run_cli({"local", "status", "--spec", fixture, "--dir", d, "--output", "json"});
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["status"]["status"] == "Healthy");
  CHECK(doc["status"]["numberOfMaster"] == 3);
  CHECK(doc["pods"].size() == 6);
  CHECK(doc["summary"]["coverage"]["covered"] == 16384);

  // re-applying the same spec has nothing to do
  r = run_cli({"local", "apply", "--spec", fixture, "--dir", d});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: converged after 1 iteration"));

  r = run_cli({"local", "down", "--dir", d});
  CHECK(r.exit_code == 0);
  CHECK(!std::filesystem::exists(dir.path));
  r = run_cli({"local", "down", "--dir", d});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "no local cluster"));
}

TEST_CASE("local up --tls: a TLS-only cluster whose files the CLI prints, and later commands and clients use them") {
  const work_dir dir;
  const std::string d = dir.path.string();
  auto r = run_cli({"local", "up", "--tls", "--spec", fixture, "--dir", d, "--output", "json"});
  INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0) << r.err);
  REQUIRE(r.exit_code == 0);
  auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["result"]["converged"] == true);
  REQUIRE(doc["tls"]["enabled"] == true);
  const std::string ca = doc["tls"]["ca_cert"], cert = doc["tls"]["cert"], key = doc["tls"]["key"];
  CHECK(ca == (dir.path / "tls" / "ca.crt").string());
  CHECK(std::filesystem::is_regular_file(cert));
  CHECK(std::filesystem::is_regular_file(key));
  REQUIRE(doc["cluster"]["pods"].size() == 6);
  const std::string seed = "127.0.0.1:" + std::to_string(doc["cluster"]["pods"][0]["port"].get<int>());

  // status knows the cluster is TLS-only without being told, and tells how to connect
  r = run_cli({"local", "status", "--spec", fixture, "--dir", d});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "status: Healthy"));
  CHECK(contains(r.out, "--tls --tls-ca-cert " + ca + " --tls-cert " + cert + " --tls-key " + key));

  // a client with the printed files gets in; one without TLS does not
  r = run_cli({"check", "--redis", seed, "--tls", "--tls-ca-cert", ca, "--tls-cert", cert, "--tls-key", key});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  r = run_cli({"check", "--redis", seed});
  CHECK(r.exit_code == 1);

  // apply scales the TLS cluster: a fourth master gets its share of slots
  const std::string spec = std::filesystem::path(d).parent_path() / "four.yaml";
  {
    std::ifstream in(fixture);
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto at = text.find("masterSize: 3");
    REQUIRE(at != std::string::npos);
    text.replace(at, 13, "masterSize: 4");
    std::ofstream(spec) << text;
  }
  r = run_cli({"local", "apply", "--spec", spec, "--dir", d, "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  doc = nlohmann::json::parse(r.out);
  CHECK(doc["result"]["converged"] == true);
  CHECK(doc["cluster"]["status"]["numberOfMaster"] == 4);
  CHECK(doc["cluster"]["pods"].size() == 8);
  CHECK(doc["cluster"]["summary"]["coverage"]["covered"] == 16384);
}

TEST_CASE("local up refuses a spec naming a password Secret without a password") {
  const work_dir dir;
  const scratch_file spec("secret-spec.yaml",
                          "kind: DistributedRedisCluster\nmetadata: {name: s}\nspec:\n  masterSize: 3\n"
                          "  passwordSecret: {name: redis-password}\n");
  const auto r = run_cli({"local", "up", "--spec", spec.path.string(), "--dir", dir.path.string()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "redis-password"));
  CHECK(!std::filesystem::exists(dir.path / "state.json"));
}

TEST_CASE("local up with spec.username: the pods define the ACL user and rcplan works as it, a different --user "
          "is refused") {
  const work_dir dir;
  const scratch_file spec("user-spec.yaml",
                          "kind: DistributedRedisCluster\nmetadata: {name: u}\nspec:\n  masterSize: 3\n"
                          "  clusterReplicas: 1\n  passwordSecret: {name: redis-password}\n  username: app\n");
  const scratch_file password("user-password", "user-secret\n");
  const std::vector<std::string> base = {"local", "up", "--spec", spec.path.string(), "--dir", dir.path.string(),
                                         "--password-file", password.path.string()};
  auto refused = base;
  refused.insert(refused.end(), {"--user", "other"});
  auto r = run_cli(refused);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "spec.username"));
  CHECK(!std::filesystem::exists(dir.path / "state.json"));

  r = run_cli(base);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "converged"));
  // every pod's private redis.conf defines the user; the password is in no other file
  std::size_t defined = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path)) {
    if (!e.is_regular_file() || e.path().filename() != "redis.conf") continue;
    std::ifstream in(e.path());
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (contains(text, "user app on") && contains(text, "masteruser app")) ++defined;
  }
  CHECK(defined == 6);
}

TEST_CASE("demo: 3 masters, keys, 4 masters, 3 masters, a killed master, no key lost", "[slow]") {
  const auto r = run_cli({"demo", "--keys", "3000"});
  INFO(r.out.substr(r.out.size() > 3000 ? r.out.size() - 3000 : 0) << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "=== 3. scale to 4 masters ==="));
  CHECK(contains(r.out, "=== 5. kill a master ==="));
  CHECK(contains(r.out, "no key lost: 3000/3000"));
}

TEST_CASE("local apply with --previous-password-file changes the password live, keeps every key, and a pod killed "
          "afterwards comes back with the new one") {
  const work_dir dir;
  const std::string d = dir.path.string();
  const scratch_file spec("pw-spec.yaml",
                          "kind: DistributedRedisCluster\nmetadata: {name: p}\nspec:\n  masterSize: 3\n"
                          "  clusterReplicas: 1\n  passwordSecret: {name: redis-password}\n");
  const scratch_file old_pw("old-password", "Old-Pa55-local\n");
  const scratch_file new_pw("new-password", "New-Pa55-local\n");
  auto r = run_cli({"local", "up", "--spec", spec.path.string(), "--dir", d, "--password-file", old_pw.path.string(),
                    "--output", "json"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  std::vector<std::uint16_t> ports;
  for (const auto& p : doc["cluster"]["pods"]) ports.push_back(static_cast<std::uint16_t>(p["port"].get<int>()));
  REQUIRE(ports.size() == 6);
  const std::string seed = "127.0.0.1:" + std::to_string(ports.front());
  r = run_cli({"keys", "load", "--redis", seed, "--password-file", old_pw.path.string(), "--count", "3000"});
  REQUIRE(r.exit_code == 0);

  // without the one it replaces, the new password alone reaches no node: refused, nothing done
  r = run_cli({"local", "apply", "--spec", spec.path.string(), "--dir", d, "--password-file", new_pw.path.string()});
  CHECK(r.exit_code != 0);
  r = run_cli({"local", "apply", "--spec", spec.path.string(), "--dir", d, "--password-file", new_pw.path.string(),
               "--previous-password-file", old_pw.path.string()});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "converged"));
  CHECK_FALSE(contains(r.out + r.err, "Old-Pa55-local"));
  CHECK_FALSE(contains(r.out + r.err, "New-Pa55-local"));
  // every node requires the new password now and refuses the old one
  for (const std::uint16_t port : ports) {
    rcplan::redis::client_options with_new;
    with_new.password = rcplan::redis::secret{"New-Pa55-local"};
    rcplan::redis::node_client n(rcplan::address{"127.0.0.1", port, 0, {}}, with_new);
    CHECK(n.command({"PING"}).str == "PONG");
    rcplan::redis::client_options with_old;
    with_old.password = rcplan::redis::secret{"Old-Pa55-local"};
    CHECK_THROWS(rcplan::redis::node_client(rcplan::address{"127.0.0.1", port, 0, {}}, with_old));
  }
  r = run_cli({"keys", "verify", "--redis", seed, "--password-file", new_pw.path.string(), "--count", "3000"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);

  // a pod killed now restarts from a redis.conf written with the new password
  const std::filesystem::path pidfile = [&] {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path))
      if (e.path().extension() == ".pid") return e.path();
    return std::filesystem::path{};
  }();
  REQUIRE(!pidfile.empty());
  std::ifstream in(pidfile);
  pid_t pid = 0;
  in >> pid;
  REQUIRE(pid > 0);
  REQUIRE(::kill(pid, SIGKILL) == 0);
  r = run_cli({"local", "apply", "--spec", spec.path.string(), "--dir", d, "--password-file", new_pw.path.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  r = run_cli({"keys", "verify", "--redis", "127.0.0.1:" + std::to_string(ports.back()), "--password-file",
               new_pw.path.string(), "--count", "3000"});
  CHECK(r.exit_code == 0);
}
