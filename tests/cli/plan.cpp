#include "cli/run_cli.hpp"

#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>

#include "support/kube_builder.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

using rcplan_test::run_cli;

namespace {

const std::string fixture = std::string(RCPLAN_TEST_DATA_DIR) + "/fixtures/distributedrediscluster.yaml";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Writes `text` to a file that is removed with the object.
struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& name, const std::string& text)
      : path(std::filesystem::temp_directory_path() / name) {
    std::ofstream(path) << text;
  }
  ~temp_file() { std::filesystem::remove(path); }
};

}  // namespace

TEST_CASE("plan: a fixture resource against nothing creates the Kubernetes objects") {
  const temp_file empty("rcplan-empty-topology.json", R"({"views": []})");
  const auto r = run_cli({"plan", "--spec", fixture, "--observed", empty.path.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "status: actions_planned"));
  CHECK(has(r.out, "apply_statefulset  drc-example-distributedrediscluster-0, shard 0, 2 pods"));
  CHECK(has(r.out, "apply_configmap"));
  CHECK(has(r.out, "wait_until"));
  // JSON output is the plan JSON, and the same twice
  const auto j1 = run_cli({"plan", "--spec", fixture, "--observed", empty.path.string(), "--output", "json"});
  const auto j2 = run_cli({"plan", "--spec", fixture, "--observed", empty.path.string(), "--output", "json"});
  REQUIRE(j1.exit_code == 0);
  CHECK(j1.out == j2.out);
  const auto p = nlohmann::json::parse(j1.out).get<rcplan::plan>();
  CHECK(p.status == rcplan::plan_status::actions_planned);
  // ConfigMap, client Service, per shard a headless Service, a PDB and a StatefulSet, one wait
  CHECK(p.steps.size() == 2 + 3 * 3 + 1);
}

TEST_CASE("plan: an observed healthy topology with matching StatefulSets is converged") {
  // the same cluster, as a binding would observe it
  auto r = rcplan_test::resource("c", 3, 1);
  auto k = rcplan_test::kube("c", 3, 2);
  const std::string spec = R"({"apiVersion":"redis.kun/v1alpha1","kind":"DistributedRedisCluster",
    "metadata":{"name":"c"},"spec":{"image":"redis:7.0","masterSize":3,"clusterReplicas":1}})";
  const temp_file spec_file("rcplan-spec.json", spec);
  // first ask for the plan, take the StatefulSet facts it would write, then observe them
  const temp_file bare("rcplan-bare.json", nlohmann::json(k.t).dump());
  const auto first = run_cli({"plan", "--spec", spec_file.path.string(), "--observed", bare.path.string(),
                              "--output", "json"});
  REQUIRE(first.exit_code == 0);
  const auto p = nlohmann::json::parse(first.out).get<rcplan::plan>();
  for (const auto& s : p.steps)
    if (const auto* a = std::get_if<rcplan::apply_statefulset>(&s.action))
      for (auto& sts : k.t.statefulsets)
        if (sts.name == a->object.name) {
          sts.image = a->object.image;
          sts.config_hash = a->object.annotations.at(rcplan::config_hash_annotation);
        }
  const temp_file synced("rcplan-synced.json", nlohmann::json(k.t).dump());
  const auto again = run_cli({"plan", "--spec", spec_file.path.string(), "--observed", synced.path.string()});
  REQUIRE(again.exit_code == 0);
  CHECK(has(again.out, "status: converged"));
}

TEST_CASE("plan: bad input and usage") {
  const temp_file empty("rcplan-empty-topology2.json", R"({"views": []})");
  const temp_file bad_spec("rcplan-bad-spec.yaml", "kind: DistributedRedisCluster\nmetadata: {name: x}\nspec:\n  masterSize: many\n");
  auto r = run_cli({"plan", "--spec", bad_spec.path.string(), "--observed", empty.path.string()});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "spec.masterSize"));
  const temp_file bad_topology("rcplan-bad-topology.json", R"({"pods": 3})");
  r = run_cli({"plan", "--spec", fixture, "--observed", bad_topology.path.string()});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "not a topology"));
  // what is not a topology is refused, not planned from as an empty cluster
  for (const char* text : {"{}", R"({"nodes": 5})", "[]", "3", R"({"views": 5})"}) {
    CAPTURE(text);
    const temp_file t("rcplan-not-topology.json", text);
    r = run_cli({"plan", "--spec", fixture, "--observed", t.path.string()});
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "not a topology"));
    CHECK(r.out.empty());
  }
  // the wrapper `inspect --output json` writes is accepted as the topology inside it
  const temp_file wrapped("rcplan-wrapped-topology.json", R"({"topology": {"views": []}, "findings": []})");
  const auto plain = run_cli({"plan", "--spec", fixture, "--observed", empty.path.string(), "--output", "json"});
  const auto unwrapped = run_cli({"plan", "--spec", fixture, "--observed", wrapped.path.string(), "--output", "json"});
  CHECK(unwrapped.exit_code == 0);
  CHECK(unwrapped.out == plain.out);
  r = run_cli({"plan", "--spec", fixture});
  CHECK(r.exit_code == 2);
  r = run_cli({"plan", "--spec", fixture, "--observed", empty.path.string(), "--cluster-nodes", empty.path.string()});
  CHECK(r.exit_code == 2);
  // a stray ',' once made the YAML library loop forever: refused at once, naming the line
  const temp_file comma("rcplan-comma.yaml", ",a");
  r = run_cli({"plan", "--spec", comma.path.string(), "--observed", empty.path.string()});
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "line 1"));
  // an invalid spec field is malformed input like any other: exit 1 naming the field, nothing planned
  for (const char* spec : {"masterSize: 0", "masterSize: -1", "masterSize: 16385", "clusterReplicas: -1",
                           "config: {maxmemory-policy: \"allkeys-lru\\nsave 1 1\"}"}) {
    CAPTURE(spec);
    const temp_file bad("rcplan-invalid.yaml", std::string("kind: DistributedRedisCluster\nmetadata: {name: x}\nspec: {") + spec + "}\n");
    r = run_cli({"plan", "--spec", bad.path.string(), "--observed", empty.path.string()});
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "spec."));
    CHECK(r.out.empty());
  }
  // every object is named after the resource: a missing or unusable name is refused
  for (const char* meta : {"{}", "{name: \"\"}", "{name: Bad_Name}"}) {
    CAPTURE(meta);
    const temp_file bad("rcplan-unnamed.yaml", std::string("kind: DistributedRedisCluster\nmetadata: ") + meta + "\nspec: {masterSize: 3}\n");
    r = run_cli({"plan", "--spec", bad.path.string(), "--observed", empty.path.string()});
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, "metadata.name"));
  }
}

