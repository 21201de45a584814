// The `rcplan inspect` command, run as a separate process on the bundled example dumps.

#include "cli/run_cli.hpp"

#include <rcplan/json/model.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

using rcplan_test::example_data;
using rcplan_test::read_file;
using rcplan_test::run_cli;

namespace {

constexpr const char* id_7101 = "755275f2e0dbd82b5ec6c1d6c20f5b3a04dbf082";
constexpr const char* id_7102 = "346c30a1f1aba49e490164b598282c3b252ff154";
constexpr const char* id_7103 = "4f2d0bb8d15a0c24f5e7f9d6c4699c902359a417";
constexpr const char* id_7107 = "66b0dccb111e20b1657dfa7dd5b7d9704f5a409d";

rcplan_test::cli_result inspect(const char* dump, const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"inspect", "--cluster-nodes", example_data(dump)};
  args.insert(args.end(), extra.begin(), extra.end());
  return run_cli(args);
}

nlohmann::json inspect_json(const char* dump) {
  const auto r = inspect(dump, {"--output", "json"});
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.err.empty());
  return nlohmann::json::parse(r.out);
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("inspect prints masters, replicas and full coverage of a healthy cluster") {
  const auto r = inspect("healthy.nodes");
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(has(r.out, std::string{"cluster as seen by "} + id_7101 + " (127.0.0.1:7101)"));
  CHECK(has(r.out, "6 nodes: 3 masters, 3 replicas\n"));
  CHECK(has(r.out, std::string{id_7101} + "  127.0.0.1:7101   5461 slots  0-5460\n"));
  CHECK(has(r.out, std::string{id_7102} + "  127.0.0.1:7102   5462 slots  5461-10922\n"));
  CHECK(has(r.out, "    replica d5ffc491bc328d9daaefdb1c735aed4daadc1c0d  127.0.0.1:7104\n"));
  CHECK(has(r.out, "open slots (0)\n  none\n"));
  CHECK(has(r.out, "nodes with problems (0)\n  none\n"));
  CHECK(has(r.out, "covered: 16384 of 16384 slots\n  uncovered: none\n"));
  CHECK(has(r.out, "claimed by more than one master: none\n"));
}

TEST_CASE("inspect shows a resharding: split ranges, a new master, the migrating slot") {
  const auto r = inspect("resharding.nodes");
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, std::string{id_7101} + "  127.0.0.1:7101   5459 slots  0-99,102-5460\n"));
  CHECK(has(r.out, std::string{id_7107} + "  127.0.0.1:7107      2 slots  100-101\n    no replicas\n"));
  CHECK(has(r.out, std::string{"open slots (1)\n   5460  migrating from "} + id_7101 + " to " + id_7102 + "\n"));
  // masters are listed by their lowest slot: the new master's 100-101 comes second
  CHECK(r.out.find(id_7107) < r.out.find(std::string{id_7102} + "  127.0.0.1:7102"));
}

TEST_CASE("inspect reports failed nodes, uncovered slots and slots on failed masters") {
  const auto r = inspect("degraded.nodes");
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "5461 slots  10923-16383 [fail]\n"));
  CHECK(has(r.out, "nodes with problems (2)\n"));
  CHECK(has(r.out, std::string{id_7103} + "  127.0.0.1:7103  master   fail, link down\n"));
  CHECK(has(r.out, "covered: 16334 of 16384 slots\n  uncovered: 0-49\n"));
  CHECK(has(r.out, "owned by failing masters: 10923-16383\n"));
}

TEST_CASE("inspect reports contested slots, pfail, handshake and noaddr nodes, importing slots") {
  const auto r = inspect("contested.nodes");
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "8 nodes: 4 masters, 3 replicas, 1 in handshake\n"));
  CHECK(has(r.out, "claimed by more than one master: 5400-5460\n"));
  CHECK(has(r.out, std::string{"    "} + id_7101 + " claims 5400-5460\n"));
  CHECK(has(r.out, std::string{"    "} + id_7102 + " claims 5400-5460\n"));
  CHECK(has(r.out, "127.0.0.1:7105,redis-4.redis-headless [pfail]\n"));
  CHECK(has(r.out, "  unknown  handshake, link down\n"));
  CHECK(has(r.out, "(no address)"));
  CHECK(has(r.out, "  master   noaddr, link down\n"));
  CHECK(has(r.out, std::string{"16383  importing into "} + id_7101 + " from " + id_7103 + "\n"));
}

