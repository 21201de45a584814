// Backups of a real 3-master, 1-replica cluster (redis-server processes from the fixtures):
// taken into a directory and into S3 (s3rver), checked, fetched and refused when damaged, a
// source node killed mid-transfer, and an RDB placed where a fresh node loads and keeps it.

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/sha256.hpp>
#include <rcplan/backup/store.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/backup.hpp>
#include <rcplan/model/key_slot.hpp>
#include <rcplan/redis/client.hpp>

#include "support/hash_tags.hpp"
#include "support/temp_files.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/s3_server.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan_test::temp_dir;
using rcplan_test::random_bytes;
using rcplan_test::read_file;
using rcplan_test::write_file;

namespace fs = std::filesystem;
using rcplan::backup_manifest;
using rcplan::backup::backup_options;
using rcplan::backup::open_store;
using rcplan::backup::store_location;
using rcplan_test::eventually;
using rcplan_test::redis_cluster;
using rcplan_test::redis_process;
using rcplan_test::resp_client;


bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }



std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}


rcplan::address at(std::uint16_t port) { return rcplan::address{"127.0.0.1", port, 0, {}}; }

std::vector<rcplan::address> seeds_of(const redis_cluster& c) { return {at(c.port(0))}; }

std::uint64_t dbsize(resp_client& c) { return std::stoull(c.call({"DBSIZE"})); }
std::uint64_t dbsize(resp_client&& c) { return dbsize(c); }

/// The error `f` throws; fails the test when it throws none.
rcplan::error error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rcplan::error& e) {
    return e;
  }
  FAIL("no rcplan::error thrown");
  return rcplan::error("none", "none");
}

