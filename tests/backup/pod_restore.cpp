// One pod's part of a restore (rcplan/backup/pod_restore.hpp): the pod's shard file fetched,
// checked and placed on a new volume; nothing for a pod that takes no file or a volume that is
// not new; nothing placed when the file does not match.

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/pod_restore.hpp>
#include <rcplan/backup/sha256.hpp>
#include <rcplan/error.hpp>
#include <rcplan/planner/restore.hpp>

#include "support/temp_files.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

namespace fs = std::filesystem;
using rcplan::backup::pod_restore_config;
using rcplan::backup::pod_restore_outcome;
using rcplan::backup::restore_pod;
using rcplan_test::read_file;
using rcplan_test::temp_dir;
using rcplan_test::write_file;

namespace {

/// A backup of two shards in a directory store, with the restore config for cluster "copy".
struct dir_backup {
  temp_dir root;
  fs::path store = root.path() / "store";
  pod_restore_config config;
  std::string shard0 = rcplan_test::random_bytes(300000, 1);
  std::string shard1 = rcplan_test::random_bytes(1000, 2);

  dir_backup() {
    fs::create_directories(store);
    write_file(store / "b-shard-0.rdb", shard0);
    write_file(store / "b-shard-1.rdb", shard1);
    rcplan::backup_manifest m;
    m.cluster = "source";
    for (int i = 0; i < 2; ++i) {
      rcplan::backup_shard s;
      s.index = i;
      s.slots = i == 0 ? rcplan::slot_set{{0, 8191}} : rcplan::slot_set{{8192, 16383}};
      s.file = "b-shard-" + std::to_string(i) + ".rdb";
      s.rdb_bytes = (i == 0 ? shard0 : shard1).size();
      s.sha256 = rcplan::backup::sha256_file(store / s.file);
      m.shards.push_back(s);
    }
    rcplan::cluster_resource r;
    r.metadata.name = "copy";
    r.spec.master_size = 3;
    const rcplan::restore_plan p = rcplan::plan_restore(m, r);
    REQUIRE(p.status == rcplan::plan_status::actions_planned);
    config.url = store.string();
    config.manifest = m;
    config.placements = p.placements;
  }
};

}  // namespace

TEST_CASE("restore_pod: the first pod of a restored shard gets its file, checked, as dump.rdb and AOF base - other "
          "pods and volumes that are not new get nothing",
          "[backup][restore]") {
  dir_backup b;
  const fs::path data = b.root.path() / "data-0-0";
  const auto placed = restore_pod(b.config, "drc-copy-0-0", data, {});
  CHECK(placed.outcome == pod_restore_outcome::placed);
  CHECK(placed.shard == 0);
  CHECK(placed.bytes == b.shard0.size());
  CHECK(read_file(data / "dump.rdb") == b.shard0);
  CHECK(read_file(data / "appendonlydir" / "appendonly.aof.1.base.rdb") == b.shard0);
  for (const auto& e : fs::directory_iterator(data))
    CHECK(e.path().filename().string().find(".partial") == std::string::npos);

  // a second start of the same pod (a restart, or the init container run again): its volume
  // is not new, and stays as Redis left it
  write_file(data / "nodes.conf", "written by redis");
  write_file(data / "dump.rdb", "newer data");
  CHECK(restore_pod(b.config, "drc-copy-0-0", data, {}).outcome == pod_restore_outcome::has_data);
  CHECK(read_file(data / "dump.rdb") == "newer data");

  // replicas, and the shard the backup does not have, start empty
  for (const std::string pod : {"drc-copy-0-1", "drc-copy-2-0"}) {
    const fs::path other = b.root.path() / pod;
    CHECK(restore_pod(b.config, pod, other, {}).outcome == pod_restore_outcome::not_listed);
    CHECK_FALSE(fs::exists(other / "dump.rdb"));
  }
  CHECK(restore_pod(b.config, "drc-copy-1-0", b.root.path() / "data-1-0", {}).outcome == pod_restore_outcome::placed);
  CHECK(read_file(b.root.path() / "data-1-0" / "dump.rdb") == b.shard1);
}

TEST_CASE("restore_pod: a corrupt, truncated or missing file is refused and nothing is placed", "[backup][restore]") {
  dir_backup b;
  const fs::path data = b.root.path() / "data";
  const auto refused = [&](const std::string& what) {
    try {
      (void)restore_pod(b.config, "drc-copy-0-0", data, {});
      FAIL("placed although " << what);
    } catch (const rcplan::error& e) {
      CHECK(e.id() == "rcplan.backup.unrestorable");
      CHECK_THAT(e.what(), Catch::Contains("b-shard-0.rdb"));
    }
    CHECK_FALSE(fs::exists(data / "dump.rdb"));
    CHECK_FALSE(fs::exists(data / "appendonlydir"));
    if (fs::exists(data)) CHECK(fs::is_empty(data));
  };
  std::string corrupt = b.shard0;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x5a);
  write_file(b.store / "b-shard-0.rdb", corrupt);
  refused("its bytes changed");
  write_file(b.store / "b-shard-0.rdb", b.shard0.substr(0, 1000));
  refused("it was truncated");
  fs::remove(b.store / "b-shard-0.rdb");
  refused("it is missing");
}

TEST_CASE("pod_restore_config: JSON round trip, and a missing field named", "[backup][restore][json]") {
  dir_backup b;
  b.config.s3_endpoint = "http://127.0.0.1:9000";
  nlohmann::json j;
  to_json(j, b.config);
  CHECK(j["url"] == b.store.string());
  CHECK(j["placements"][0]["pod"] == "drc-copy-0-0");
  CHECK(j.get<pod_restore_config>() == b.config);
  j.erase("url");
  try {
    (void)j.get<pod_restore_config>();
    FAIL("read without its url");
  } catch (const rcplan::error& e) {
    CHECK_THAT(e.what(), Catch::Contains("url"));
  }
}
