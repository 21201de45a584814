// A Redis Cluster that speaks TLS only (no plain port; nodes talk TLS to each other, clients
// need a certificate of the cluster's authority): observed, rebalanced and repaired over TLS
// with every key kept, and every way the TLS part can be wrong refused with an error that says
// which way, before anything is sent.

#include <rcplan/error.hpp>
#include <rcplan/planner/fix.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/certificates.hpp>
#include <rcplan/redis/client.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>
#include <rcplan/redis/tls.hpp>

#include "redis/live_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/test_pki.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace {

using rcplan_redis_test::error_text;
using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

rcplan::address local(std::uint16_t port) { return rcplan::address{"127.0.0.1", port, 0, {}}; }

/// Observing the server with `tls`: the error's id in `id`, its text returned.
std::string observe_error(std::uint16_t port, const rcplan::redis::tls_options& tls, std::string& id) {
  rcplan::redis::observe_options o;
  o.tls = tls;
  o.connect_timeout = std::chrono::seconds(5);
  return error_text([&] { (void)rcplan::redis::observe({local(port)}, o); }, id);
}

}  // namespace

TEST_CASE("tls: a TLS-only cluster is observed, rebalanced and repaired over TLS with every key kept", "[redis][tls]") {
  const rcplan_test::test_pki pki;
  const rcplan_test::tls_server server = pki.server();
  live_cluster c(2, 1, 1, "tls-secret", nullptr, &server);
  constexpr std::size_t keys = 3000;
  c.load(0, keys);

  const rcplan::topology t = observe_all(c);
  REQUIRE(t.views.size() == 5);
  for (const auto& o : t.observations) CHECK(o.reachable);
  // the nodes announce their TLS ports: the addresses rcplan follows are the ones it reached
  for (const auto& n : rcplan::merged_nodes(t)) CHECK(c.index_of_port(n.addr.port) >= 0);
  // the replicas synchronised over TLS
  REQUIRE(rcplan_test::eventually([&] {
    const rcplan::topology now = observe_all(c);
    for (const auto& o : now.observations)
      if (o.replication && o.replication->role == rcplan::node_role::replica && !o.replication->master_link_up)
        return false;
    return true;
  }));

  rcplan::rebalance_options ro;
  ro.use_empty_masters = true;
  ro.threshold_percent = 0;
  std::string history;
  // MIGRATE goes node to node over TLS (tls-cluster yes): keys reach the empty master intact
  rcplan::redis::execute_options eo;
  eo.password = rcplan::redis::secret{c.password()};
  const bool converged = rcplan_redis_test::rebalance_until_converged(c, ro, eo, std::chrono::seconds(120), history);
  INFO(history);
  REQUIRE(converged);
  const int spare = 2;
  CHECK(std::stoll(c.client(spare).call({"DBSIZE"})) > 0);
  const rcplan::topology balanced = observe_all(c);
  for (const auto& n : rcplan::merged_nodes(balanced))
    if (n.is_master()) CHECK((n.slots.count() == 5461 || n.slots.count() == 5462));
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());

  // the executor's waits read the nodes over TLS too: views that agree hold the wait (a wait that
  // cannot read them ends at its timeout with rcplan.redis.wait_timeout)
  rcplan::plan wait;
  wait.status = rcplan::plan_status::actions_planned;
  wait.steps.push_back({0, "views agree", rcplan::wait_until{rcplan::wait_condition::views_agree, "", 20}});
  eo.tls = c.tls();
  const rcplan::redis::execute_result waited = rcplan::redis::execute(wait, balanced, eo);
  for (const auto& d : waited.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(waited.complete);
  CHECK(waited.diagnostics.empty());

  // a migration cut short, repaired over TLS
  rcplan_redis_test::half_migrate(c, c.owners()[0], c.owners()[0] == 0 ? 1 : 0, 4, 2, 5);
  const rcplan::topology broken = observe_all(c);
  REQUIRE(rcplan_redis_test::open_slots(broken) > 0);
  const rcplan::plan fix = rcplan::plan_fix(broken);
  REQUIRE(fix.status == rcplan::plan_status::actions_planned);
  const rcplan::redis::execute_result r = rcplan::redis::execute(fix, broken, eo);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(r.complete);
  REQUIRE(rcplan_test::eventually([&] { return rcplan_redis_test::open_slots(observe_all(c)) == 0; }));
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
}