/// Every node streams its snapshot at once (Redis 7 otherwise waits 5 s for more replicas).
void no_sync_delay(redis_cluster& c) {
  for (int i = 0; i < c.size(); ++i)
    if (c.node(i).running()) c.client(i).call({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
}

/// Waits until every replica holds as many keys as its master and its link is up.
void wait_replicas_synced(redis_cluster& c, int masters) {
  for (int m = 0; m < masters; ++m) {
    const int r = masters + m;
    REQUIRE(eventually([&] {
      return dbsize(c.client(r)) == dbsize(c.client(m)) &&
             contains(c.client(r).call({"INFO", "replication"}), "master_link_status:up");
    }));
  }
}

/// Keys of every type through the cluster client: strings, hashes, lists, sets, sorted sets,
/// streams, keys with TTLs (an hour), and three values of several MB. Returns the big values by key.
std::map<std::string, std::string> fill_every_type(const redis_cluster& c) {
  rcplan::redis::cluster_client client(seeds_of(c));
  std::vector<rcplan::redis::command_args> batch;
  auto flush = [&] {
    for (const auto& r : client.run(batch)) REQUIRE_FALSE(r.is_error());
    batch.clear();
  };
  for (int i = 0; i < 4000; ++i) {
    const std::string n = std::to_string(i);
    batch.push_back({"SET", "string:" + n, "value-" + n});
    if (i < 1000) batch.push_back({"HSET", "hash:" + n, "a", n, "b", "x" + n});
    if (i < 1000) batch.push_back({"RPUSH", "list:" + n, "one", "two", n});
    if (i < 1000) batch.push_back({"SADD", "set:" + n, "red", "green", "m" + n});
    if (i < 1000) batch.push_back({"ZADD", "zset:" + n, "1.5", "a", n, "b"});
    if (i < 500) batch.push_back({"XADD", "stream:" + n, "1-1", "field", n});
    if (i < 500) batch.push_back({"SET", "ttl:" + n, n, "EX", "3600"});
    if (i < 200) batch.push_back({"EXPIRE", "hash:" + n, "3600"});
    if (batch.size() >= 5000) flush();
  }
  for (int i = 0; i < 3000; ++i) {  // big encodings: hash table, quicklist, skiplist
    const std::string n = std::to_string(i);
    batch.push_back({"HSET", "bighash", "f" + n, n});
    batch.push_back({"RPUSH", "biglist", "element-" + n});
    batch.push_back({"ZADD", "bigzset", n, "member-" + n});
  }
  flush();
  std::map<std::string, std::string> big;
  for (int i = 0; i < 3; ++i) {
    const std::string key = "big:" + std::to_string(i);
    big[key] = random_bytes((std::size_t{3} << 20) + static_cast<std::size_t>(i) * 1000, static_cast<std::uint64_t>(i + 7));
    batch.push_back({"SET", key, big[key]});
  }
  flush();
  return big;
}

/// The slots CLUSTER SLOTS says the node serves.
rcplan::slot_set owned_slots(resp_client& c) {
  rcplan::slot_set out;
  const rcplan_test::reply r = c.command({"CLUSTER", "SLOTS"});
  for (const auto& range : r.elements)
    for (long long s = range.elements.at(0).integer; s <= range.elements.at(1).integer; ++s)
      out.insert(static_cast<rcplan::slot>(s));
  return out;
}

/// The shared source: one 3-master 1-replica cluster holding keys of every type, made once.
struct source_cluster {
  redis_cluster cluster{3, 1};
  std::map<std::string, std::string> big;
  source_cluster() {
    no_sync_delay(cluster);
    big = fill_every_type(cluster);
    wait_replicas_synced(cluster, 3);
  }
  /// The master serving `s` (fixture index: masters 0..2 hold even ranges in order).
  [[nodiscard]] static int master_of(rcplan::slot s) {
    for (int m = 0; m < 3; ++m) {
      const long first = 16384L * m / 3, last = 16384L * (m + 1) / 3 - 1;
      if (static_cast<long>(s) >= first && static_cast<long>(s) <= last) return m;
    }
    return -1;
  }
};

source_cluster& source() {
  static std::unique_ptr<source_cluster> s;
  if (!s) s = std::make_unique<source_cluster>();
  return *s;
}

store_location dir_location(const fs::path& dir) {
  store_location l;
  l.url = dir.string();
  return l;
}

/// The checks every complete backup of the source passes: 3 shards covering every slot once,
/// keys per shard == its master's DBSIZE, checksums of the stored files.
void check_manifest_against(const backup_manifest& m, const fs::path& dir, source_cluster& src) {
  REQUIRE(m.shards.size() == 3);
  rcplan::slot_set covered;
  std::size_t total = 0;
  for (std::size_t i = 0; i < m.shards.size(); ++i) {
    const rcplan::backup_shard& s = m.shards[i];
    INFO("shard " << i);
    CHECK(s.index == static_cast<int>(i));
    CHECK((covered & s.slots).empty());
    covered |= s.slots;
    total += s.slots.count();
    REQUIRE(s.slots.first());
    const int master = src.master_of(*s.slots.first());
    REQUIRE(master >= 0);
    CHECK(s.keys == dbsize(src.cluster.client(master)));
    CHECK(s.from_replica);
    CHECK(s.source == src.cluster.id(3 + master));  // its replica, in sync
    REQUIRE(fs::exists(dir / s.file));
    CHECK(fs::file_size(dir / s.file) == s.rdb_bytes);
    CHECK(s.sha256 == rcplan::backup::sha256_file(dir / s.file));
  }
  CHECK(covered.full());
  CHECK(total == 16384);
  CHECK_FALSE(m.redis_version.empty());
  CHECK(fs::exists(dir / rcplan::backup::manifest_name));
}

backup_manifest read_manifest_file(const fs::path& dir) {
  return nlohmann::json::parse(read_file(dir / rcplan::backup::manifest_name)).get<backup_manifest>();
}

void write_manifest_file(const fs::path& dir, const nlohmann::json& j) { write_file(dir / rcplan::backup::manifest_name, j.dump(2)); }

bool has_code(const std::vector<rcplan::diagnostic>& ds, const std::string& code) {
  return std::any_of(ds.begin(), ds.end(), [&](const rcplan::diagnostic& d) { return d.code == code; });
}

std::string codes(const std::vector<rcplan::diagnostic>& ds) {
  std::string out;
  for (const auto& d : ds) out += d.code + " (" + d.message + ")\n";
  return out;
}

bool have_rclone() { return std::system("command -v rclone >/dev/null 2>&1") == 0; }

/// Whether to skip because `why` is not empty: WARN (Catch2 v2 has no SKIP), or FAIL on CI.
bool skip_because(const std::string& why) {
  if (why.empty()) return false;
  if (rcplan_test::tools_required()) FAIL("CI=true, and this S3 backup test cannot run: " << why);
  WARN("skipped: " << why);
  return true;
}

}  // namespace

TEST_CASE("backup: every type into a directory - manifest and checksums and a second backup beside the first", "[backup]") {
  source_cluster& src = source();
  temp_dir store_dir;
  const auto to = open_store(dir_location(store_dir.path()));
  backup_options o;
  o.cluster = "src";
  std::optional<rcplan::backup_plan> plan;
  o.on_plan = [&](const rcplan::backup_plan& p) { plan = p; };
  std::map<int, std::uint64_t> done;
  o.progress = [&](const rcplan::backup::transfer_progress& p) {
    if (p.done) done[p.shard] = p.bytes;
  };
  const backup_manifest m1 = rcplan::backup::take_backup(seeds_of(src.cluster), *to, o);
  REQUIRE(plan);
  CHECK(plan->sources.size() == 3);
  CHECK(m1.cluster == "src");
  check_manifest_against(m1, store_dir.path(), src);
  for (const auto& s : m1.shards) CHECK(done[s.index] == s.rdb_bytes);
  CHECK(read_manifest_file(store_dir.path()) == m1);
  std::uint64_t keys = 0;
  for (const auto& s : m1.shards) keys += s.keys;
  CHECK(keys == dbsize(src.cluster.client(0)) + dbsize(src.cluster.client(1)) + dbsize(src.cluster.client(2)));

  const auto report = rcplan::backup::verify_backup(*to);
  INFO(codes(report.problems));
  CHECK(report.problems.empty());
  CHECK(report.manifest == m1);

  // A second backup into the same place, of changed data: until its manifest is written, the
  // first backup stays whole (its manifest, its files and their checksums); after, both sets
  // of files are there under different names.
  rcplan::redis::cluster_client client(seeds_of(src.cluster));
  (void)client.call({"SET", "string:1", "changed"});
  (void)client.call({"DEL", "string:2"});
  wait_replicas_synced(src.cluster, 3);
  const std::string manifest1 = read_file(store_dir.path() / rcplan::backup::manifest_name);
  bool checked_during = false;
  bool intact_during = true;
  o.progress = [&](const rcplan::backup::transfer_progress& p) {
    if (!p.done) return;  // the file is complete and about to be renamed or was
    checked_during = true;
    intact_during = intact_during && read_file(store_dir.path() / rcplan::backup::manifest_name) == manifest1;
    for (const auto& s : m1.shards)
      intact_during = intact_during && fs::exists(store_dir.path() / s.file) &&
                      rcplan::backup::sha256_file(store_dir.path() / s.file) == s.sha256;
  };
  const backup_manifest m2 = rcplan::backup::take_backup(seeds_of(src.cluster), *to, o);
  CHECK(checked_during);
  CHECK(intact_during);
  check_manifest_against(m2, store_dir.path(), src);
  CHECK(read_manifest_file(store_dir.path()) == m2);
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("shard " << i << ": " << m1.shards[i].file << " then " << m2.shards[i].file);
    CHECK(m1.shards[i].file != m2.shards[i].file);
    CHECK(rcplan::backup::sha256_file(store_dir.path() / m1.shards[i].file) == m1.shards[i].sha256);
  }
  CHECK(names_in(store_dir.path()).size() == 7);  // 2 × 3 RDB files and the manifest, no partial file
  CHECK(rcplan::backup::verify_backup(*to).problems.empty());
  (void)client.call({"SET", "string:2", "value-2"});
  (void)client.call({"SET", "string:1", "value-1"});
}

