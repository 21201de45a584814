// The `rcplan rebalance` command, run as a separate process on the bundled example dumps.

#include "cli/run_cli.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>
#include <vector>

using rcplan_test::example_data;
using rcplan_test::read_file;
using rcplan_test::run_cli;

namespace {

// examples/data/empty-master.nodes and importing.nodes
constexpr const char* id_7201 = "f00ab0706791fc0c47833820e8e84d2b1e2be0d4";
constexpr const char* id_7204 = "0a45d433a0df958243039ec5ac9c6854ab2884c7";
// examples/data/resharding.nodes
constexpr const char* id_7101 = "755275f2e0dbd82b5ec6c1d6c20f5b3a04dbf082";
constexpr const char* id_7107 = "66b0dccb111e20b1657dfa7dd5b7d9704f5a409d";

rcplan_test::cli_result rebalance(const char* dump, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"rebalance", "--cluster-nodes", example_data(dump), "--dry-run"};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

rcplan::plan rebalance_json(const char* dump, const std::vector<std::string>& extra = {}, int exit_code = 0) {
  std::vector<std::string> args = extra;
  args.insert(args.end(), {"--output", "json"});
  const auto r = rebalance(dump, args);
  REQUIRE(r.exit_code == exit_code);
  REQUIRE(r.err.empty());
  return nlohmann::json::parse(r.out).get<rcplan::plan>();
}

/// What the library plans for the dump, for comparison with what the command printed.
rcplan::plan library_plan(const char* dump, const rcplan::rebalance_options& opt = {}) {
  return rcplan::plan_rebalance(rcplan::topology_from_cluster_nodes(read_file(example_data(dump))), opt);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("rebalance prints a runbook: status, diagnostics, waves, summary") {
  const auto r = rebalance("resharding.nodes");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("status: actions_planned (4 steps in 2 waves)\n", 0) == 0);
  CHECK(has(r.out, "\ndiagnostics: none\n"));
  // the interrupted migration is finished first (the dump does not show whether its target
  // already holds keys), then the new master 7107 takes slots from the three old ones at once
  CHECK(has(r.out, "\nwave 0 (1 step)\n  migrate_slots  755275f2 -> 346c30a1, slot 5460: finish interrupted migration"));
  CHECK(has(r.out, "\nwave 1 (3 steps, may run concurrently)\n  migrate_slots  346c30a1 -> 66b0dccb, slots 9556-10922 (1367): move 1367 "
                   "slots from 346c30a1 (holds 5463, quota 4096) to 66b0dccb (holds 2, quota 4096)\n"));
  CHECK(has(r.out, "  migrate_slots  755275f2 -> 66b0dccb, slots 0-99,102-1363 (1362): "));
  CHECK(has(r.out, "\nsummary\n  slots moved: 4094 (lower bound 4094)\n  slot ranges per master after the plan:\n"));
  CHECK(has(r.out, "    66b0dccb  127.0.0.1:7107  2\n"));
  CHECK(r.out.find("wave 0") < r.out.find("wave 1"));
  CHECK(r.out.find("wave 1") < r.out.find("summary"));
  CHECK(r.out.find("wave 2") == std::string::npos);
}

TEST_CASE("rebalance --output json is the plan JSON, equal to the library's plan") {
  for (const char* dump : {"healthy.nodes", "resharding.nodes", "empty-master.nodes", "importing.nodes"}) {
    CAPTURE(dump);
    CHECK(rebalance_json(dump) == library_plan(dump));
  }
  const auto r = rebalance("resharding.nodes", {"--output", "json"});
  REQUIRE(r.exit_code == 0);
  // the documented field order and a 2-space indent
  CHECK(r.out.rfind("{\n  \"status\": \"actions_planned\",\n  \"diagnostics\": [],\n  \"steps\": [\n", 0) == 0);
  const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> keys;
  for (const auto& [k, v] : doc.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"status", "diagnostics", "steps", "summary"});
  CHECK(doc.dump(2) + "\n" == r.out);
  CHECK(doc.at("steps").at(1).at("action").at("type") == "migrate_slots");
  CHECK(doc.at("steps").at(1).at("action").at("slots") == nlohmann::ordered_json::parse("[[9556, 10922]]"));
}

