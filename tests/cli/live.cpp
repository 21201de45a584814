// The live commands (check, fix, inspect/rebalance/plan/apply --redis, keys) run as separate
// processes against real redis-server clusters started by the test.

#include "cli/live_support.hpp"

#include <rcplan/model/key_slot.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/types.h>

#include <cstdlib>
#include <string>
#include <vector>

using namespace rcplan_test;

namespace {

std::vector<std::string> args(std::initializer_list<std::string> words, const redis_cluster& c) {
  std::vector<std::string> out(words);
  out.insert(out.end(), {"--redis", seed(c, 0)});
  return out;
}

/// `rcplan keys VERB` against `c` with the key set's options (`--count`, `--size`, ...) after.
std::vector<std::string> keys_args(const std::string& verb, const redis_cluster& c, const std::vector<std::string>& key_args,
                                   std::initializer_list<std::string> more = {}) {
  std::vector<std::string> out = args({"keys", verb}, c);
  out.insert(out.end(), more.begin(), more.end());
  out.insert(out.end(), key_args.begin(), key_args.end());
  return out;
}

/// Sets requirepass (and masterauth, for replicas) on every node.
void set_password(redis_cluster& c, const std::string& password) {
  for (int i = 0; i < c.size(); ++i) {
    resp_client client = c.client(i);
    client.call({"CONFIG", "SET", "masterauth", password});
    client.call({"CONFIG", "SET", "requirepass", password});
  }
}

}  // namespace