TEST_CASE("backup: verify and fetch refuse corrupted - truncated - missing files and broken manifests", "[backup]") {
  source_cluster& src = source();
  temp_dir good;
  {
    const auto to = open_store(dir_location(good.path()));
    backup_options o;
    o.cluster = "damage";
    (void)rcplan::backup::take_backup(seeds_of(src.cluster), *to, o);
  }
  const backup_manifest m = read_manifest_file(good.path());
  REQUIRE(m.shards.size() == 3);

  struct damage {
    std::string name;
    std::string code;
    std::function<void(const fs::path&)> apply;
  };
  const std::vector<damage> damages = {
      {"a byte flipped", "backup.checksum_mismatch",
       [&](const fs::path& dir) {
         std::fstream f(dir / m.shards[1].file, std::ios::binary | std::ios::in | std::ios::out);
         f.seekg(static_cast<std::streamoff>(m.shards[1].rdb_bytes / 2));
         char c = 0;
         f.get(c);
         f.seekp(static_cast<std::streamoff>(m.shards[1].rdb_bytes / 2));
         f.put(static_cast<char>(c ^ 0x20));
       }},
      {"truncated", "backup.size_mismatch",
       [&](const fs::path& dir) { fs::resize_file(dir / m.shards[1].file, m.shards[1].rdb_bytes - 100); }},
      {"deleted", "backup.file_missing", [&](const fs::path& dir) { fs::remove(dir / m.shards[1].file); }},
      {"a shard dropped from the manifest", "backup.slots_missing",
       [&](const fs::path& dir) {
         nlohmann::json j = nlohmann::json::parse(read_file(dir / rcplan::backup::manifest_name));
         j["shards"].erase(2);
         write_manifest_file(dir, j);
       }},
      {"overlapping ranges", "backup.slots_overlap",
       [&](const fs::path& dir) {
         nlohmann::json j = nlohmann::json::parse(read_file(dir / rcplan::backup::manifest_name));
         j["shards"][1]["slots"] = nlohmann::json::array({nlohmann::json::array({5000, 10921})});
         write_manifest_file(dir, j);
       }},
  };
  for (const damage& d : damages) {
    INFO(d.name);
    temp_dir copy;
    fs::copy(good.path(), copy.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    d.apply(copy.path());
    const auto from = open_store(dir_location(copy.path()));
    const auto report = rcplan::backup::verify_backup(*from);
    INFO(codes(report.problems));
    CHECK(has_code(report.problems, d.code));
    CHECK(rcplan::has_errors(report.problems));

    temp_dir target;
    const fs::path fetched = target.path() / "fetched";
    const rcplan::error e = error_of([&] { (void)rcplan::backup::fetch_backup(*from, fetched); });
    INFO(e.what());
    CHECK(e.id() == "rcplan.backup.unrestorable");
    CHECK(contains(e.what(), d.code));
    CHECK(names_in(fetched).empty());  // nothing fetched is left, not even a partial file
  }

  // the undamaged backup fetches whole
  {
    temp_dir target;
    const auto from = open_store(dir_location(good.path()));
    const backup_manifest f = rcplan::backup::fetch_backup(*from, target.path());
    CHECK(f == m);
    for (const auto& s : m.shards) CHECK(rcplan::backup::sha256_file(target.path() / s.file) == s.sha256);
  }

  // a manifest that is not JSON
  {
    temp_dir copy;
    fs::copy(good.path(), copy.path(), fs::copy_options::recursive | fs::copy_options::overwrite_existing);
    write_file(copy.path() / rcplan::backup::manifest_name, "{\"format\": 1, \"shards\": [");
    const auto from = open_store(dir_location(copy.path()));
    const rcplan::error v = error_of([&] { (void)rcplan::backup::verify_backup(*from); });
    CHECK(v.id() == "rcplan.backup.manifest");
    temp_dir target;
    const rcplan::error f = error_of([&] { (void)rcplan::backup::fetch_backup(*from, target.path() / "x"); });
    CHECK(f.id() == "rcplan.backup.manifest");
    CHECK_FALSE(fs::exists(target.path() / "x" / m.shards[0].file));
  }
  // no manifest at all
  {
    temp_dir empty;
    const auto from = open_store(dir_location(empty.path()));
    CHECK(error_of([&] { (void)rcplan::backup::verify_backup(*from); }).id() == "rcplan.backup.manifest");
  }
}

TEST_CASE("backup: the source node killed mid-transfer fails the backup - a retry from the shard's other node succeeds", "[backup][slow]") {
  // What is done: the shard's snapshot comes from its in-sync replica, which is SIGKILLed from
  // the progress callback once bytes arrived; the retry then takes the shard from its master
  // (still healthy). No failover is involved: the fixture cannot restart a killed node.
  redis_cluster c(3, 1);
  no_sync_delay(c);
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "rdbcompression", "no"});
  // ~150 MB into master 0 (slots 0..5460): a hash tag whose slot is there
  std::string tag;
  for (int i = 0; tag.empty(); ++i)
    if (rcplan::key_slot(rcplan_test::numbered_tag(i)) <= 5000) tag = rcplan_test::numbered_tag(i);
  {
    resp_client m0 = c.client(0);
    const std::string block(std::size_t{1} << 20, 'v');
    std::vector<std::vector<std::string>> batch;
    for (int i = 0; i < 150; ++i) {
      batch.push_back({"SET", tag + "big:" + std::to_string(i), std::to_string(i) + block});
      if (batch.size() == 10) {
        for (const auto& r : m0.pipeline(batch)) REQUIRE_FALSE(r.is_error());
        batch.clear();
      }
    }
    for (int i = 0; i < 1000; ++i) batch.push_back({"SET", tag + "small:" + std::to_string(i), "x"});
    for (const auto& r : m0.pipeline(batch)) REQUIRE_FALSE(r.is_error());
  }
  resp_client(c.port(1)).call({"SET", "elsewhere", "1"});
  wait_replicas_synced(c, 3);

  temp_dir store_dir;
  const auto to = open_store(dir_location(store_dir.path()));
  backup_options o;
  o.cluster = "killed";
  o.io_timeout = std::chrono::seconds(20);
  std::optional<rcplan::backup_plan> plan;
  o.on_plan = [&](const rcplan::backup_plan& p) { plan = p; };
  int killed = -1;
  std::uint64_t seen = 0;
  o.progress = [&](const rcplan::backup::transfer_progress& p) {
    if (p.shard != 0 || p.done || p.bytes == 0 || killed >= 0 || !plan) return;
    for (int i = 0; i < c.size(); ++i)
      if (c.port(i) == plan->sources[0].addr.port) {
        killed = i;
        seen = p.bytes;
        c.node(i).kill_now();
      }
  };
  const rcplan::error e = error_of([&] { (void)rcplan::backup::take_backup(seeds_of(c), *to, o); });
  INFO(e.what());
  REQUIRE(plan);
  REQUIRE(plan->sources.size() == 3);
  CHECK(plan->sources[0].replica);
  CHECK(killed == 3);  // master 0's replica
  CHECK(seen > 0);
  CHECK(seen < 100'000'000);
  CHECK(e.id() == "rcplan.backup.snapshot");
  CHECK(contains(e.what(), "no manifest was written"));
  CHECK_FALSE(fs::exists(store_dir.path() / rcplan::backup::manifest_name));
  for (const std::string& name : names_in(store_dir.path())) CHECK_FALSE(contains(name, ".partial"));
  CHECK_THROWS_AS(rcplan::backup::verify_backup(*to), rcplan::error);

  // retry until the cluster's view has settled: shard 0 then comes from its master
  o.progress = nullptr;
  plan.reset();
  std::optional<backup_manifest> m;
  std::string last_error;
  REQUIRE(eventually(
      [&] {
        try {
          m = rcplan::backup::take_backup(seeds_of(c), *to, o);
          return true;
        } catch (const rcplan::error& x) {
          last_error = x.what();
          return false;
        }
      },
      std::chrono::seconds(30)));
  INFO(last_error);
  REQUIRE(m);
  REQUIRE(m->shards.size() == 3);
  CHECK_FALSE(m->shards[0].from_replica);
  CHECK(m->shards[0].source == c.id(0));
  CHECK(m->shards[0].keys == dbsize(c.client(0)));
  CHECK(m->shards[0].rdb_bytes > 150'000'000);
  CHECK(m->shards[1].keys == 1);
  const auto report = rcplan::backup::verify_backup(*to);
  INFO(codes(report.problems));
  CHECK(report.problems.empty());
  for (const std::string& name : names_in(store_dir.path())) CHECK_FALSE(contains(name, ".partial"));
}