TEST_CASE("rebalance: a converged cluster, an empty master, an open slot") {
  const auto healthy = rebalance("healthy.nodes");
  REQUIRE(healthy.exit_code == 0);
  CHECK(has(healthy.out, "status: converged (nothing to do)\n\ndiagnostics: none\n\nno steps\n"));
  CHECK(has(healthy.out, "  slots moved: 0 (lower bound 0)\n"));

  // the empty master 7204 takes part only when asked
  CHECK(rebalance_json("empty-master.nodes").status == rcplan::plan_status::converged);
  const rcplan::plan joined = rebalance_json("empty-master.nodes", {"--use-empty-masters"});
  CHECK(joined.status == rcplan::plan_status::actions_planned);
  CHECK(joined.summary.slots_moved == 4096);
  CHECK(joined.summary.lower_bound == 4096);
  for (const auto& s : joined.steps) CHECK(std::get<rcplan::migrate_slots>(s.action).target.value == id_7204);
  const auto text = rebalance("empty-master.nodes", {"--use-empty-masters"});
  CHECK(has(text.out, "-> 0a45d433, slots "));
  CHECK(has(text.out, "    0a45d433  127.0.0.1:7204  "));

  // seen from the importing side: the interrupted migration of slot 100 is finished
  const auto importing = rebalance("importing.nodes");
  REQUIRE(importing.exit_code == 0);
  CHECK(has(importing.out, "\nwave 0 (1 step)\n  migrate_slots  f00ab070 -> 187fd72a, slot 100: finish interrupted "
                           "migration of slots 100 from f00ab070 to 187fd72a\n"));
}

TEST_CASE("rebalance options reach the planner") {
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  opt.max_concurrent_migrations = 1;
  opt.weights[rcplan::node_id{id_7201}] = 0;
  opt.weights[rcplan::node_id{id_7204}] = 2.5;
  const rcplan::plan p = rebalance_json(
      "empty-master.nodes", {"--use-empty-masters", "--max-concurrent", "1", "--weight", std::string{id_7201} + "=0",
                             "--weight", "0a45d=2.5"});
  CHECK(p == library_plan("empty-master.nodes", opt));
  for (const auto& s : p.steps) CHECK(std::count_if(p.steps.begin(), p.steps.end(), [&](const auto& o) {
                                        return o.wave == s.wave;
                                      }) == 1);

  // 7107 holds 2 of 16384 slots: far off with any threshold below 100%
  rcplan::rebalance_options lax;
  lax.threshold_percent = 100;
  CHECK(rebalance_json("resharding.nodes", {"--threshold", "100"}) == library_plan("resharding.nodes", lax));
  CHECK(rebalance_json("resharding.nodes", {"--threshold", "100"}).summary.slots_moved == 0);
}

TEST_CASE("rebalance --weight takes node id prefixes, as redis-cli does") {
  rcplan::rebalance_options opt;
  opt.weights[rcplan::node_id{id_7107}] = 3;
  opt.weights[rcplan::node_id{id_7101}] = 0.5;
  const rcplan::plan expected = library_plan("resharding.nodes", opt);
  CHECK(rebalance_json("resharding.nodes", {"--weight", "66b0=3", "--weight", "755275f2=0.5"}) == expected);
  CHECK(rebalance_json("resharding.nodes", {"--weight", std::string{id_7107} + "=3", "--weight",
                                            std::string{id_7101} + "=.5"}) == expected);
  CHECK(expected != library_plan("resharding.nodes"));
}