TEST_CASE("check: a healthy cluster exits 0, an open slot exits 1 naming it, fix repairs it") {
  redis_cluster c(3, 1);
  // a new cluster's replicas take a moment to be known as replicas everywhere
  REQUIRE(eventually([&] { return run_cli(args({"check"}, c)).exit_code == 0; }));
  auto r = run_cli(args({"check"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "healthy"));
  CHECK(contains(r.out, "3 masters, 3 replicas"));

  // slot 100 left half-way: migrating on its owner toward master 1, which is not importing it
  c.client(0).call({"CLUSTER", "SETSLOT", "100", "MIGRATING", c.id(1)});
  r = run_cli(args({"check"}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "[open_slot] slot 100 is open on " + rcplan::short_id(rcplan::node_id{c.id(0)})));

  r = run_cli(args({"check", "--output", "json"}, c));
  CHECK(r.exit_code == 1);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["healthy"] == false);
  REQUIRE(doc["findings"].size() == 1);
  CHECK(doc["findings"][0]["code"] == "open_slot");
  CHECK(doc["findings"][0]["subject"] == "100");

  const std::string before = shape(c);
  r = run_cli(args({"fix", "--dry-run"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "slot 100"));
  CHECK(shape(c) == before);  // a dry run changes nothing

  r = run_cli(args({"fix"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: done"));
  CHECK(eventually([&] { return run_cli(args({"check"}, c)).exit_code == 0; }));
}

TEST_CASE("fix covers uncovered slots that hold no keys") {
  redis_cluster c(3, 0);
  for (int i = 0; i < 3; ++i) c.client(i).call({"CLUSTER", "DELSLOTSRANGE", "0", "99"});
  const auto r0 = run_cli(args({"check", "--output", "json"}, c));
  CHECK(r0.exit_code == 1);
  CHECK(contains(r0.out, "uncovered_slots"));
  const auto r = run_cli(args({"fix"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "add_slots"));
  CHECK(eventually([&] { return run_cli(args({"check"}, c)).exit_code == 0; }));
}

TEST_CASE("rebalance --redis moves slots and keys to empty masters and loses nothing") {
  redis_cluster c(3, 0, 2);
  const std::vector<std::string> key_args{"--count", "3000", "--size", "50"};
  REQUIRE(run_cli(keys_args("load", c, key_args)).exit_code == 0);

  // the client load the benchmark runs beside a rebalance: commands timed, nothing wrong
  const auto t = run_cli(keys_args("traffic", c, key_args, {"--seconds", "1", "--output", "json"}));
  REQUIRE(t.exit_code == 0);
  const auto seen = nlohmann::json::parse(t.out);
  CHECK(seen["reads"].get<std::size_t>() > 0);
  CHECK(seen["writes"].get<std::size_t>() > 0);
  CHECK(seen["client_visible_errors"] == 0);
  const auto& lat = seen["latency_ms"];
  CHECK(lat["p50"].get<double>() > 0);
  CHECK(lat["p50"].get<double>() <= lat["p99"].get<double>());
  CHECK(lat["p99"].get<double>() <= lat["p99.9"].get<double>());
  CHECK(lat["p99.9"].get<double>() <= lat["max"].get<double>());

  const std::string before = shape(c);
  auto r = run_cli(args({"rebalance", "--use-empty-masters", "--dry-run"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "migrate_slots"));
  CHECK(shape(c) == before);

  // two receivers, three donors, one wave: each master in up to three migrations at once
  r = run_cli(args({"rebalance", "--use-empty-masters", "--parallel", "6", "--max-per-node", "3"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: done"));
  CHECK(contains(r.err, "wave 1/1"));  // plain progress lines: stderr is not a terminal

  r = run_cli(keys_args("verify", c, key_args));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "3000/3000 keys present"));
  CHECK(contains(r.out, "DBSIZE over the masters: 3000"));

  // every master now holds its share: 16384 / 5 is 3276 or 3277
  for (const auto& n : rcplan::merged_nodes(rcplan::topology_from_cluster_nodes(c.cluster_nodes(0)))) {
    CAPTURE(n.id.value);
    CHECK(n.slots.count() >= 3276);
    CHECK(n.slots.count() <= 3277);
  }
  // balanced: a second run has nothing to do
  r = run_cli(args({"rebalance", "--use-empty-masters", "--output", "json"}, c));
  CHECK(r.exit_code == 0);
  const auto doc = nlohmann::json::parse(r.out);
  CHECK(doc["result"]["converged"] == true);
  CHECK(doc["result"]["slots_moved"] == 0);
}

TEST_CASE("rebalance --redis --latency-budget-ms paces the migration and says so, --max-speed does not") {
  redis_cluster c(2, 0, 1);
  const std::vector<std::string> key_args{"--count", "2000", "--size", "50"};
  REQUIRE(run_cli(keys_args("load", c, key_args)).exit_code == 0);

  // both at once, or a negative budget: usage errors, nothing done
  const std::string before = shape(c);
  CHECK(run_cli(args({"rebalance", "--use-empty-masters", "--max-speed", "--latency-budget-ms", "1"}, c)).exit_code == 2);
  CHECK(run_cli(args({"rebalance", "--use-empty-masters", "--latency-budget-ms", "-1"}, c)).exit_code == 2);
  CHECK(shape(c) == before);

  auto r = run_cli(args({"rebalance", "--use-empty-masters", "--latency-budget-ms", "0.5"}, c));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: done"));
  CHECK(contains(r.err, "pace "));  // a log line when the pace changes, the probes' p99 in it
  CHECK(contains(r.err, "budget 0.50 ms"));
  CHECK(run_cli(keys_args("verify", c, key_args)).exit_code == 0);

  // back to two masters' worth of work: drain the third unpaced, no pace reported
  r = run_cli(args({"rebalance", "--use-empty-masters", "--max-speed", "--weight", c.id(2).substr(0, 12) + "=0"}, c));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_FALSE(contains(r.err, "pace "));
  const auto v = run_cli(keys_args("verify", c, key_args));
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "2000/2000 keys present"));
}

TEST_CASE("rebalance --redis on SIGTERM finishes the slots in flight, starts nothing new and exits 5") {
  redis_cluster c(3, 0, 2);
  const std::vector<std::string> key_args{"--count", "20000", "--size", "50"};
  REQUIRE(run_cli(keys_args("load", c, key_args)).exit_code == 0);

  // one migration per wave: six waves, and the signal comes at the first
  const auto r = run_cli_while(args({"rebalance", "--use-empty-masters", "--max-concurrent", "1"}, c), {},
                               [&](pid_t pid, const std::filesystem::path& err) {
                                 REQUIRE(eventually([&] { return contains(read_file(err.string()), "wave 1/"); }));
                                 REQUIRE(::kill(pid, SIGTERM) == 0);
                               });
  INFO(r.out << r.err);
  CHECK(r.exit_code == 5);
  CHECK(contains(r.err, "stopped on request"));
  CHECK(contains(r.out, "result: not finished"));
  // no slot left MIGRATING or IMPORTING on any node, and every key where it belongs
  for (int i = 0; i < c.size(); ++i) CHECK_FALSE(contains(shape(c, i), "open:"));
  const auto v = run_cli(keys_args("verify", c, key_args));
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "20000/20000 keys present"));
  // it stopped early: the rest is still to do, and a new run does it
  const auto again = run_cli(args({"rebalance", "--use-empty-masters"}, c));
  CHECK(again.exit_code == 0);
  CHECK_FALSE(contains(again.out, "result: done, 0 slots"));
}

TEST_CASE("inspect --redis shows the live topology, plan --redis shows reconcile steps") {
  redis_cluster c(3, 0);
  auto r = run_cli(args({"inspect"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "3 nodes: 3 masters, 0 replicas"));
  CHECK(contains(r.out, "covered: 16384 of 16384 slots"));
  r = run_cli(args({"inspect", "--output", "json"}, c));
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["summary"]["master_count"] == 3);

  const std::string fixture = std::string{RCPLAN_TEST_DATA_DIR} + "/fixtures/distributedrediscluster.yaml";
  r = run_cli(args({"plan", "--spec", fixture}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "apply_statefulset"));  // no platform observed: its objects are missing

  // apply runs Redis steps and stops at the first Kubernetes one, with exit 3
  const std::string before = shape(c);
  r = run_cli(args({"apply", "--spec", fixture}, c));
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "Kubernetes step"));
  CHECK(shape(c) == before);
}

TEST_CASE("password: from a file or RCPLAN_PASSWORD, never printed, a wrong one exits 1") {
  redis_cluster c(3, 0);
  const std::string password = "s3cret-Pa55word";
  set_password(c, password);
  const scratch_file good("good-password", password + "\n");
  const scratch_file bad("bad-password", "not-the-password-xyz\n");

  auto r = run_cli(args({"check", "--password-file", good.path.string()}, c));
  CHECK(r.exit_code == 0);
  r = run_cli(args({"check", "--password-file", good.path.string(), "--output", "json"}, c));
  CHECK(r.exit_code == 0);
  CHECK(nlohmann::json::parse(r.out)["healthy"] == true);
  CHECK(!contains(r.out, password));
  r = run_cli(args({"inspect", "--password-file", good.path.string(), "--output", "json"}, c));
  CHECK(r.exit_code == 0);
  CHECK(!contains(r.out + r.err, password));

  r = run_cli(args({"check", "--password-file", bad.path.string()}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, seed(c, 0)));
  CHECK(!contains(r.out + r.err, "not-the-password-xyz"));

  r = run_cli(args({"check"}, c));  // none given
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, seed(c, 0)));

  r = run_cli(args({"check", "--password-file", "/no/such/password/file"}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "/no/such/password/file"));

  ::setenv("RCPLAN_PASSWORD", password.c_str(), 1);
  r = run_cli(args({"rebalance", "--dry-run", "--output", "json"}, c));
  ::unsetenv("RCPLAN_PASSWORD");
  CHECK(r.exit_code == 0);
  CHECK(!contains(r.out + r.err, password));
}

