// Golden bytes: documents written by the JSON layer (from the rapidcheck generators with fixed
// seeds, one per line as `<kind> <json>`) must read back and be written again byte for byte.
// The file was produced before the layer was rewritten, so any change in key order, omission or
// number formatting shows here. Kinds ending in `_o` were written into nlohmann::ordered_json.

#include <rcplan/json/json.hpp>
#include <rcplan/json/kube_objects.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <functional>
#include <map>
#include <string>

namespace {

using nlohmann::json;
using nlohmann::ordered_json;

template <typename T>
std::string sorted(const std::string& text) {
  return json(json::parse(text).get<T>()).dump();
}

template <typename T>
std::string ordered(const std::string& text) {
  return ordered_json(json::parse(text).get<T>()).dump();
}

using rewrite = std::function<std::string(const std::string&)>;

const std::map<std::string, rewrite>& rewrites() {
  static const std::map<std::string, rewrite> kinds{
      {"plan", sorted<rcplan::plan>},
      {"plan_o", ordered<rcplan::plan>},
      {"action", sorted<rcplan::action>},
      {"action_o", ordered<rcplan::action>},
      {"topology", sorted<rcplan::topology>},
      {"topology_o", ordered<rcplan::topology>},
      {"view_o", ordered<rcplan::cluster_view>},
      {"repl_o", ordered<rcplan::replication_info>},
      {"kube", sorted<rcplan::kube_objects>},
      {"kube_o", ordered<rcplan::kube_objects>},
      {"status_o", ordered<rcplan::cluster_status>},
      {"spec", sorted<rcplan::cluster_spec>},
      {"resource", [](const std::string& t) { return json(rcplan::load_cluster_resource(json::parse(t))).dump(); }},
      {"backup", [](const std::string& t) { return json(rcplan::load_backup_resource(json::parse(t))).dump(); }},
      {"any", [](const std::string& t) { return json(rcplan::load_resource(json::parse(t))).dump(); }},
  };
  return kinds;
}

}  // namespace

TEST_CASE("golden documents read back and are written again byte for byte") {
  std::ifstream in(RCPLAN_SOURCE_DIR "/tests/json/golden/documents.txt");
  REQUIRE(in);
  std::map<std::string, std::size_t> seen;
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    REQUIRE(space != std::string::npos);
    const std::string kind = line.substr(0, space);
    const std::string text = line.substr(space + 1);
    const auto it = rewrites().find(kind);
    REQUIRE(it != rewrites().end());
    INFO(kind << " document " << seen[kind]);
    CHECK(it->second(text) == text);
    ++seen[kind];
  }
  // every kind is present, so a truncated file cannot pass
  CHECK(seen.size() == rewrites().size());
}
