// The backup manifest's JSON: the documented shape, a round trip, and errors that name the path.

#include <rcplan/json/json.hpp>

#include "json/json_errors.hpp"

#include <catch2/catch.hpp>

namespace {

rcplan::backup_manifest sample() {
  rcplan::backup_manifest m;
  m.cluster = "demo";
  m.taken_at = "2026-12-03T10:00:00Z";
  m.redis_version = "7.0.15";
  for (int i = 0; i < 2; ++i) {
    rcplan::backup_shard s;
    s.index = i;
    s.slots = rcplan::slot_set::from_ranges({i == 0 ? rcplan::slot_range{0, 8191} : rcplan::slot_range{8192, 16383}});
    s.source = std::string(40, static_cast<char>('a' + i));
    s.from_replica = i == 0;
    s.keys = 1000u + static_cast<std::uint64_t>(i);
    s.rdb_bytes = 4096;
    s.sha256 = std::string(64, 'f');
    s.file = "shard-" + std::to_string(i) + ".rdb";
    m.shards.push_back(s);
  }
  return m;
}

}  // namespace

TEST_CASE("backup manifest: camelCase fields, slots as ranges, and back unchanged") {
  const rcplan::backup_manifest m = sample();
  const nlohmann::json j = m;
  CHECK(j["format"] == 1);
  CHECK(j["takenAt"] == "2026-12-03T10:00:00Z");
  CHECK(j["redisVersion"] == "7.0.15");
  CHECK(j["shards"][0]["slots"] == nlohmann::json::parse("[[0, 8191]]"));
  CHECK(j["shards"][0]["fromReplica"] == true);
  CHECK(j["shards"][1]["rdbBytes"] == 4096);
  CHECK(j.get<rcplan::backup_manifest>() == m);
  CHECK(rcplan::check_manifest(j.get<rcplan::backup_manifest>()).empty());
}

TEST_CASE("backup manifest: a missing checksum or a malformed slot range is named by its path") {
  nlohmann::json j = sample();
  j["shards"][1].erase("sha256");
  const rcplan::json_error missing = rcplan::json_test::error_from([&] { (void)j.get<rcplan::backup_manifest>(); });
  CHECK(missing.path() == "shards[1].sha256");

  nlohmann::json k = sample();
  k["shards"][0]["slots"] = nlohmann::json::parse("[[5, 2]]");
  const rcplan::json_error bad = rcplan::json_test::error_from([&] { (void)k.get<rcplan::backup_manifest>(); });
  CHECK(bad.path().rfind("shards[0].slots", 0) == 0);
}

TEST_CASE("restore plan: placements by shard and back unchanged") {
  rcplan::cluster_resource r;
  r.metadata.name = "copy";
  r.spec.master_size = 1;
  const rcplan::restore_plan p = rcplan::plan_restore(sample(), r);
  REQUIRE(p.status == rcplan::plan_status::actions_planned);
  const nlohmann::json j = p;
  CHECK(j["status"] == "actions_planned");
  CHECK(j["shardsAtStart"] == 2);
  CHECK(j["masters"] == 1);
  CHECK(j["placements"][1]["pod"] == "drc-copy-1-0");
  CHECK(j["placements"][1]["statefulSet"] == "drc-copy-1");
  bool fewer = false;
  for (const auto& d : j["diagnostics"]) fewer = fewer || d["code"] == "restore.fewer_masters";
  CHECK(fewer);
  CHECK(j.get<rcplan::restore_plan>() == p);
}

TEST_CASE("backup and restore status: the original's camelCase, restore only when set") {
  rcplan::backup_status b = rcplan::backup_succeeded(sample(), "2026-12-03T10:00:00Z", "2026-12-03T10:00:05Z", "/backups");
  const nlohmann::json j = b;
  CHECK(j["phase"] == "Succeeded");
  CHECK(j["startTime"] == "2026-12-03T10:00:00Z");
  CHECK(j["completionTime"] == "2026-12-03T10:00:05Z");
  CHECK(j["masterSize"] == 2);
  CHECK(j["sizeBytes"] == 8192);
  CHECK_FALSE(j.contains("reason"));
  CHECK(j.get<rcplan::backup_status>() == b);

  rcplan::cluster_status s;
  s.status = "Creating";
  CHECK_FALSE(nlohmann::json(s).contains("restore"));
  s.restore = rcplan::restore_status{"Running", "shu/example-redisclusterbackup"};
  const nlohmann::json cj = s;
  CHECK(cj["restore"]["phase"] == "Running");
  CHECK(cj["restore"]["backup"] == "shu/example-redisclusterbackup");
  CHECK(cj.get<rcplan::cluster_status>() == s);
}