TEST_CASE("ACL user: --user or RCPLAN_USER with its password, keys move with MIGRATE AUTH2, a wrong user exits 1 naming it") {
  redis_cluster c(3, 0, 2);
  const std::string user = "rcplan-op";
  const std::string password = "acl-Pa55word-of-rcplan-op";
  // the user may do everything; the default user may do nothing, so only the user gets in, and
  // a MIGRATE that authenticated as the default user (or not at all) would be refused
  for (int i = 0; i < c.size(); ++i) {
    resp_client client = c.client(i);
    REQUIRE(client.call({"ACL", "SETUSER", user, "on", ">" + password, "~*", "&*", "+@all"}) == "OK");
    REQUIRE(client.call({"ACL", "SETUSER", "default", "off"}) == "OK");
  }
  const scratch_file pw("acl-password", password + "\n");
  const auto with_user = [&](std::vector<std::string> a, const std::string& name) {
    a.insert(a.end(), {"--password-file", pw.path.string(), "--user", name});
    return a;
  };
  const std::vector<std::string> key_args{"--count", "2000", "--size", "20"};

  auto r = run_cli(with_user(keys_args("load", c, key_args), user));
  REQUIRE(r.exit_code == 0);
  r = run_cli(args({"check", "--password-file", pw.path.string()}, c));  // as the default user: off
  CHECK(r.exit_code == 1);
  r = run_cli(with_user(args({"check"}, c), "nobody"));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "\"nobody\""));
  CHECK(!contains(r.out + r.err, password));
  r = run_cli(with_user(args({"check"}, c), "two words"));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "--user"));

  r = run_cli(with_user(args({"rebalance", "--use-empty-masters"}, c), user));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "result: done"));
  CHECK(!contains(r.out + r.err, password));

  ::setenv("RCPLAN_USER", user.c_str(), 1);
  r = run_cli(keys_args("verify", c, key_args, {"--password-file", pw.path.string()}));
  const auto balanced = run_cli(args({"rebalance", "--use-empty-masters", "--output", "json", "--password-file",
                                      pw.path.string()}, c));
  ::unsetenv("RCPLAN_USER");
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "2000/2000 keys present"));
  REQUIRE(balanced.exit_code == 0);
  CHECK(nlohmann::json::parse(balanced.out)["result"]["converged"] == true);  // the empty masters took their share

  // a change of the user's password cannot go out as CONFIG SET requirepass: refused, named,
  // nothing changed (the user keeps its password, the default user stays off)
  const std::string next = "acl-next-Pa55word-of-rcplan-op";
  const scratch_file next_pw("acl-next-password", next + "\n");
  const std::string fixture = std::string{RCPLAN_TEST_DATA_DIR} + "/fixtures/distributedrediscluster.yaml";
  r = run_cli(args({"apply", "--spec", fixture, "--user", user, "--password-file", next_pw.path.string(),
                    "--previous-password-file", pw.path.string()}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "rcplan.redis.acl_password_change"));
  CHECK(contains(r.err, user));
  CHECK(!contains(r.out + r.err, password));
  CHECK(!contains(r.out + r.err, next));
  r = run_cli(with_user(args({"check"}, c), user));
  CHECK(r.exit_code == 0);
  r = run_cli(args({"check", "--password-file", next_pw.path.string()}, c));
  CHECK(r.exit_code == 1);
}