TEST_CASE("backup: to S3 through s3rver - verify there - fetch back - wrong credentials keep the secret out", "[backup][s3]") {
  if (skip_because(have_rclone() ? rcplan_test::s3_server::unavailable() : "rclone is not installed")) return;
  source_cluster& src = source();
  rcplan_test::s3_server s3;
  store_location where;
  where.url = "s3://" + s3.bucket() + "/backups/src";
  where.s3_endpoint = s3.endpoint();
  where.s3_region = "us-east-1";
  where.credentials.access_key_id = rcplan::redis::secret(rcplan_test::s3_server::access_key_id);
  where.credentials.secret_access_key = rcplan::redis::secret(rcplan_test::s3_server::secret_access_key);
  const auto to = open_store(where);
  temp_dir scratch;
  backup_options o;
  o.cluster = "s3src";
  o.scratch_dir = scratch.path();
  const backup_manifest m = rcplan::backup::take_backup(seeds_of(src.cluster), *to, o);
  REQUIRE(m.shards.size() == 3);
  CHECK(to->exists(rcplan::backup::manifest_name));
  for (const auto& s : m.shards) {
    CHECK(to->size(s.file) == s.rdb_bytes);
    CHECK(s.keys == dbsize(src.cluster.client(src.master_of(*s.slots.first()))));
  }
  CHECK(names_in(scratch.path()).empty());  // the scratch copies are gone

  rcplan::backup::verify_options vo;
  vo.scratch_dir = scratch.path();
  const auto report = rcplan::backup::verify_backup(*to, vo);
  INFO(codes(report.problems));
  CHECK(report.problems.empty());
  CHECK(report.manifest == m);

  temp_dir local;
  const backup_manifest f = rcplan::backup::fetch_backup(*to, local.path() / "fetched", vo);
  CHECK(f == m);
  for (const auto& s : m.shards) {
    REQUIRE(fs::exists(local.path() / "fetched" / s.file));
    CHECK(rcplan::backup::sha256_file(local.path() / "fetched" / s.file) == s.sha256);
  }

  // a corrupted copy in the bucket: another file of the same size put under the shard's name
  {
    const fs::path other = local.path() / "other.rdb";
    std::string bytes = read_file(local.path() / "fetched" / m.shards[0].file);
    bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
    write_file(other, bytes);
    to->put(other, m.shards[0].file);
    const auto bad = rcplan::backup::verify_backup(*to, vo);
    INFO(codes(bad.problems));
    CHECK(has_code(bad.problems, "backup.checksum_mismatch"));
    const rcplan::error e = error_of([&] { (void)rcplan::backup::fetch_backup(*to, local.path() / "refused", vo); });
    CHECK(e.id() == "rcplan.backup.unrestorable");
    CHECK(names_in(local.path() / "refused").empty());
  }

  // wrong credentials: an unknown key id (s3rver checks no signature) and a secret key that
  // must appear in no message
  const std::string secret_key = "Wr0ng-S3cret-Key-for-rcplan-tests";
  const std::string key_id = "RCPLANWRONGKEYID";
  store_location wrong = where;
  wrong.credentials.access_key_id = rcplan::redis::secret(key_id);
  wrong.credentials.secret_access_key = rcplan::redis::secret(secret_key);
  const auto refused = open_store(wrong);
  const rcplan::error v = error_of([&] { (void)rcplan::backup::verify_backup(*refused, vo); });
  INFO(v.what());
  CHECK_FALSE(contains(v.what(), secret_key));
  CHECK_FALSE(contains(v.what(), key_id));
  const rcplan::error t = error_of([&] { (void)rcplan::backup::take_backup(seeds_of(src.cluster), *refused, o); });
  INFO(t.what());
  CHECK_FALSE(contains(t.what(), secret_key));
  CHECK_FALSE(contains(t.what(), key_id));
  temp_dir target;
  const rcplan::error g = error_of([&] { (void)rcplan::backup::fetch_backup(*refused, target.path() / "f", vo); });
  CHECK_FALSE(contains(g.what(), secret_key));
  CHECK(names_in(target.path() / "f").empty());
}