TEST_CASE("inspect --output json carries the topology and the summary") {
  const nlohmann::json doc = inspect_json("resharding.nodes");
  const nlohmann::json& summary = doc.at("summary");
  CHECK(summary.at("observers") == nlohmann::json::array({id_7101}));
  CHECK(summary.at("master_count") == 4);
  CHECK(summary.at("replica_count") == 3);
  const nlohmann::json& first = summary.at("masters").at(0);
  CHECK(first.at("id") == id_7101);
  CHECK(first.at("slot_count") == 5459);
  CHECK(first.at("slots") == nlohmann::json::parse("[[0, 99], [102, 5460]]"));
  CHECK(first.at("replicas").at(0).at("id") == "d5ffc491bc328d9daaefdb1c735aed4daadc1c0d");
  CHECK(summary.at("open_slots") == nlohmann::json::parse(std::string{R"([{"slot": 5460, "node": ")"} + id_7101 +
                                                          R"(", "dir": "migrating", "peer": ")" + id_7102 + R"("}])"));
  CHECK(summary.at("coverage").at("covered") == 16384);
  CHECK(summary.at("coverage").at("uncovered") == nlohmann::json::array());
}

TEST_CASE("inspect --output json reports coverage problems as slot ranges") {
  const nlohmann::json degraded = inspect_json("degraded.nodes").at("summary").at("coverage");
  CHECK(degraded.at("covered") == 16334);
  CHECK(degraded.at("uncovered") == nlohmann::json::parse("[[0, 49]]"));
  CHECK(degraded.at("on_failed_masters") == nlohmann::json::parse("[[10923, 16383]]"));

  const nlohmann::json contested = inspect_json("contested.nodes").at("summary");
  CHECK(contested.at("coverage").at("contested") == nlohmann::json::parse("[[5400, 5460]]"));
  CHECK(contested.at("coverage").at("contested_by").size() == 2);
  CHECK(contested.at("handshake_count") == 1);
  std::vector<std::string> problems;
  for (const auto& n : contested.at("problem_nodes")) problems.push_back(n.at("problems").at(0));
  std::sort(problems.begin(), problems.end());
  CHECK(problems == std::vector<std::string>{"handshake", "noaddr", "pfail"});
}

TEST_CASE("inspect --output json's topology reads back as the parsed dump") {
  for (const char* dump : {"healthy.nodes", "resharding.nodes", "degraded.nodes", "contested.nodes"}) {
    CAPTURE(dump);
    const rcplan::topology printed = inspect_json(dump).at("topology").get<rcplan::topology>();
    CHECK(printed == rcplan::topology_from_cluster_nodes(read_file(example_data(dump))));
  }
}

TEST_CASE("inspect reads standard input for -, with any line order and line ending") {
  const std::string dump = read_file(example_data("resharding.nodes"));
  const auto from_file = inspect("resharding.nodes");
  REQUIRE(from_file.exit_code == 0);

  CHECK(run_cli({"inspect", "--cluster-nodes", "-"}, dump).out == from_file.out);

  std::vector<std::string> lines;
  std::istringstream in(dump);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::reverse(lines.begin(), lines.end());
  std::string reversed_crlf;
  for (const std::string& line : lines) reversed_crlf += line + "\r\n";
  // the summary is sorted by stable keys, so the order Redis printed the nodes in is irrelevant
  CHECK(run_cli({"inspect", "--cluster-nodes", "-"}, reversed_crlf).out == from_file.out);
}

TEST_CASE("inspect exits 1 on bad input, naming the file and the line") {
  const auto r = inspect("bad.nodes");
  CHECK(r.exit_code == 1);
  CHECK(r.out.empty());
  CHECK(has(r.err, "bad.nodes: [rcplan.parse.cluster_nodes] line 3: "));
  CHECK(has(r.err, "99999"));

  const auto short_line = run_cli({"inspect", "--cluster-nodes", "-"},
                                  read_file(example_data("healthy.nodes")) + "\nabc 127.0.0.1:7000@17000 master\n");
  CHECK(short_line.exit_code == 1);
  CHECK(has(short_line.err, "<stdin>: [rcplan.parse.cluster_nodes] line 8: "));

  const auto empty = run_cli({"inspect", "--cluster-nodes", "-"}, "\n\n");
  CHECK(empty.exit_code == 1);
  CHECK(has(empty.err, "no CLUSTER NODES lines"));

  const auto missing = run_cli({"inspect", "--cluster-nodes", example_data("no-such-dump.nodes")});
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "cannot open "));
  CHECK(has(missing.err, "no-such-dump.nodes"));
}

TEST_CASE("rcplan exits 2 on usage errors and 0 for --help") {
  CHECK(run_cli({}).exit_code == 2);
  CHECK(run_cli({"no-such-command"}).exit_code == 2);

  const auto no_input = run_cli({"inspect"});
  CHECK(no_input.exit_code == 2);
  CHECK(has(no_input.err, "--cluster-nodes is required"));

  const auto bad_format = inspect("healthy.nodes", {"--output", "xml"});
  CHECK(bad_format.exit_code == 2);
  CHECK(has(bad_format.err, "xml"));
  CHECK(bad_format.out.empty());

  CHECK(inspect("healthy.nodes", {"--no-such-option"}).exit_code == 2);

  const auto help = run_cli({"inspect", "--help"});
  CHECK(help.exit_code == 0);
  CHECK(has(help.out, "--cluster-nodes"));
  CHECK(has(help.out, "--output"));
}