TEST_CASE("unreachable seed, malformed spec: exit 1 naming the address or field, nothing changed") {
  redis_cluster c(3, 0);
  const std::string nobody = "127.0.0.1:" + std::to_string(free_port());
  for (const char* command : {"check", "inspect", "fix", "rebalance"}) {
    CAPTURE(command);
    const auto r = run_cli({command, "--redis", nobody});
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, nobody));
  }
  auto r = run_cli({"check", "--redis", "no-port-here"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "no-port-here"));

  const std::string before = shape(c);
  const scratch_file malformed("malformed.yaml",
                               "kind: DistributedRedisCluster\nmetadata: {name: x}\nspec:\n  masterSize: three\n");
  r = run_cli(args({"apply", "--spec", malformed.path.string()}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "spec.masterSize"));
  const scratch_file invalid("invalid.yaml", "kind: DistributedRedisCluster\nmetadata: {name: x}\nspec:\n  masterSize: 0\n");
  r = run_cli(args({"apply", "--spec", invalid.path.string()}, c));
  CHECK(r.exit_code == 1);
  CHECK(contains(r.err, "masterSize"));
  CHECK(shape(c) == before);
}

TEST_CASE("rebalance --redis finishes an interrupted migration first and loses nothing") {
  redis_cluster c(3, 0, 1);
  auto load = args({"keys", "load", "--count", "2000"}, c);
  REQUIRE(run_cli(load).exit_code == 0);

  // the slot of rcplan:0 half-migrated: its key already on the target, others still on the owner
  const std::string key = "rcplan:0";
  const long s = rcplan::key_slot(key);
  const int owner = static_cast<int>(s * 3 / 16384), target = owner == 1 ? 2 : 1;
  c.client(target).call({"CLUSTER", "SETSLOT", std::to_string(s), "IMPORTING", c.id(owner)});
  c.client(owner).call({"CLUSTER", "SETSLOT", std::to_string(s), "MIGRATING", c.id(target)});
  c.client(owner).call({"MIGRATE", "127.0.0.1", std::to_string(c.port(target)), "", "0", "5000", "KEYS", key});
  CHECK(run_cli(args({"check"}, c)).exit_code == 1);

  const auto r = run_cli(args({"rebalance", "--use-empty-masters"}, c));
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "finish interrupted migration of slots " + std::to_string(s)));
  CHECK(eventually([&] { return run_cli(args({"check"}, c)).exit_code == 0; }));
  const auto v = run_cli(args({"keys", "verify", "--count", "2000"}, c));
  CHECK(v.exit_code == 0);
  CHECK(contains(v.out, "2000/2000 keys present"));
}

