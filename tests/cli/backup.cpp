// `rcplan local backup`, `rcplan backup verify` and `rcplan restore` end to end through the
// built binary: a local 3×1 cluster holding 200,000 keys of every type is backed up once, and
// the backup restored as 3, 5 and 2 masters with every key's value and TTL; a restored cluster
// keeps its keys when every pod's process is killed; damaged backups are refused before
// anything starts.

#include "cli/live_support.hpp"

#include <rcplan/redis/client.hpp>

#include "support/temp_files.hpp"
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace rcplan_test;

namespace {

using rcplan_test::random_bytes;

namespace fs = std::filesystem;
using rcplan::redis::cluster_client;
using rcplan::redis::command_args;
using redis_reply = rcplan::redis::reply;

constexpr std::size_t key_count = 200'000;

std::string tail(const std::string& s, std::size_t n = 3000) { return s.size() > n ? s.substr(s.size() - n) : s; }

/// A new temporary directory holding the work directories of local clusters; every cluster
/// named is stopped (`rcplan local down`) and everything removed at the end.
struct scratch_root {
  fs::path path;
  std::vector<fs::path> clusters;
  scratch_root() {
    std::string tmpl = (fs::temp_directory_path() / "rcplan-cli-backup-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~scratch_root() {
    for (const fs::path& c : clusters)
      if (fs::exists(c)) (void)run_cli({"local", "down", "--dir", c.string()});
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  scratch_root(const scratch_root&) = delete;
  scratch_root& operator=(const scratch_root&) = delete;
  fs::path cluster(const std::string& name) {
    clusters.push_back(path / name);
    return clusters.back();
  }
};

std::string spec_text(const std::string& name, int masters) {
  return "kind: DistributedRedisCluster\nmetadata: {name: " + name + "}\nspec:\n  masterSize: " +
         std::to_string(masters) + "\n  clusterReplicas: 1\n";
}

fs::path write_spec(const fs::path& dir, const std::string& name, int masters) {
  const fs::path p = dir / (name + ".yaml");
  std::ofstream(p) << spec_text(name, masters);
  return p;
}

/// Every pod's port, from `rcplan local status -o json`.
std::vector<std::uint16_t> pod_ports(const fs::path& dir) {
  const auto r = run_cli({"local", "status", "--dir", dir.string(), "-o", "json"});
  INFO(tail(r.out, 1500) << r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::uint16_t> out;
  const nlohmann::json doc = nlohmann::json::parse(r.out);
  for (const auto& p : doc.at("pods")) out.push_back(p.at("port").get<std::uint16_t>());
  REQUIRE_FALSE(out.empty());
  return out;
}

std::vector<rcplan::address> seeds_of(const std::vector<std::uint16_t>& ports) {
  std::vector<rcplan::address> out;
  for (std::uint16_t p : ports) out.push_back(rcplan::address{"127.0.0.1", p, 0, {}});
  return out;
}


/// 200,000 keys of every type, built in batches and pipelined through the cluster client:
/// strings, hashes, lists, sets, sorted sets, streams, keys with TTLs of an hour (strings, and
/// some hashes and sorted sets), three values of 4 MB. Returns the key names.
std::vector<std::string> load_keys(cluster_client& c) {
  std::vector<std::string> keys;
  keys.reserve(key_count);
  std::vector<command_args> batch;
  auto flush = [&] {
    const auto replies = c.run(batch);
    std::size_t errors = 0;
    for (const auto& r : replies) errors += r.is_error() ? std::size_t{1} : std::size_t{0};
    REQUIRE(errors == 0);
    batch.clear();
  };
  auto add = [&](std::string key, command_args cmd) {
    keys.push_back(std::move(key));
    batch.push_back(std::move(cmd));
    if (batch.size() >= 20'000) flush();
  };
  for (int i = 0; i < 120'000; ++i) {
    const std::string n = std::to_string(i);
    add("string:" + n, {"SET", "string:" + n, "value-" + n});
  }
  for (int i = 0; i < 20'000; ++i) {
    const std::string n = std::to_string(i), k = "hash:" + n;
    add(k, {"HSET", k, "a", n, "b", "x" + n, "c", "3"});
    if (i < 2'000) batch.push_back({"EXPIRE", k, "3600"});
  }
  for (int i = 0; i < 15'000; ++i) {
    const std::string n = std::to_string(i);
    add("list:" + n, {"RPUSH", "list:" + n, "one", "two", n});
  }
  for (int i = 0; i < 15'000; ++i) {
    const std::string n = std::to_string(i);
    add("set:" + n, {"SADD", "set:" + n, "red", "green", "m" + n});
  }
  for (int i = 0; i < 15'000; ++i) {
    const std::string n = std::to_string(i), k = "zset:" + n;
    add(k, {"ZADD", k, "1.5", "a", n, "b"});
    if (i < 1'000) batch.push_back({"PEXPIRE", k, "3600000"});
  }
  for (int i = 0; i < 5'000; ++i) {
    const std::string n = std::to_string(i), k = "stream:" + n;
    add(k, {"XADD", k, "1-1", "field", n});
    batch.push_back({"XADD", k, "2-5", "other", "x" + n});
  }
  for (int i = 0; i < 9'997; ++i) {
    const std::string n = std::to_string(i);
    add("ttl:" + n, {"SET", "ttl:" + n, "expiring-" + n, "EX", "3600"});
  }
  flush();
  for (int i = 0; i < 3; ++i) {  // one at a time: 4 MB each
    const std::string k = "big:" + std::to_string(i);
    add(k, {"SET", k, random_bytes(std::size_t{4} << 20, static_cast<std::uint64_t>(i + 11))});
    flush();
  }
  REQUIRE(keys.size() == key_count);
  return keys;
}

/// A key as stored: its serialized value (DUMP) and its expiry (PEXPIRETIME, -1 for none).
struct key_state {
  std::string dump;
  long long expires = -2;
};

std::vector<key_state> read_state(cluster_client& c, const std::vector<std::string>& keys) {
  std::vector<key_state> out(keys.size());
  constexpr std::size_t chunk = 10'000;
  for (std::size_t from = 0; from < keys.size(); from += chunk) {
    std::vector<command_args> batch;
    const std::size_t to = std::min(keys.size(), from + chunk);
    for (std::size_t i = from; i < to; ++i) {
      batch.push_back({"DUMP", keys[i]});
      batch.push_back({"PEXPIRETIME", keys[i]});
    }
    const auto replies = c.run(batch);
    REQUIRE(replies.size() == batch.size());
    for (std::size_t i = from; i < to; ++i) {
      const redis_reply& d = replies[2 * (i - from)];
      const redis_reply& e = replies[2 * (i - from) + 1];
      if (d.type == redis_reply::kind::string)
        out[i].dump = d.str;
      else
        out[i].dump = std::string("<").append(d.is_error() ? d.str : std::string("missing")).append(">");
      out[i].expires = e.type == redis_reply::kind::integer ? e.integer : -3;
    }
  }
  return out;
}

/// A reply as text, members of unordered types sorted, for comparisons across encodings.
std::string text_of(const redis_reply& r, bool sort_members = false) {
  switch (r.type) {
    case redis_reply::kind::integer:
      return std::string(":").append(std::to_string(r.integer));
    case redis_reply::kind::nil:
      return "<nil>";
    case redis_reply::kind::array: {
      std::vector<std::string> parts;
      for (const auto& e : r.elements) parts.push_back(text_of(e));
      if (sort_members) std::sort(parts.begin(), parts.end());
      std::string out = "[";
      for (const auto& p : parts) out += p + ",";
      return out + "]";
    }
    default:
      return std::string(r.is_error() ? "-" : "+").append(r.str);
  }
}

/// The type-specific read of `key`: GET, HGETALL, LRANGE, SMEMBERS, ZRANGE WITHSCORES, XRANGE.
std::string value_of(cluster_client& c, const std::string& key) {
  const std::string type = c.call({"TYPE", key}).str;
  if (type == "string") return type + text_of(c.call({"GET", key}));
  if (type == "hash") {  // field/value pairs, sorted by field
    const redis_reply r = c.call({"HGETALL", key});
    std::vector<std::string> pairs;
    for (std::size_t i = 0; i + 1 < r.elements.size(); i += 2) pairs.push_back(r.elements[i].str + "=" + r.elements[i + 1].str);
    std::sort(pairs.begin(), pairs.end());
    std::string out = type;
    for (const auto& p : pairs) out += "," + p;
    return out;
  }
  if (type == "list") return type + text_of(c.call({"LRANGE", key, "0", "-1"}));
  if (type == "set") return type + text_of(c.call({"SMEMBERS", key}), true);
  if (type == "zset") return type + text_of(c.call({"ZRANGE", key, "0", "-1", "WITHSCORES"}));
  if (type == "stream") return type + text_of(c.call({"XRANGE", key, "-", "+"}));
  return "type " + type;
}

/// Compares every key of `target` with the source: the same DUMP (or, when the encodings
/// differ, the same type-specific read) and an expiry within 2 s of the source's.
void check_same_keys(cluster_client& source, const std::vector<std::string>& keys, const std::vector<key_state>& expected,
                     cluster_client& target) {
  const std::vector<key_state> got = read_state(target, keys);
  std::size_t value_mismatches = 0, ttl_mismatches = 0, encodings_differ = 0;
  std::string first_problems;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (got[i].dump != expected[i].dump) {
      const bool present = got[i].dump.empty() || got[i].dump.front() != '<';
      if (present && value_of(source, keys[i]) == value_of(target, keys[i])) {
        ++encodings_differ;
      } else {
        if (++value_mismatches <= 5) first_problems += keys[i] + ": value differs (" + tail(got[i].dump, 60) + ")\n";
      }
    }
    const long long a = expected[i].expires, b = got[i].expires;
    const bool ttl_ok = (a == -1 && b == -1) || (a > 0 && b > 0 && (a > b ? a - b : b - a) <= 2000);
    if (!ttl_ok && ++ttl_mismatches <= 5)
      first_problems += keys[i] + ": expires " + std::to_string(b) + ", source " + std::to_string(a) + "\n";
  }
  INFO(first_problems);
  INFO(encodings_differ << " keys of a different encoding but the same value");
  CHECK(value_mismatches == 0);
  CHECK(ttl_mismatches == 0);
}

/// Keys the masters hold, summed.
std::uint64_t keys_held(cluster_client& c) {
  std::uint64_t n = 0;
  for (const std::string& m : c.masters()) n += static_cast<std::uint64_t>(c.call_node(m, {"DBSIZE"}).integer);
  return n;
}

/// The shared source: a 3×1 local cluster with 200,000 keys, backed up once into a directory.
struct source_fixture {
  scratch_root root;
  fs::path dir, backup_dir, spec;
  std::vector<std::uint16_t> ports;
  std::unique_ptr<cluster_client> client;
  std::vector<std::string> keys;
  std::vector<key_state> state;
  nlohmann::json manifest;

  source_fixture() {
    dir = root.cluster("source");
    backup_dir = root.path / "backup";
    spec = write_spec(root.path, "source", 3);
    auto r = run_cli({"local", "up", "--spec", spec.string(), "--dir", dir.string()});
    INFO(tail(r.out) << r.err);
    REQUIRE(r.exit_code == 0);
    ports = pod_ports(dir);
    client = std::make_unique<cluster_client>(seeds_of(ports));
    keys = load_keys(*client);
    state = read_state(*client, keys);
    REQUIRE(keys_held(*client) == key_count);

    r = run_cli({"local", "backup", "--dir", dir.string(), "--to", backup_dir.string(), "--cluster", "source", "-o", "json"});
    INFO(tail(r.out) << r.err);
    REQUIRE(r.exit_code == 0);
    manifest = nlohmann::json::parse(r.out)["manifest"];
  }
};

source_fixture& source() {
  static std::unique_ptr<source_fixture> s;
  if (!s) s = std::make_unique<source_fixture>();
  return *s;
}

/// Restores the shared backup as `masters` masters and checks it against the source.
void restore_and_check(int masters, bool kill_every_pod) {
  source_fixture& src = source();
  scratch_root root;
  const fs::path dir = root.cluster("restored");
  const fs::path spec = write_spec(root.path, "restored" + std::to_string(masters), masters);
  auto r = run_cli({"restore", "--from", src.backup_dir.string(), "--spec", spec.string(), "--dir", dir.string()});
  INFO(tail(r.out) << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, std::to_string(key_count) + " keys served, " + std::to_string(key_count) + " in the backup"));
  CHECK_FALSE(fs::exists(dir / "restore"));  // the fetched copies are removed

  const std::vector<std::uint16_t> ports = pod_ports(dir);
  CHECK(ports.size() == static_cast<std::size_t>(2 * masters));
  auto check_cluster = [&] {
    REQUIRE(eventually(
        [&] {
          for (std::uint16_t p : ports)
            if (!contains(resp_client(p).call({"CLUSTER", "INFO"}), "cluster_state:ok")) return false;
          return true;
        },
        std::chrono::seconds(30)));
    for (std::uint16_t p : ports) {
      const std::string nodes = resp_client(p).call({"CLUSTER", "NODES"});
      INFO(nodes);
      CHECK_FALSE(contains(nodes, "["));  // no slot migrating or importing
    }
    cluster_client target(seeds_of(ports));  // new connections: the old ones die with their pods
    CHECK(target.masters().size() == static_cast<std::size_t>(masters));
    CHECK(keys_held(target) == key_count);
    check_same_keys(*src.client, src.keys, src.state, target);
  };
  check_cluster();

  if (kill_every_pod) {
    // every pod's process SIGKILLed at once, as a crash of them all would; `local apply` starts
    // them again on their data (append-only files)
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // appendfsync everysec
    std::vector<pid_t> pids;
    for (std::uint16_t p : ports) {
      const std::string info = resp_client(p).call({"INFO", "server"});
      const std::size_t at = info.find("process_id:");
      REQUIRE(at != std::string::npos);
      pids.push_back(static_cast<pid_t>(std::stol(info.substr(at + 11))));
    }
    for (pid_t pid : pids) REQUIRE(::kill(pid, SIGKILL) == 0);
    REQUIRE(eventually(
        [&] {
          for (pid_t pid : pids)
            if (::kill(pid, 0) == 0) return false;
          return true;
        },
        std::chrono::seconds(10)));
    r = run_cli({"local", "apply", "--spec", spec.string(), "--dir", dir.string()});
    INFO(tail(r.out) << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(pod_ports(dir) == ports);
    check_cluster();
  }

  r = run_cli({"local", "down", "--dir", dir.string()});
  CHECK(r.exit_code == 0);
  CHECK_FALSE(fs::exists(dir));
}

/// A copy of the shared backup to damage.
fs::path copy_backup(const fs::path& to) {
  fs::copy(source().backup_dir, to, fs::copy_options::recursive);
  return to;
}

}  // namespace

TEST_CASE("local backup of 200000 keys of every type - backup verify accepts it", "[slow][backup]") {
  source_fixture& src = source();
  REQUIRE(src.manifest["shards"].size() == 3);
  std::uint64_t keys = 0;
  for (const auto& s : src.manifest["shards"]) {
    keys += s["keys"].get<std::uint64_t>();
    CHECK(fs::exists(src.backup_dir / s["file"].get<std::string>()));
    CHECK(s["rdbBytes"].get<std::uint64_t>() > 0);
  }
  CHECK(keys == key_count);
  CHECK(src.manifest["cluster"] == "source");

  const auto r = run_cli({"backup", "verify", "--from", src.backup_dir.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "restorable: every file matches its SHA-256"));
  const auto j = run_cli({"backup", "verify", "--from", src.backup_dir.string(), "-o", "json"});
  REQUIRE(j.exit_code == 0);
  const auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["restorable"] == true);
  CHECK(doc["problems"].empty());
}

TEST_CASE("restore as 3 - 5 and 2 masters: every key and TTL - a clean cluster - the keys survive killed pods", "[slow][backup]") {
  SECTION("3 masters - then every pod killed and started again") { restore_and_check(3, true); }
  SECTION("5 masters") { restore_and_check(5, false); }
  SECTION("2 masters") { restore_and_check(2, false); }
}

TEST_CASE("restore refuses a corrupted file and a missing shard - nothing starts - backup verify names the problem", "[slow][backup]") {
  source_fixture& src = source();
  scratch_root root;
  const fs::path spec = write_spec(root.path, "refused", 3);
  const nlohmann::json& m = src.manifest;
  const std::string file1 = m["shards"][1]["file"].get<std::string>();

  struct damage {
    std::string name, code;
    std::function<void(const fs::path&)> apply;
  };
  const std::vector<damage> damages = {
      {"a byte flipped", "backup.checksum_mismatch",
       [&](const fs::path& dir) {
         std::fstream f(dir / file1, std::ios::binary | std::ios::in | std::ios::out);
         const auto at = static_cast<std::streamoff>(m["shards"][1]["rdbBytes"].get<std::uint64_t>() / 3);
         f.seekg(at);
         char c = 0;
         f.get(c);
         f.seekp(at);
         f.put(static_cast<char>(c ^ 0x04));
       }},
      {"a shard dropped from the manifest", "backup.slots_missing",
       [&](const fs::path& dir) {
         nlohmann::json j = m;
         j["shards"].erase(1);
         std::ofstream(dir / "manifest.json") << j.dump(2);
       }},
  };
  int n = 0;
  for (const damage& d : damages) {
    INFO(d.name);
    const fs::path backup = copy_backup(root.path / ("backup-" + std::to_string(++n)));
    d.apply(backup);

    auto r = run_cli({"backup", "verify", "--from", backup.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, d.code));
    CHECK(contains(r.out, "not restorable"));

    const fs::path dir = root.cluster("refused-" + std::to_string(n));
    r = run_cli({"restore", "--from", backup.string(), "--spec", spec.string(), "--dir", dir.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code != 0);
    CHECK(contains(r.err, d.code));
    CHECK(contains(r.err, "nothing was started"));
    const auto status = run_cli({"local", "status", "--dir", dir.string()});
    CHECK(status.exit_code != 0);
    CHECK_FALSE(fs::exists(dir / "state.json"));
    CHECK_FALSE(fs::exists(dir / "pods"));
  }
}

namespace {

/// coreutils' digest of `p` (an implementation other than rcplan's own).
std::string sha256_of(const fs::path& p) {
  std::string out;
  FILE* f = ::popen(("sha256sum '" + p.string() + "'").c_str(), "r");
  REQUIRE(f != nullptr);
  char buf[128];
  while (std::fgets(buf, sizeof buf, f) != nullptr) out += buf;
  ::pclose(f);
  return out.substr(0, 64);
}

}  // namespace

TEST_CASE("restore pod: no config is nothing to do - the listed pod gets its file once - a corrupt file is refused",
          "[backup]") {
  temp_dir root;
  const fs::path store = root.path() / "store";
  fs::create_directories(store);
  const std::string rdb = random_bytes(5000, 7);
  write_file(store / "s-0.rdb", rdb);
  const std::string sha = sha256_of(store / "s-0.rdb");
  const nlohmann::json manifest = {
      {"format", 1},
      {"shards", {{{"index", 0}, {"slots", {{0, 16383}}}, {"rdbBytes", rdb.size()}, {"sha256", sha}, {"file", "s-0.rdb"}}}}};
  const nlohmann::json config = {
      {"url", store.string()},
      {"manifest", manifest},
      {"placements",
       {{{"shard", 0}, {"file", "s-0.rdb"}, {"sha256", sha}, {"statefulSet", "drc-x-0"}, {"pod", "drc-x-0-0"}}}}};
  const fs::path config_file = root.path() / "restore.json";
  write_file(config_file, config.dump());
  const fs::path data = root.path() / "data";

  auto r = run_cli({"restore", "pod", "--config", (root.path() / "absent.json").string(), "--pod", "drc-x-0-0",
                    "--data-dir", data.string()});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("nothing to place"));
  CHECK_FALSE(fs::exists(data / "dump.rdb"));

  r = run_cli({"restore", "pod", "--config", config_file.string(), "--pod", "drc-x-0-0", "--data-dir", data.string()});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("placed backup shard 0") && Catch::Contains("SHA-256 checked"));
  CHECK(read_file(data / "dump.rdb") == rdb);
  r = run_cli({"restore", "pod", "--config", config_file.string(), "--pod", "drc-x-0-0", "--data-dir", data.string()});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("already holds Redis data"));

  std::string corrupt = rdb;
  corrupt[10] = static_cast<char>(corrupt[10] ^ 1);
  write_file(store / "s-0.rdb", corrupt);
  const fs::path fresh = root.path() / "fresh";
  r = run_cli({"restore", "pod", "--config", config_file.string(), "--pod", "drc-x-0-0", "--data-dir", fresh.string()});
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("SHA-256") && Catch::Contains("nothing was placed"));
  CHECK_FALSE(fs::exists(fresh / "dump.rdb"));
}