TEST_CASE("backup: place_rdb refuses used directories - a placed node loads the shard and keeps it across a restart", "[backup]") {
  source_cluster& src = source();
  temp_dir store_dir;
  const auto to = open_store(dir_location(store_dir.path()));
  backup_options o;
  o.cluster = "place";
  const backup_manifest m = rcplan::backup::take_backup(seeds_of(src.cluster), *to, o);
  REQUIRE(m.shards.size() == 3);
  const rcplan::backup_shard& shard = m.shards[0];
  const fs::path rdb = store_dir.path() / shard.file;

  temp_dir work;
  for (const char* existing : {"nodes.conf", "dump.rdb"}) {
    INFO(existing);
    const fs::path used = work.path() / (std::string("used-") + existing);
    fs::create_directories(used);
    write_file(used / existing, "old data");
    const rcplan::error e = error_of([&] { rcplan::backup::place_rdb(rdb, used); });
    CHECK(e.id() == "rcplan.backup.place");
    CHECK(read_file(used / existing) == "old data");
    CHECK_FALSE(fs::exists(used / "appendonlydir"));
  }

  // the keys the shard's master holds, as the placed node must hold them
  const int master = src.master_of(*shard.slots.first());
  const std::uint64_t expected = dbsize(src.cluster.client(master));
  REQUIRE(expected == shard.keys);
  std::vector<std::string> sample;
  for (int i = 0; i < 4000 && sample.size() < 200; ++i) {
    const std::string k = "string:" + std::to_string(i);
    if (shard.slots.contains(rcplan::key_slot(k))) sample.push_back(k);
  }
  REQUIRE_FALSE(sample.empty());
  std::vector<std::string> big_keys;
  for (const auto& [k, v] : src.big)
    if (shard.slots.contains(rcplan::key_slot(k))) big_keys.push_back(k);

  const fs::path data = work.path() / "placed";
  rcplan::backup::place_rdb(rdb, data);
  const std::vector<std::string> args = {"--dir", data.string(), "--appendonly", "yes", "--appendfsync", "always"};
  auto check_keys = [&](resp_client& c) {
    for (const std::string& k : sample) CHECK(c.call({"GET", k}) == "value-" + k.substr(7));
    for (const std::string& k : big_keys) CHECK(c.call({"GET", k}) == src.big[k]);
  };
  {
    redis_process node(true, args);
    resp_client c = node.client();
    const rcplan_test::reply aof = c.command({"CONFIG", "GET", "appendonly"});
    REQUIRE(aof.elements.size() == 2);
    CHECK(aof.elements[1].str == "yes");
    CHECK(dbsize(c) == expected);
    // Redis claims the unassigned slots that hold its keys at startup: all within the shard
    const rcplan::slot_set claimed = owned_slots(c);
    CHECK_FALSE(claimed.empty());
    CHECK((claimed & shard.slots.complement()).empty());
    // then a one-node cluster serving every slot, so that reads are served
    const rcplan::slot_set rest = claimed.complement();
    for (const auto& r : rest.ranges())
      c.call({"CLUSTER", "ADDSLOTSRANGE", std::to_string(r.first), std::to_string(r.last)});
    REQUIRE(eventually([&] { return contains(resp_client(node.port()).call({"CLUSTER", "INFO"}), "cluster_state:ok"); }));
    check_keys(c);
    c.call({"SET", "string:added-after-restore", "kept"});
    try {
      (void)c.command({"SHUTDOWN"});
    } catch (const std::exception&) {  // the connection closes as the node exits
    }
    // the listening socket closes last, after the append-only file is flushed
    CHECK(eventually(
        [&] {
          try {
            (void)resp_client(node.port(), std::chrono::milliseconds(200)).command({"PING"});
            return false;
          } catch (const std::exception&) {
            return true;
          }
        },
        std::chrono::seconds(10)));
  }
  CHECK(fs::exists(data / "appendonlydir"));
  {
    redis_process again(true, args);
    resp_client c = again.client();
    CHECK(dbsize(c) == expected + 1);
    REQUIRE(eventually([&] { return contains(resp_client(again.port()).call({"CLUSTER", "INFO"}), "cluster_state:ok"); }));
    check_keys(c);
    CHECK(c.call({"GET", "string:added-after-restore"}) == "kept");
  }
}
