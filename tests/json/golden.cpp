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
using rewrites = std::map<std::string, rewrite>;

/// `kind` in sorted order and `kind_o` in the documented order.
template <typename T>
void both_orders(rewrites& r, const std::string& kind) {
  r[kind] = sorted<T>;
  r[kind + "_o"] = ordered<T>;
}

template <typename T>
std::string through(T (*load)(const json&), const std::string& text) {
  return json(load(json::parse(text))).dump();
}

const rewrites& kinds() {
  static const rewrites all = [] {
    rewrites r;
    both_orders<rcplan::plan>(r, "plan");
    both_orders<rcplan::action>(r, "action");
    both_orders<rcplan::topology>(r, "topology");
    both_orders<rcplan::kube_objects>(r, "kube");
    r["view_o"] = ordered<rcplan::cluster_view>;
    r["repl_o"] = ordered<rcplan::replication_info>;
    r["status_o"] = ordered<rcplan::cluster_status>;
    r["spec"] = sorted<rcplan::cluster_spec>;
    r["resource"] = [](const std::string& t) { return through(rcplan::load_cluster_resource, t); };
    r["backup"] = [](const std::string& t) { return through(rcplan::load_backup_resource, t); };
    r["any"] = [](const std::string& t) { return through(rcplan::load_resource, t); };
    return r;
  }();
  return all;
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
    const auto it = kinds().find(kind);
    REQUIRE(it != kinds().end());
    INFO(kind << " document " << seen[kind]);
    CHECK(it->second(text) == text);
    ++seen[kind];
  }
  // every kind is present, so a truncated file cannot pass
  CHECK(seen.size() == kinds().size());
}
