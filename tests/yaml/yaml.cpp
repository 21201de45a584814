// to_yaml(): what it writes reads back as the same JSON — strings that look like numbers,
// booleans or null stay strings, multi-line strings survive as blocks — for hand-picked
// values and for generated ones.

#include <rcplan/yaml/yaml.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

nlohmann::json round_trip(const nlohmann::json& j) {
  const auto docs = rcplan::yaml::parse_yaml_documents(rcplan::yaml::to_yaml({j}));
  REQUIRE(docs.size() == 1);
  return docs.front();
}

}  // namespace

TEST_CASE("to_yaml: strings that YAML would retype are quoted, and the rest is plain", "[yaml]") {
  const nlohmann::json j = {{"shard", "0"},      {"on", "true"},      {"nothing", "null"}, {"empty", ""},
                            {"tilde", "~"},      {"float", "1e3"},    {"yes", "yes"},      {"colon", "a: b"},
                            {"dash", "- x"},     {"hash", "# c"},     {"number", 3},       {"bool", false},
                            {"null", nullptr},   {"list", {1, "2"}},  {"nested", {{"k", "v"}}}};
  CHECK(round_trip(j) == j);
  const std::string text = rcplan::yaml::to_yaml({j});
  CHECK(text.find("shard: \"0\"") != std::string::npos);
  CHECK(text.find("yes: yes") != std::string::npos);  // YAML 1.2: a string, as Kubernetes reads it
}

TEST_CASE("to_yaml: multi-line strings are literal blocks that read back exactly", "[yaml]") {
  for (const std::string s : {"a\nb\n", "a\nb", "cluster-enabled yes\ndir /data\n", "  indented\nline\n",
                              "trailing \nspace\n", "x\n\n\ny\n"}) {
    const nlohmann::json j = {{"text", s}};
    INFO(rcplan::yaml::to_yaml({j}));
    CHECK(round_trip(j) == j);
  }
}

TEST_CASE("to_yaml: several documents, and generated string maps round-trip", "[yaml]") {
  const std::vector<nlohmann::json> docs = {{{"a", 1}}, {{"b", "2"}}};
  CHECK(rcplan::yaml::parse_yaml_documents(rcplan::yaml::to_yaml(docs)) == docs);
  rc::prop("maps of printable strings", [](const std::map<std::string, std::string>& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : m) {
      bool printable = true;
      for (const char c : k + v) printable = printable && c >= 0x20 && c < 0x7f;
      if (printable) j[k] = v;
    }
    const auto back = rcplan::yaml::parse_yaml_documents(rcplan::yaml::to_yaml({j}));
    RC_ASSERT(back.size() == 1U);
    RC_ASSERT(back.front() == j);
  });
}

namespace {

std::string error_id_of(const std::string& text, const rcplan::yaml::yaml_limits& limits = {}) {
  try {
    (void)rcplan::yaml::parse_yaml_documents(text, limits);
  } catch (const rcplan::error& e) {
    return e.id();
  }
  return "accepted";
}

/// `levels` sequences, each holding the last one nine times over through an alias: 9^levels
/// nodes once expanded, from a few hundred bytes.
std::string alias_bomb(int levels) {
  // appended piecewise: GCC 12 at -O3 warns (-Wrestrict) on chains of `+` with to_string
  std::string text = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= levels; ++i) {
    const std::string n = std::to_string(i);
    text.append("a").append(n).append(": &a").append(n).append(" [");
    for (int k = 0; k < 9; ++k) text.append(k == 0 ? "" : ", ").append("*a").append(std::to_string(i - 1));
    text += "]\n";
  }
  return text;
}

}  // namespace

TEST_CASE("parse_yaml: a stray ',' that makes yaml-cpp 0.7 loop forever is refused, naming the line", "[yaml]") {
  for (const std::string text : {",a", ",", ",]", ",a,b", "x: 1\n---\n,a\n"}) {
    CAPTURE(text);
    try {
      (void)rcplan::yaml::parse_yaml_documents(text);
      FAIL("accepted");
    } catch (const rcplan::parse_error& e) {
      CHECK(e.id() == "rcplan.yaml");
      CHECK(e.line() == (text.front() == 'x' ? 3U : 1U));
    }
  }
}

TEST_CASE("parse_yaml: aliases are read, and refused when they expand beyond the bound or into themselves", "[yaml]") {
  const auto doc = rcplan::yaml::parse_yaml("base: &b {cpu: 1, memory: 2Gi}\nmaster: *b\nreplica: *b\n");
  CHECK(doc["replica"] == nlohmann::json{{"cpu", 1}, {"memory", "2Gi"}});
  // nine levels would be billions of nodes (9^10 leaves in the last) from 540 bytes
  CHECK(alias_bomb(9).size() < 600);
  CHECK(error_id_of(alias_bomb(9)) == "rcplan.yaml.too_many_nodes");
  // the same shape within the bound reads in full: 9 + 81 + 729 leaves and their sequences
  const auto small = rcplan::yaml::parse_yaml(alias_bomb(2));
  CHECK(small["a2"].size() == 9);
  CHECK(small["a2"][8][8][8] == "lol");
  CHECK(error_id_of(alias_bomb(2), {.max_nodes = 800}) == "rcplan.yaml.too_many_nodes");
  CHECK(error_id_of(alias_bomb(2), {.max_nodes = 1000}) == "accepted");
  CHECK(error_id_of("a: &a [1, *a]\n") == "rcplan.yaml");
}

TEST_CASE("parse_yaml: the fuzzer's slow alias bomb is refused by the default bound", "[yaml]") {
  // 414 bytes found by fuzz_spec_yaml: about a million nodes expanded, within the first bound
  std::ifstream in(RCPLAN_SOURCE_DIR "/fuzz/corpus/spec_yaml/alias-bomb-within-old-bound", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(text.size() == 414);
  CHECK(error_id_of(text) == "rcplan.yaml.too_many_nodes");
  CHECK(error_id_of(text, {.max_nodes = 1'000'000}) != "rcplan.yaml.too_many_nodes");
}

TEST_CASE("parse_yaml: nesting, size and document count are bounded", "[yaml]") {
  const std::string deep = std::string(200, '[') + std::string(200, ']');
  CHECK(error_id_of(deep) == "rcplan.yaml.too_deep");
  CHECK(error_id_of(std::string(100, '[') + std::string(100, ']')) == "accepted");
  // depth reached through aliases counts too: each level wraps the one before
  std::string chain = "l0: &l0 x\n";
  for (int i = 1; i <= 140; ++i) {
    const std::string n = std::to_string(i);
    chain.append("l").append(n).append(": &l").append(n).append(" [*l").append(std::to_string(i - 1)).append("]\n");
  }
  CHECK(error_id_of(chain) == "rcplan.yaml.too_deep");
  CHECK(error_id_of(std::string(101, ' '), {.max_bytes = 100}) == "rcplan.yaml.too_large");
  CHECK(error_id_of("a: 1\n---\nb: 2\n---\nc: 3\n", {.max_documents = 2}) == "rcplan.yaml.too_large");
  CHECK(error_id_of("a: 1\n---\nb: 2\n", {.max_documents = 2}) == "accepted");
}
