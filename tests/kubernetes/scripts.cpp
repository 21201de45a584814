// The shell a rendered redis container runs for its probes and its preStop hook, run here by
// /bin/sh against real redis-server processes (the port comes from RCPLAN_REDIS_PORT, which
// is unset, so 6379, in a pod): ready for a lone node and a healthy cluster, not ready for a
// cluster that is down; the preStop of a master hands over to its replica, that of a replica
// changes nothing.

#include "kubernetes/src/scripts.hpp"
#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace scripts = rcplan::kubernetes::detail;
using rcplan_redis_test::live_cluster;

namespace {

/// Exit status of `script` run by sh against the node on `port`.
int run_script(const char* script, std::uint16_t port) {
  const std::string command = "RCPLAN_REDIS_PORT=" + std::to_string(port) + " sh -c '" +
                              [&] {
                                std::string quoted;
                                for (const char* c = script; *c != '\0'; ++c) {
                                  if (*c == '\'') quoted += "'\\''";
                                  else quoted += *c;
                                }
                                return quoted;
                              }() +
                              "' >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) text.replace(at, from.size(), to);
}

/// The start script run with `env` (shell assignments), its paths moved under `dir` and its
/// final exec replaced: the redis.conf it would start redis-server on.
std::string started_conf(const std::filesystem::path& dir, const std::string& env) {
  std::filesystem::create_directories(dir / "conf");
  std::filesystem::create_directories(dir / "run");
  std::ofstream(dir / "conf" / "redis.conf") << "masteruser app\n";  // as the ConfigMap has it
  std::string script = scripts::start_script;
  replace_all(script, "/conf/redis.conf", (dir / "conf" / "redis.conf").string());
  replace_all(script, "/run/redis/", (dir / "run").string() + "/");
  replace_all(script, "exec redis-server", "exec true");
  replace_all(script, "'", "'\\''");
  const int status = std::system((env + " sh -c '" + script + "'").c_str());
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::ifstream in(dir / "run" / "redis.conf");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string role_of(const live_cluster& c, int i) {
  const rcplan_test::reply r = c.client(i).command({"ROLE"});
  return r.elements.empty() ? std::string{} : r.elements[0].str;
}

}  // namespace

TEST_CASE("pod scripts: readiness follows cluster state, a lone node waiting to be met is ready", "[kubernetes][redis]") {
  rcplan_test::redis_process lone;
  CHECK(run_script(scripts::readiness_script, lone.port()) == 0);

  live_cluster healthy(3, 0);
  CHECK(run_script(scripts::readiness_script, healthy.port(0)) == 0);

  // two nodes that know each other and serve no slots: cluster_state:fail
  rcplan_test::redis_process a;
  rcplan_test::redis_process b;
  (void)a.client().call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(b.port())});
  REQUIRE(rcplan_test::eventually([&] {
    return a.client().call({"CLUSTER", "INFO"}).find("cluster_known_nodes:2") != std::string::npos;
  }));
  CHECK(run_script(scripts::readiness_script, a.port()) == 1);

  rcplan_test::redis_process gone;
  const std::uint16_t port = gone.port();
  gone.kill_now();
  CHECK(run_script(scripts::readiness_script, port) == 1);
}

TEST_CASE("pod scripts: a master's preStop hands over to its replica - a replica's changes nothing", "[kubernetes][redis]") {
  live_cluster c(3, 1);  // nodes 0-2 masters, 3-5 their replicas
  REQUIRE(role_of(c, 0) == "master");
  CHECK(run_script(scripts::pre_stop_script, c.port(3)) == 0);  // a replica: at once
  CHECK(role_of(c, 3) == "slave");
  CHECK(role_of(c, 0) == "master");

  CHECK(run_script(scripts::pre_stop_script, c.port(0)) == 0);
  CHECK(role_of(c, 0) == "slave");
  CHECK(role_of(c, 3) == "master");
}

TEST_CASE("pod scripts: start-up adds the password, and the ACL user REDIS_USER names, to the copy redis-server runs",
          "[kubernetes][redis]") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("rcplan-start-" + std::to_string(::getpid()));
  const std::string conf = started_conf(dir, "REDIS_PASSWORD='two words' REDIS_USER=app");
  CHECK(conf.find("user app on") != std::string::npos);
  CHECK(std::filesystem::status(dir / "run" / "redis.conf").permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  {
    rcplan_test::redis_process server(false, {"--include", (dir / "run" / "redis.conf").string()});
    rcplan_test::resp_client as_app = server.client();
    CHECK(as_app.call({"AUTH", "app", "two words"}) == "OK");
    CHECK(as_app.call({"ACL", "WHOAMI"}) == "app");
    CHECK(as_app.call({"SET", "k", "v"}) == "OK");  // every right
    rcplan_test::resp_client as_default = server.client();
    CHECK(as_default.call({"AUTH", "two words"}) == "OK");  // requirepass: the probes' default user
    CHECK(server.client().command({"AUTH", "app", "wrong"}).is_error());
  }
  // without a user name: the password only
  CHECK(started_conf(dir / "plain", "REDIS_PASSWORD=secret").find("\nuser ") == std::string::npos);
  std::filesystem::remove_all(dir);
}
