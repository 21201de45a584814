// The live commands against a Redis Cluster that speaks TLS only: --tls and its files reach it
// (observe, check, rebalance with every key kept); a missing or wrong authority fails naming the
// certificate problem, and a --tls-* flag without --tls is a usage error.

#include "cli/live_support.hpp"
#include "redis/live_cluster.hpp"
#include "support/test_pki.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using namespace rcplan_test;

namespace {

std::string seed_of(const rcplan_redis_test::live_cluster& c) { return "127.0.0.1:" + std::to_string(c.port(0)); }

/// `words` then --redis and the TLS flags of `tls` (all of them, or those `omit` does not name).
std::vector<std::string> tls_args(std::initializer_list<std::string> words, const rcplan_redis_test::live_cluster& c,
                                  const rcplan::redis::tls_options& tls, const std::string& omit = {}) {
  std::vector<std::string> out(words);
  out.insert(out.end(), {"--redis", seed_of(c), "--tls"});
  if (omit != "--tls-ca-cert") out.insert(out.end(), {"--tls-ca-cert", tls.ca_file.string()});
  out.insert(out.end(), {"--tls-cert", tls.cert_file.string(), "--tls-key", tls.key_file.string()});
  return out;
}

}  // namespace

TEST_CASE("tls: inspect, check and rebalance reach a TLS-only cluster with --tls and its files, keys kept") {
  const test_pki pki;
  const tls_server server = pki.server();
  rcplan_redis_test::live_cluster c(2, 0, 1, {}, nullptr, &server);
  constexpr std::size_t keys = 1000;
  c.load(0, keys);
  const rcplan::redis::tls_options tls = pki.client_options();

  auto r = run_cli(tls_args({"inspect", "--output", "json"}, c, tls));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc.dump().find(std::to_string(c.port(2))) != std::string::npos);  // the spare master is seen too

  r = run_cli(tls_args({"check"}, c, tls));
  INFO(r.err);
  CHECK(r.exit_code == 0);

  r = run_cli(tls_args({"rebalance", "--use-empty-masters", "--dry-run"}, c, tls));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "migrate_slots"));

  // slots and keys move node to node over TLS
  r = run_cli(tls_args({"rebalance", "--use-empty-masters"}, c, tls));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: done"));
  CHECK(c.master_keys() == static_cast<long long>(keys));
  CHECK(c.missing(0, keys).empty());
  bool spare_has_slots = false;
  for (const auto& n : rcplan::merged_nodes(rcplan_redis_test::observe_all(c)))
    if (n.addr.port == c.port(2)) spare_has_slots = n.slots.count() > 0;
  CHECK(spare_has_slots);
}

TEST_CASE("tls: without the right authority the command fails naming the certificate problem, exit 1") {
  const test_pki pki;
  const tls_server server = pki.server();
  rcplan_redis_test::live_cluster c(1, 0, 0, {}, nullptr, &server);
  const rcplan::redis::tls_options tls = pki.client_options();

  // no --tls-ca-cert: the system's trust store does not know the test authority
  auto r = run_cli(tls_args({"inspect"}, c, tls, "--tls-ca-cert"));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "certificate"));
  CHECK(contains(r.err, seed_of(c)));

  // another authority's certificate
  const test_pki other;
  std::vector<std::string> a{"check", "--redis", seed_of(c), "--tls", "--tls-ca-cert",
                             other.authority().cert.string(), "--tls-cert", tls.cert_file.string(),
                             "--tls-key", tls.key_file.string()};
  r = run_cli(a);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "certificate"));

  // a file that does not exist: named, before any connection
  a = {"check", "--redis", seed_of(c), "--tls", "--tls-ca-cert", tls.ca_file.string() + ".missing"};
  r = run_cli(a);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, tls.ca_file.string() + ".missing"));

  // a certificate without its key
  a = {"check", "--redis", seed_of(c), "--tls", "--tls-ca-cert", tls.ca_file.string(), "--tls-cert",
       tls.cert_file.string()};
  r = run_cli(a);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "key"));

  // plain connections: the node drops them
  r = run_cli({"check", "--redis", seed_of(c)});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, seed_of(c)));
}

TEST_CASE("tls: a --tls-* flag without --tls is a usage error naming it") {
  for (const char* flag : {"--tls-ca-cert", "--tls-cert", "--tls-key", "--tls-server-name"}) {
    CAPTURE(flag);
    const auto r = run_cli({"check", "--redis", "127.0.0.1:1", flag, "x"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, flag));
    CHECK(contains(r.err, "--tls"));
  }
  const auto r = run_cli({"rebalance", "--redis", "127.0.0.1:1", "--tls-insecure"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--tls-insecure"));
  // the flags are documented
  const auto help = run_cli({"rebalance", "--help"});
  CHECK(contains(help.out, "--tls-ca-cert"));
  CHECK(contains(help.out, "tests only"));
}