TEST_CASE("tls: a certificate of another authority, an expired one, or the wrong name is refused by name", "[redis][tls]") {
  const rcplan_test::test_pki pki;
  const rcplan_test::test_pki other;  // an authority the server's certificate does not come from
  const rcplan_test::tls_server server = pki.server();
  const rcplan_test::redis_process node(true, {}, {}, &server);
  std::string id;

  SECTION("the client trusts another authority") {
    rcplan::redis::tls_options wrong = pki.client_options();
    wrong.ca_file = other.authority().cert;
    const std::string text = observe_error(node.port(), wrong, id);
    INFO(text);
    CHECK(id == "rcplan.redis.tls");
    CHECK(contains(text, "127.0.0.1:" + std::to_string(node.port())));
    // the server sends its authority's certificate along with its own, or not: either way the
    // chain ends in an authority the client does not trust
    const bool untrusted = contains(text, "certificate that was refused (unable to get local issuer certificate)") ||
                           contains(text, "certificate that was refused (self-signed certificate in certificate chain)");
    CHECK(untrusted);
    rcplan::redis::client_options co;
    co.tls = wrong;
    const std::string client_text = error_text([&] { rcplan::redis::node_client n(local(node.port()), co); }, id);
    INFO(client_text);
    CHECK(id == "rcplan.redis.tls");
    CHECK(contains(client_text, "127.0.0.1:" + std::to_string(node.port()) + " presented a TLS certificate that was refused ("));
  }
  SECTION("the name checked is not the certificate's") {
    rcplan::redis::tls_options wrong = pki.client_options();
    wrong.server_name = "redis.example.org";
    const std::string text = observe_error(node.port(), wrong, id);
    INFO(text);
    CHECK(id == "rcplan.redis.tls");
    CHECK(contains(text, "it is not issued for redis.example.org"));
  }
  SECTION("the client has no certificate where the server asks for one") {
    rcplan::redis::tls_options anonymous = pki.client_options();
    anonymous.cert_file.clear();
    anonymous.key_file.clear();
    const std::string text = observe_error(node.port(), anonymous, id);
    INFO(text);
    CHECK(id == "rcplan.redis.tls");
    // the node's alert, or the reset that may overtake it, and then what is likely missing
    const bool named = contains(text, "certificate required") || contains(text, "may require a client certificate");
    CHECK(named);
  }
  SECTION("the client speaks plain RESP to the TLS port") {
    const std::string text = observe_error(node.port(), {}, id);
    INFO(text);
    CHECK(id == "rcplan.redis.unreachable");
    CHECK(contains(text, "127.0.0.1:" + std::to_string(node.port())));
    CHECK(contains(text, "(a node that speaks TLS only drops plain connections)"));
  }
  SECTION("the files are checked before any connection") {
    rcplan::redis::tls_options missing = pki.client_options();
    missing.ca_file = pki.dir() / "no-such-ca.crt";
    const std::string text = observe_error(node.port(), missing, id);
    INFO(text);
    CHECK(id == "rcplan.redis.tls");
    CHECK(contains(text, "no-such-ca.crt does not exist"));
    rcplan::redis::tls_options half = pki.client_options();
    half.key_file.clear();
    CHECK(contains(observe_error(node.port(), half, id), "needs its key"));
    CHECK(id == "rcplan.redis.tls");
  }
}

TEST_CASE("tls: a node whose certificate expired is refused, and TLS to a plain port is named", "[redis][tls]") {
  const rcplan_test::test_pki pki;
  rcplan::redis::certificate_request old;
  old.ip_addresses = {"127.0.0.1"};
  old.not_before_days = -10;
  old.valid_days = 5;
  const rcplan::redis::pem_pair expired = rcplan::redis::issue_certificate(pki.authority(), pki.dir(), "expired", old);
  rcplan_test::tls_server server = pki.server();
  server.args = [&](std::uint16_t port) {
    return std::vector<std::string>{"--port", "0", "--tls-port", std::to_string(port), "--tls-cert-file",
                                    expired.cert.string(), "--tls-key-file", expired.key.string(), "--tls-ca-cert-file",
                                    pki.authority().cert.string(), "--tls-auth-clients", "no"};
  };
  server.client.verify_peer = false;  // only for the fixture's readiness check
  const rcplan_test::redis_process node(true, {}, {}, &server);
  std::string id;
  const std::string text = observe_error(node.port(), pki.client_options(), id);
  INFO(text);
  CHECK(id == "rcplan.redis.tls");
  CHECK(contains(text, "certificate that was refused (certificate has expired)"));

  const rcplan_test::redis_process plain(true);
  const std::string to_plain = observe_error(plain.port(), pki.client_options(), id);
  INFO(to_plain);
  CHECK(id == "rcplan.redis.unreachable");  // to the node, it is a client that never finishes a command
  CHECK(contains(to_plain, "did not finish the TLS handshake in time (a node that does not speak TLS on this port"));
}