TEST_CASE("rebalance --weight rejects unknown, ambiguous and replica ids and bad weights") {
  const auto unknown = rebalance("resharding.nodes", {"--weight", "abcdef=2"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(has(unknown.err, "no node id starts with \"abcdef\""));

  // two ids that share a prefix: 7103's id rewritten to start like 7101's
  std::string dump = read_file(example_data("healthy.nodes"));
  const std::string old_id = "4f2d0bb8d15a0c24f5e7f9d6c4699c902359a417";
  const std::string new_id = "7552aaaad15a0c24f5e7f9d6c4699c902359a417";
  for (std::size_t at; (at = dump.find(old_id)) != std::string::npos;) dump.replace(at, old_id.size(), new_id);
  const auto ambiguous = run_cli({"rebalance", "--cluster-nodes", "-", "--dry-run", "--weight", "7552=2"}, dump);
  CHECK(ambiguous.exit_code == 2);
  CHECK(has(ambiguous.err, "\"7552\" is ambiguous"));
  CHECK(has(ambiguous.err, new_id));
  CHECK(has(ambiguous.err, id_7101));
  CHECK(run_cli({"rebalance", "--cluster-nodes", "-", "--dry-run", "--weight", "75527=2"}, dump).exit_code == 0);

  for (const char* bad : {"66b0=-1", "66b0=abc", "66b0=", "66b0=nan", "66b0=inf", "66b0=1x", "=2", "66b0", "66b0=1.7e308",
                          "66b0=1000001"}) {
    CAPTURE(bad);
    const auto r = rebalance("resharding.nodes", {"--weight", bad});
    CHECK(r.exit_code == 2);
    CHECK(has(r.err, "--weight"));
  }
  const auto replica = rebalance("resharding.nodes", {"--weight", "d5ffc491=2"});
  CHECK(replica.exit_code == 2);
  CHECK(has(replica.err, "a replica"));
  const auto twice = rebalance("resharding.nodes", {"--weight", "66b0=2", "--weight", "66b0dc=3"});
  CHECK(twice.exit_code == 2);
  CHECK(has(twice.err, "a second weight for"));
}

TEST_CASE("rebalance exits 3 on a blocked plan, after printing it") {
  for (const char* dump : {"degraded.nodes", "contested.nodes"}) {
    CAPTURE(dump);
    const auto r = rebalance(dump);
    CHECK(r.exit_code == 3);
    CHECK(r.err.empty());
    CHECK(has(r.out, "status: blocked (cannot proceed; the diagnostics say why)\n"));
    CHECK(has(r.out, "\nno steps\n"));
    CHECK(rebalance_json(dump, {}, 3) == library_plan(dump));
  }
  CHECK(has(rebalance("degraded.nodes").out,
            "  error    rebalance.failed_master_no_replica [4f2d0bb8]: master 4f2d0bb8 is down with no replica"));
  CHECK(has(rebalance("contested.nodes").out, "  error    repair.contested_slot [5400-5460]: "));
}

TEST_CASE("rebalance --balance keys is blocked without key counts, which CLUSTER NODES lacks") {
  const auto r = rebalance("healthy.nodes", {"--balance", "keys"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.empty());
  CHECK(has(r.out, "status: blocked (cannot proceed; the diagnostics say why)\n"));
  CHECK(has(r.out, "rebalance.keys_unknown"));
  const rcplan::plan p = rebalance_json("healthy.nodes", {"--balance", "keys"}, 3);
  rcplan::rebalance_options by_keys;
  by_keys.balance = rcplan::balance_mode::keys;
  CHECK(p == library_plan("healthy.nodes", by_keys));
  CHECK(p.status == rcplan::plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE_FALSE(p.diagnostics.empty());
  // one diagnostic per master, naming it
  std::size_t masters = 0;
  for (const auto& n : rcplan::merged_nodes(rcplan::topology_from_cluster_nodes(read_file(example_data("healthy.nodes")))))
    if (n.is_master()) {
      ++masters;
      CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(), [&](const rcplan::diagnostic& d) {
        return d.code == "rebalance.keys_unknown" && d.subject == n.id.value && d.severity == rcplan::severity::error;
      }));
    }
  CHECK(p.diagnostics.size() == masters);

  // slots is the default; anything else is a usage error
  for (const char* dump : {"healthy.nodes", "resharding.nodes"})
    CHECK(rebalance_json(dump, {"--balance", "slots"}) == library_plan(dump));
  const auto bad = rebalance("healthy.nodes", {"--balance", "bytes"});
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "--balance"));
}