TEST_CASE("plan: balancing by keys prints the keys moved") {
  auto k = rcplan_test::kube("c", 2, 1);
  std::map<rcplan::slot, std::uint64_t> heavy;
  for (rcplan::slot s = 0; s < 8192; s += 8) heavy[s] = 10;
  k.observed(k.ids[0][0]).keys_per_slot = heavy;
  const std::string spec = R"({"metadata":{"name":"c"},"spec":{"image":"redis:7.0","masterSize":2,"clusterReplicas":0,
    "rebalance":{"balanceBy":"keys"}}})";
  const temp_file spec_file("rcplan-keys-spec.json", spec);
  // let the StatefulSets match what the plan would write, as in the converged test
  const temp_file bare("rcplan-keys-bare.json", nlohmann::json(k.t).dump());
  const auto first = run_cli({"plan", "--spec", spec_file.path.string(), "--observed", bare.path.string(), "--output", "json"});
  REQUIRE(first.exit_code == 0);
  for (const auto& s : nlohmann::json::parse(first.out).get<rcplan::plan>().steps)
    if (const auto* a = std::get_if<rcplan::apply_statefulset>(&s.action))
      for (auto& sts : k.t.statefulsets)
        if (sts.name == a->object.name) {
          sts.image = a->object.image;
          sts.config_hash = a->object.annotations.at(rcplan::config_hash_annotation);
        }
  const temp_file synced("rcplan-keys-synced.json", nlohmann::json(k.t).dump());
  const auto r = run_cli({"plan", "--spec", spec_file.path.string(), "--observed", synced.path.string()});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "migrate_slots"));
  CHECK(has(r.out, "\n  keys moved: "));
}

TEST_CASE("plan: hostile spec files are refused with exit 1 naming the line or field, within 1 GiB of memory") {
  const temp_file empty("rcplan-empty-topology3.json", R"({"views": []})");
  // a few hundred bytes that expand to 9^9 nodes through aliases
  std::string bomb = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string n = std::to_string(i), prev = std::to_string(i - 1);
    bomb.append("a").append(n).append(": &a").append(n).append(" [*a").append(prev);
    for (int k = 1; k < 9; ++k) bomb.append(", *a").append(prev);
    bomb += "]\n";
  }
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 131 + 7) % 256);
  const std::string spec_head = "kind: DistributedRedisCluster\nmetadata: {name: x}\nspec: {";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {bomb, "line"},
      {",a", "line 1"},
      {std::string(1000, '[') + std::string(1000, ']'), "line 1"},
      {binary, "line"},
      {spec_head + "masterSize: 1000000}\n", "spec.masterSize"},
      {spec_head + "masterSize: 3, config: {no-such-directive: 1}}\n", "spec.config"},
      {spec_head + "masterSize: 3, config: {maxmemory: \"1\\nsave 1 1\"}}\n", "spec.config"},
      {"kind: DistributedRedisCluster\nmetadata: {}\nspec: {masterSize: 3}\n", "metadata.name"},
  };
  for (const auto& [text, named] : cases) {
    CAPTURE(named, text.size());
    const temp_file f("rcplan-hostile.yaml", text);
    const auto r = rcplan_test::run_cli_limited({"plan", "--spec", f.path.string(), "--observed", empty.path.string()},
                                                std::size_t{1} << 30);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(has(r.err, named));
    CHECK(r.out.empty());
    // what is echoed of the input is printable: control bytes come back escaped
    for (const char c : r.err) CHECK((c == '\n' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f)));
  }
}
