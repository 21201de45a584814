// The shell a rendered redis container runs for its probes and its preStop hook, run here by
// /bin/sh against real redis-server processes (the port comes from RCPLAN_REDIS_PORT, which
// is unset, so 6379, in a pod): ready for a lone node and a healthy cluster, not ready for a
// cluster that is down; the preStop of a master hands over to its replica, that of a replica
// changes nothing.

#include "kubernetes/src/scripts.hpp"
#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdlib>
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
