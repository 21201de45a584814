// to_yaml(): what it writes reads back as the same JSON — strings that look like numbers,
// booleans or null stay strings, multi-line strings survive as blocks — for hand-picked
// values and for generated ones.

#include <rcplan/yaml/yaml.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

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
