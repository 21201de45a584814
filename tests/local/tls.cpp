// A TLS-only local cluster: the runtime makes its own authority and certificates, runs every pod
// with TLS for clients, the cluster bus and replication, probes and converges over TLS, and a
// later runtime on the same directory knows the cluster is TLS-only.

#include "local/local_support.hpp"

#include <rcplan/error.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/client.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/redis/observe.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

using namespace std::chrono_literals;

namespace {

constexpr int key_total = 500;

std::string key_name(int i) { return "tls-key:" + std::to_string(i); }

rcplan::redis::converge_options converge_options_for(const rcplan::local::runtime& rt) {
  rcplan::redis::converge_options co;
  co.waiting_backoff = 200ms;
  co.observe.tls = rt.client_tls();
  co.execute.tls = rt.client_tls();
  return co;
}

rcplan::redis::client_options client_options_for(const rcplan::local::runtime& rt) {
  rcplan::redis::client_options co;
  co.tls = rt.client_tls();
  return co;
}

int masters_with_slots(const rcplan::topology& t) {
  int n = 0;
  for (const rcplan::cluster_node& node : rcplan::merged_nodes(t))
    if (node.is_master() && !node.slots.empty()) ++n;
  return n;
}

}  // namespace

TEST_CASE("local runtime: a TLS-only cluster converges, scales and keeps its keys, and refuses plain connections",
          "[tls]") {
  rcplan::local::runtime_options ro;
  ro.node_timeout_ms = 2000;
  ro.tls = true;
  rcplan_test::local_env env("tls", ro);
  auto& rt = env.rt();

  REQUIRE(rt.tls());
  const rcplan::redis::tls_options& tls = rt.client_tls();
  CHECK(tls.enabled);
  CHECK(tls.ca_file == env.dir() / "tls" / "ca.crt");
  CHECK(tls.cert_file == env.dir() / "tls" / "client.crt");
  CHECK(tls.key_file == env.dir() / "tls" / "client.key");
  REQUIRE_NOTHROW(rcplan::redis::check_tls_options(tls));

  rcplan::cluster_resource resource = rcplan_test::local_fixture();
  resource.spec.migration.step_timeout_seconds = 30;
  const rcplan::redis::converge_options co = converge_options_for(rt);

  resource.spec.master_size = 3;
  resource.spec.cluster_replicas = 1;
  rcplan::redis::converge_result r = rcplan::redis::run_until_converged({}, resource, co, &rt);
  for (const rcplan::diagnostic& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.converged);
  CHECK(rt.pods_ready(""));

  // Every pod's redis.conf serves TLS only.
  for (const auto& entry : std::filesystem::directory_iterator(env.dir() / "pods")) {
    const std::string conf = rcplan_test::read_text(entry.path() / "redis.conf");
    CHECK(conf.find("\nport 0\n") != std::string::npos);
    CHECK(conf.find("\ntls-port ") != std::string::npos);
    CHECK(conf.find("\ntls-cluster yes\n") != std::string::npos);
    CHECK(conf.find("\ntls-replication yes\n") != std::string::npos);
  }

  const std::vector<rcplan::address> seeds = rt.seeds();
  REQUIRE_FALSE(seeds.empty());
  {
    rcplan::redis::cluster_client client(seeds, client_options_for(rt));
    for (int i = 0; i < key_total; ++i) {
      const rcplan::redis::reply w = client.call({"SET", key_name(i), std::to_string(i)});
      REQUIRE(w.type == rcplan::redis::reply::kind::status);
    }
    CHECK(client.counters().errors == 0);
  }

  // A plain connection is dropped: nothing answers without TLS.
  rcplan::redis::client_options plain;
  plain.connect_timeout = 2s;
  plain.command_timeout = 2s;
  CHECK_THROWS_AS(
      [&] {
        rcplan::redis::node_client node(seeds.front(), plain);
        (void)node.command({"PING"});
      }(),
      rcplan::error);
  // Nor does a TLS client without the authority's client certificate get in.
  rcplan::redis::client_options no_cert = plain;
  no_cert.tls = tls;
  no_cert.tls.cert_file.clear();
  no_cert.tls.key_file.clear();
  CHECK_THROWS_AS(
      [&] {
        rcplan::redis::node_client node(seeds.front(), no_cert);
        (void)node.command({"PING"});
      }(),
      rcplan::error);

  // A later runtime on the directory finds the cluster TLS-only without being told.
  rcplan::local::runtime_options again = env.options();
  again.tls = false;
  rcplan::local::runtime later(again);
  REQUIRE(later.tls());
  CHECK(later.client_tls().ca_file == tls.ca_file);
  CHECK(later.pods_ready(""));

  // Scale out over TLS: slots and keys move between TLS-only nodes.
  resource.spec.master_size = 4;
  r = rcplan::redis::run_until_converged({}, resource, converge_options_for(later), &later);
  for (const rcplan::diagnostic& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.converged);
  rcplan::redis::observe_options oo;
  oo.tls = later.client_tls();
  CHECK(masters_with_slots(rcplan::redis::observe(later, oo)) == 4);

  rcplan::redis::cluster_client client(later.seeds(), client_options_for(later));
  int found = 0;
  for (int i = 0; i < key_total; ++i) {
    const rcplan::redis::reply g = client.call({"GET", key_name(i)});
    if (g.type == rcplan::redis::reply::kind::string && g.str == std::to_string(i)) ++found;
  }
  CHECK(found == key_total);
}

TEST_CASE("local runtime: TLS cannot be turned on for a cluster that runs without it", "[tls]") {
  rcplan_test::local_env env("tls-late");
  rcplan::cluster_resource resource = rcplan_test::local_fixture();
  resource.spec.master_size = 3;
  resource.spec.cluster_replicas = 0;
  rcplan::redis::converge_options co;
  co.waiting_backoff = 200ms;
  REQUIRE(rcplan::redis::run_until_converged({}, resource, co, &env.rt()).converged);
  CHECK_FALSE(env.rt().tls());
  CHECK_FALSE(env.rt().client_tls().enabled);

  rcplan::local::runtime_options o = env.options();
  o.tls = true;
  CHECK_THROWS_WITH(rcplan::local::runtime(o), Catch::Contains("without TLS"));
  CHECK_FALSE(std::filesystem::exists(env.dir() / "tls"));
}