TEST_CASE("rebalance exits 1 on bad input and 2 on usage errors") {
  const auto bad = rebalance("bad.nodes");
  CHECK(bad.exit_code == 1);
  CHECK(bad.out.empty());
  CHECK(has(bad.err, "bad.nodes: [rcplan.parse.cluster_nodes] line 3: "));
  CHECK(run_cli({"rebalance", "--cluster-nodes", "-", "--dry-run"}, "\n").exit_code == 1);
  CHECK(rebalance("no-such-dump.nodes").exit_code == 1);

  const auto no_dry_run = run_cli({"rebalance", "--cluster-nodes", example_data("healthy.nodes")});
  CHECK(no_dry_run.exit_code == 2);
  CHECK(no_dry_run.out.empty());
  CHECK(has(no_dry_run.err, "--dry-run"));
  CHECK(has(no_dry_run.err, "--redis"));
  CHECK(has(no_dry_run.err, "live cluster"));

  CHECK(run_cli({"rebalance", "--dry-run"}).exit_code == 2);
  const auto negative = rebalance("healthy.nodes", {"--threshold", "-1"});
  CHECK(negative.exit_code == 2);
  CHECK(has(negative.err, "--threshold"));
  CHECK(has(negative.err, "100"));
  CHECK(negative.err.size() < 200);  // not the range of a double, 309 digits long
  CHECK(rebalance("healthy.nodes", {"--threshold", "100.5"}).exit_code == 2);
  CHECK(rebalance("healthy.nodes", {"--threshold", "lots"}).exit_code == 2);
  CHECK(rebalance("healthy.nodes", {"--max-concurrent", "-2"}).exit_code == 2);
  CHECK(rebalance("healthy.nodes", {"--output", "yaml"}).exit_code == 2);

  const auto help = run_cli({"rebalance", "--help"});
  CHECK(help.exit_code == 0);
  for (const char* option : {"--cluster-nodes", "--weight", "--use-empty-masters", "--threshold", "--max-concurrent",
                             "--dry-run", "--output"})
    CHECK(has(help.out, option));
}

TEST_CASE("rebalance is deterministic: two runs print the same bytes") {
  for (const char* dump : {"resharding.nodes", "empty-master.nodes", "contested.nodes"})
    for (const char* format : {"text", "json"}) {
      CAPTURE(dump, format);
      const std::vector<std::string> extra{"--use-empty-masters", "--weight", "66b0=2", "--output", format};
      const bool resharding = std::string{dump} == "resharding.nodes";
      const auto a = rebalance(dump, resharding ? extra : std::vector<std::string>{"--output", format});
      const auto b = rebalance(dump, resharding ? extra : std::vector<std::string>{"--output", format});
      CHECK(a.exit_code == b.exit_code);
      CHECK(a.out == b.out);
      CHECK_FALSE(a.out.empty());
    }
  // nor does the order Redis printed the nodes in matter
  const std::string dump = read_file(example_data("resharding.nodes"));
  std::string reversed;
  for (std::size_t end = dump.size(); end > 0;) {
    const std::size_t start = dump.rfind('\n', end - 2) == std::string::npos ? 0 : dump.rfind('\n', end - 2) + 1;
    reversed += dump.substr(start, end - start);
    end = start;
  }
  CHECK(run_cli({"rebalance", "--cluster-nodes", "-", "--dry-run"}, reversed).out == rebalance("resharding.nodes").out);
}