TEST_CASE("fix: a migration from a master that died with no replica is blocked at once, saying why") {
  redis_cluster c(3, 0);
  std::vector<std::string> keys;  // two keys of slot 100, which master 0 serves
  for (int i = 0; keys.size() < 2; ++i)
    if (const std::string k = "{k" + std::to_string(i) + "}x"; rcplan::key_slot(k) == 100) keys.push_back(k);
  for (const std::string& k : keys) c.client(0).call({"SET", k, "v"});
  // half moved: one key on the target, one still on the source
  c.client(1).call({"CLUSTER", "SETSLOT", "100", "IMPORTING", c.id(0)});
  c.client(0).call({"CLUSTER", "SETSLOT", "100", "MIGRATING", c.id(1)});
  c.client(0).call({"MIGRATE", "127.0.0.1", std::to_string(c.port(1)), keys[0], "0", "5000"});
  c.node(0).kill_now();
  // the others mark it failed after the node timeout
  const std::string dead_line = std::string("\n") + c.id(0);
  REQUIRE(eventually([&] {
    std::string nodes = "\n";
    nodes += c.cluster_nodes(1);
    const auto line = nodes.find(dead_line);
    return line != std::string::npos && nodes.find("fail", line) < nodes.find('\n', line + 1);
  }));
  const auto r = run_cli({"fix", "--redis", seed(c, 1)});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 3);
  CHECK(contains(r.out + r.err, "rebalance.failed_master_no_replica"));
  CHECK(contains(r.out + r.err, rcplan::short_id(rcplan::node_id{c.id(0)})));
  // one plan, nothing sent: the import stays as it was for a person to decide
  CHECK_FALSE(contains(r.err, "retry"));
  CHECK(contains(c.cluster_nodes(1), "[100-<-" + c.id(0) + "]"));
}
