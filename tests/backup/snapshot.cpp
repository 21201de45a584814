// Snapshots of real redis-server processes over the replication protocol: the file holds the
// node's dataset (a fresh server loads it), the checksum is sha256sum's, both payload forms
// (diskless "$EOF:" and from disk "$<len>") work, from masters and replicas, with passwords;
// and every failure (wrong password, unreachable node, silence, a node killed mid-transfer, a
// throwing callback) leaves no file behind. The reader of the RDB's first records is also
// checked on crafted bytes, for the encodings no test server produces.

#include <rcplan/backup/sha256.hpp>
#include <rcplan/backup/snapshot.hpp>
#include <rcplan/error.hpp>

#include "backup/src/rdb_header.hpp"
#include "support/temp_files.hpp"
#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"

#include <catch2/catch.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using rcplan_test::temp_dir;
using rcplan_test::random_bytes;

namespace fs = std::filesystem;
using rcplan::backup::snapshot_options;
using rcplan::backup::snapshot_result;
using rcplan::backup::take_snapshot;
using rcplan_test::eventually;
using rcplan_test::redis_process;
using rcplan_test::resp_client;


std::string sha256sum(const fs::path& file) {
  const std::string command = "sha256sum '" + file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char out[64] = {};
  const std::size_t n = std::fread(out, 1, sizeof out, pipe);
  ::pclose(pipe);
  REQUIRE(n == sizeof out);
  return std::string(out, sizeof out);
}

rcplan::address at(std::uint16_t port) { return rcplan::address{"127.0.0.1", port, 0, {}}; }
std::string where(std::uint16_t port) { return "127.0.0.1:" + std::to_string(port); }

/// `field` of INFO `section`, e.g. redis_version.
std::string info_field(resp_client& c, const std::string& section, const std::string& field) {
  const std::string text = c.call({"INFO", section});
  const std::string tag = field + ":";
  const std::size_t from = text.find(tag);
  REQUIRE(from != std::string::npos);
  const std::size_t start = from + tag.size();
  return text.substr(start, text.find_first_of("\r\n", start) - start);
}

std::uint64_t dbsize(resp_client& c) { return std::stoull(c.call({"DBSIZE"})); }

/// Nothing under the file's name, nor its partial file: what every failure must leave.
bool nothing_left(const fs::path& file) {
  fs::path partial = file;
  partial += ".partial";
  return !fs::exists(file) && !fs::exists(partial);
}

/// The error `f` threw, or an empty optional.
std::optional<rcplan::error> error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const rcplan::error& e) {
    return e;
  }
  return std::nullopt;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void set_config(resp_client& c, const std::string& name, const std::string& value) {
  c.call({"CONFIG", "SET", name, value});
}

/// A value that LZF cannot shrink, so that the RDB really carries megabytes.

/// Keys of every type, several encodings each (small ones as listpacks and intsets, big ones
/// as hash tables, quicklists and skiplists), some with TTLs, one of several MB, and a function
/// library (Redis 7 puts it before the keys, LZF-compressed). Returns the big value.
std::string fill_every_type(resp_client& c) {
  std::vector<std::vector<std::string>> batch;
  auto flush = [&] {
    for (const auto& r : c.pipeline(batch)) REQUIRE_FALSE(r.is_error());
    batch.clear();
  };
  for (int i = 0; i < 1500; ++i) {
    const std::string n = std::to_string(i);
    batch.push_back({"SET", "string:" + n, "value-" + n});
    if (i < 400) batch.push_back({"HSET", "hash:" + n, "a", n, "b", "x" + n, "c", "3"});
    if (i < 400) batch.push_back({"RPUSH", "list:" + n, "one", "two", n});
    if (i < 400) batch.push_back({"SADD", "intset:" + n, "1", "2", n});
    if (i < 400) batch.push_back({"SADD", "set:" + n, "red", "green", "m" + n});
    if (i < 400) batch.push_back({"ZADD", "zset:" + n, "1.5", "a", n, "b"});
    if (i < 300) batch.push_back({"SET", "ttl:" + n, n, "EX", "3600"});
    if (i < 100) batch.push_back({"XADD", "stream:" + n, "*", "field", n});
    if (batch.size() > 1000) flush();
  }
  for (int i = 0; i < 2000; ++i) {
    const std::string n = std::to_string(i);
    batch.push_back({"HSET", "bighash", "f" + n, n});
    batch.push_back({"RPUSH", "biglist", "element-" + n});
    batch.push_back({"SADD", "bigset", "member-" + n});
    batch.push_back({"ZADD", "bigzset", n, "member-" + n});
    batch.push_back({"XADD", "bigstream", "*", "n", n});
    if (batch.size() > 1000) flush();
  }
  flush();
  c.call({"XGROUP", "CREATE", "bigstream", "readers", "0"});
  c.call({"XREADGROUP", "GROUP", "readers", "alice", "COUNT", "10", "STREAMS", "bigstream", ">"});
  c.call({"FUNCTION", "LOAD",
          "#!lua name=rcplanlib\n"
          "-- padding so that the library is long enough for LZF, and compressible: "
          "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
          "redis.register_function('rcplan_echo', function(keys, args) return args[1] end)\n"});
  std::string big = random_bytes(std::size_t{6} << 20, 42);
  c.call({"SET", "big", big});
  return big;
}

/// A fresh standalone server that loaded `rdb` at startup (as dump.rdb in an empty directory).
struct loaded_server {
  temp_dir dir;
  std::unique_ptr<redis_process> server;
  explicit loaded_server(const fs::path& rdb) {
    fs::copy_file(rdb, dir.path() / "dump.rdb");
    server = std::make_unique<redis_process>(false, std::vector<std::string>{"--dir", dir.path().string(),
                                                                               "--dbfilename", "dump.rdb"});
  }
};

/// Progress calls as seen by the callback.
struct progress_log {
  std::vector<std::pair<std::uint64_t, std::optional<std::uint64_t>>> calls;
  std::function<void(std::uint64_t, std::optional<std::uint64_t>)> callback() {
    return [this](std::uint64_t bytes, std::optional<std::uint64_t> total) { calls.emplace_back(bytes, total); };
  }
};

/// The snapshot's promises about its file: size, checksum (as sha256sum prints it), nothing left
/// under the partial name, owner-only permissions.
void check_file(const snapshot_result& r, const fs::path& file) {
  REQUIRE(fs::exists(file));
  CHECK(r.bytes == fs::file_size(file));
  CHECK(r.sha256.size() == 64);
  CHECK(r.sha256 == rcplan::backup::sha256_file(file));
  CHECK(r.sha256 == sha256sum(file));
  fs::path partial = file;
  partial += ".partial";
  CHECK_FALSE(fs::exists(partial));
  const fs::perms p = fs::status(file).permissions();
  CHECK((p & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

}  // namespace

TEST_CASE("snapshot: a cluster node's data of every type, diskless and from disk, loads into a fresh server", "[backup][snapshot]") {
  rcplan_test::redis_cluster cluster(1, 0);  // one master holding every slot
  resp_client source = cluster.client(0);
  const std::string big = fill_every_type(source);
  set_config(source, "repl-diskless-sync-delay", "0");  // Redis 7 waits 5 s for more replicas
  const std::uint64_t keys = dbsize(source);
  REQUIRE(keys > 3000);
  const std::string version = info_field(source, "server", "redis_version");
  temp_dir out;

  for (const std::string diskless : {"yes", "no"}) {
    INFO("repl-diskless-sync " << diskless);
    set_config(source, "repl-diskless-sync", diskless);
    const fs::path file = out.path() / ("cluster-" + diskless + ".rdb");
    progress_log log;
    snapshot_options o;
    o.progress = log.callback();
    const snapshot_result r = take_snapshot(at(cluster.port(0)), file, o);

    check_file(r, file);
    CHECK(r.keys == keys);
    CHECK(r.redis_version == version);
    CHECK(r.bytes > big.size());
    // the two payload forms: only a saved file has a size the node announces first
    REQUIRE_FALSE(log.calls.empty());
    CHECK(log.calls.back() == std::pair<std::uint64_t, std::optional<std::uint64_t>>{r.bytes, r.bytes});
    for (std::size_t i = 0; i + 1 < log.calls.size(); ++i) {
      CHECK(log.calls[i].first <= log.calls[i + 1].first);
      if (diskless == "yes")
        CHECK_FALSE(log.calls[i].second);
      else
        CHECK(log.calls[i].second == r.bytes);
    }
    // "capa eof" is what lets the node stream without writing the RDB on its own disk first
    if (diskless == "yes") CHECK_FALSE(fs::exists(cluster.node(0).dir() / "dump.rdb"));
    if (diskless == "no") CHECK(fs::exists(cluster.node(0).dir() / "dump.rdb"));

    loaded_server copy(file);
    resp_client c = copy.server->client();
    CHECK(dbsize(c) == keys);
    CHECK(c.call({"GET", "string:1234"}) == "value-1234");
    CHECK(c.call({"HGET", "hash:17", "b"}) == "x17");
    CHECK(c.call({"HLEN", "bighash"}) == "2000");
    CHECK(c.call({"LINDEX", "biglist", "1999"}) == "element-1999");
    CHECK(c.call({"SISMEMBER", "intset:399", "399"}) == "1");
    CHECK(c.call({"SCARD", "bigset"}) == "2000");
    CHECK(c.call({"ZSCORE", "zset:5", "a"}) == "1.5");
    CHECK(c.call({"ZSCORE", "bigzset", "member-777"}) == "777");
    CHECK(c.call({"XLEN", "bigstream"}) == "2000");
    CHECK(c.call({"TYPE", "stream:99"}) == "stream");
    CHECK(c.call({"TYPE", "set:3"}) == "set");
    const rcplan_test::reply groups = c.command({"XINFO", "GROUPS", "bigstream"});
    CHECK(groups.elements.size() == 1);  // the consumer group came along
    const long long ttl = std::stoll(c.call({"PTTL", "ttl:42"}));
    CHECK(ttl > 3'000'000);
    CHECK(ttl <= 3'600'000);
    CHECK(c.call({"PTTL", "string:42"}) == "-1");
    CHECK(c.call({"GET", "big"}) == big);
    CHECK(c.call({"FCALL", "rcplan_echo", "0", "hello"}) == "hello");
  }
}

TEST_CASE("snapshot: from a replica, with more keys than a 14-bit length holds", "[backup][snapshot]") {
  redis_process master(false, {"--enable-debug-command", "yes"});
  redis_process replica(false);
  resp_client m = master.client();
  set_config(m, "repl-diskless-sync-delay", "0");  // Redis 7 waits 5 s for more replicas
  m.call({"DEBUG", "POPULATE", "20000", "key", "20"});
  m.call({"SET", "marker", "from-the-master"});
  m.call({"SELECT", "1"});
  m.call({"SET", "elsewhere", "in-db-1"});
  resp_client r = replica.client();
  r.call({"REPLICAOF", "127.0.0.1", std::to_string(master.port())});
  REQUIRE(eventually([&] { return info_field(r, "replication", "master_link_status") == "up"; }));
  REQUIRE(eventually([&] { return dbsize(r) == 20001; }));
  set_config(r, "repl-diskless-sync-delay", "0");

  temp_dir out;
  const fs::path file = out.path() / "replica.rdb";
  const snapshot_result result = take_snapshot(at(replica.port()), file, {});
  check_file(result, file);
  // the count comes from the records before the first key: database 0's here, not database 1's
  CHECK(result.keys == 20001);
  CHECK(result.redis_version == info_field(r, "server", "redis_version"));
  // the replica still follows its master: a snapshot is no replica of its own
  CHECK(info_field(r, "replication", "master_link_status") == "up");

  loaded_server copy(file);
  resp_client c = copy.server->client();
  CHECK(dbsize(c) == 20001);
  CHECK(c.call({"GET", "marker"}) == "from-the-master");
  c.call({"SELECT", "1"});
  CHECK(c.call({"GET", "elsewhere"}) == "in-db-1");
}

TEST_CASE("snapshot: a node with a password", "[backup][snapshot]") {
  const std::string password = "Snap-Pa55-for-rcplan-7";
  const std::string wrong = "Wrong-Pa55-for-rcplan-9";
  redis_process node(false);
  resp_client c = node.client();
  c.call({"SET", "k", "v"});
  set_config(c, "repl-diskless-sync-delay", "0");
  set_config(c, "requirepass", password);  // after start: the fixture's readiness probe has no password
  temp_dir out;
  const fs::path file = out.path() / "with-password.rdb";

  snapshot_options o;
  o.password = rcplan::redis::secret{password};
  const snapshot_result r = take_snapshot(at(node.port()), file, o);
  check_file(r, file);
  CHECK(r.keys == 1);

  const fs::path refused = out.path() / "refused.rdb";
  o.password = rcplan::redis::secret{wrong};
  const auto e = error_of([&] { (void)take_snapshot(at(node.port()), refused, o); });
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.auth");
  CHECK(contains(e->what(), where(node.port())));
  CHECK(contains(e->what(), "refused the password"));
  CHECK_FALSE(contains(e->what(), wrong));
  CHECK_FALSE(contains(e->what(), password));
  CHECK(nothing_left(refused));

  // none given: the node's NOAUTH is the reason
  const auto none = error_of([&] { (void)take_snapshot(at(node.port()), refused, {}); });
  REQUIRE(none);
  CHECK(none->id() == "rcplan.backup.snapshot");
  CHECK(contains(none->what(), where(node.port())));
  CHECK(contains(none->what(), "NOAUTH"));
  CHECK(nothing_left(refused));
}

TEST_CASE("snapshot: as an ACL user, the only one let in", "[backup][snapshot]") {
  const std::string password = "Snap-acl-Pa55-3e";
  redis_process node(false);
  resp_client c = node.client();
  c.call({"SET", "k", "v"});
  set_config(c, "repl-diskless-sync-delay", "0");
  REQUIRE(c.call({"ACL", "SETUSER", "backup-op", "on", ">" + password, "~*", "&*", "+@all"}) == "OK");
  REQUIRE(c.call({"ACL", "SETUSER", "default", "off"}) == "OK");
  temp_dir out;
  const fs::path file = out.path() / "as-user.rdb";

  snapshot_options o;
  o.password = rcplan::redis::secret{password, "backup-op"};
  const snapshot_result r = take_snapshot(at(node.port()), file, o);
  check_file(r, file);
  CHECK(r.keys == 1);

  const fs::path refused = out.path() / "refused.rdb";
  // as the default user, which has no password but is off: the node's NOAUTH is the reason
  o.password = rcplan::redis::secret{password};
  const auto e = error_of([&] { (void)take_snapshot(at(node.port()), refused, o); });
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.snapshot");
  CHECK(contains(e->what(), "NOAUTH"));
  CHECK_FALSE(contains(e->what(), password));
  CHECK(nothing_left(refused));

  // a user that does not exist: refused, the user named, the password not
  o.password = rcplan::redis::secret{password, "nobody"};
  const auto u = error_of([&] { (void)take_snapshot(at(node.port()), refused, o); });
  REQUIRE(u);
  CHECK(u->id() == "rcplan.backup.auth");
  CHECK_FALSE(contains(u->what(), password));
  CHECK(nothing_left(refused));
}

TEST_CASE("snapshot: a password given to a node that has none is no obstacle", "[backup][snapshot]") {
  redis_process node(false);
  resp_client c = node.client();
  set_config(c, "repl-diskless-sync-delay", "0");
  temp_dir out;
  snapshot_options o;
  o.password = rcplan::redis::secret{"unneeded-Pa55"};
  const snapshot_result r = take_snapshot(at(node.port()), out.path() / "empty.rdb", o);
  check_file(r, out.path() / "empty.rdb");
  CHECK(r.keys == 0);  // an empty dataset has no SELECTDB and no RESIZEDB
  CHECK_FALSE(r.redis_version.empty());
}

TEST_CASE("snapshot: keepalives during a long fork keep a short timeout from firing", "[backup][snapshot]") {
  redis_process node(false);
  resp_client c = node.client();
  c.call({"SET", "k", "v"});
  // a diskless master waits this long for more replicas, sending "\n" every second meanwhile
  set_config(c, "repl-diskless-sync-delay", "3");
  temp_dir out;
  snapshot_options o;
  o.transfer = rcplan::backup::snapshot_transfer::diskless;
  o.io_timeout = std::chrono::milliseconds(2000);
  const auto start = std::chrono::steady_clock::now();
  const snapshot_result r = take_snapshot(at(node.port()), out.path() / "slow.rdb", o);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(2500));
  check_file(r, out.path() / "slow.rdb");
  CHECK(r.keys == 1);
}

TEST_CASE("snapshot: by default diskless only where the node streams at once", "[backup][snapshot]") {
  redis_process node(false);
  resp_client c = node.client();
  c.call({"SET", "k", "v"});
  temp_dir out;
  progress_log log;
  snapshot_options o;
  o.progress = log.callback();
  SECTION("a diskless sync delay: from disk, at once, the size announced") {
    set_config(c, "repl-diskless-sync-delay", "5");
    const snapshot_result r = take_snapshot(at(node.port()), out.path() / "a.rdb", o);
    check_file(r, out.path() / "a.rdb");
    CHECK(fs::exists(node.dir() / "dump.rdb"));  // the node saved it first
    REQUIRE_FALSE(log.calls.empty());
    CHECK(log.calls.front().second == r.bytes);
  }
  SECTION("no delay: diskless, the size known only at the end") {
    set_config(c, "repl-diskless-sync-delay", "0");
    const snapshot_result r = take_snapshot(at(node.port()), out.path() / "b.rdb", o);
    check_file(r, out.path() / "b.rdb");
    CHECK_FALSE(fs::exists(node.dir() / "dump.rdb"));
    REQUIRE(log.calls.size() >= 2);
    CHECK_FALSE(log.calls.front().second);
  }
}

TEST_CASE("snapshot: failures of a big transfer leave no file", "[backup][snapshot]") {
  const std::string diskless = GENERATE(as<std::string>{}, "yes", "no");
  INFO("repl-diskless-sync " << diskless);
  // about 200 MB that LZF cannot shrink away, so that the transfer lasts long enough to fail
  // in the middle
  redis_process node(false, {"--enable-debug-command", "yes"});
  resp_client c = node.client();
  set_config(c, "rdbcompression", "no");
  set_config(c, "repl-diskless-sync-delay", "0");
  set_config(c, "repl-diskless-sync", diskless);
  c.call({"DEBUG", "POPULATE", "200000", "key", "1000"});
  const pid_t pid = static_cast<pid_t>(std::stol(info_field(c, "server", "process_id")));
  temp_dir out;
  const fs::path file = out.path() / "big.rdb";
  fs::path partial = file;
  partial += ".partial";

  SECTION("the progress callback throws") {
    bool partial_seen = false;
    snapshot_options o;
    o.progress = [&](std::uint64_t bytes, std::optional<std::uint64_t>) {
      partial_seen = fs::exists(partial);
      if (bytes > 0) throw std::runtime_error("enough");
    };
    const auto e = error_of([&] { (void)take_snapshot(at(node.port()), file, o); });
    REQUIRE(e);
    CHECK(e->id() == "rcplan.backup.snapshot");
    CHECK(contains(e->what(), where(node.port())));
    CHECK(contains(e->what(), "progress callback failed (enough)"));
    CHECK(partial_seen);
    CHECK(nothing_left(file));
  }

  SECTION("the node stops answering mid-transfer") {
    snapshot_options o;
    // above the second between the keepalives a node sends while it saves to disk
    o.io_timeout = std::chrono::milliseconds(2500);
    bool stopped = false;
    o.progress = [&](std::uint64_t bytes, std::optional<std::uint64_t>) {
      if (bytes > 0 && !stopped) stopped = ::kill(pid, SIGSTOP) == 0;
    };
    const auto e = error_of([&] { (void)take_snapshot(at(node.port()), file, o); });
    ::kill(pid, SIGCONT);
    INFO((e ? e->what() : "no error"));
    REQUIRE(stopped);
    REQUIRE(e);
    CHECK(e->id() == "rcplan.backup.snapshot");
    CHECK(contains(e->what(), where(node.port()) + " sent no byte for 2500 ms after "));
    if (diskless == "no") CHECK(contains(e->what(), " of "));
    CHECK(nothing_left(file));
  }

  SECTION("the node is killed mid-transfer") {
    std::uint64_t seen = 0;
    snapshot_options o;
    o.io_timeout = std::chrono::seconds(10);  // "sent no byte" instead of "closed" would fail the check below
    o.progress = [&](std::uint64_t bytes, std::optional<std::uint64_t>) {
      if (bytes > 0 && node.running()) {
        seen = bytes;
        node.kill_now();
      }
    };
    const auto e = error_of([&] { (void)take_snapshot(at(node.port()), file, o); });
    REQUIRE(e);
    INFO(e->what());
    CHECK(e->id() == "rcplan.backup.snapshot");
    CHECK(seen > 0);
    CHECK(seen < 100'000'000);  // well before the end of about 200 MB
    CHECK(contains(e->what(), where(node.port()) + " closed the connection after "));
    CHECK(nothing_left(file));
  }
}

TEST_CASE("snapshot: an older file stays when a new snapshot fails", "[backup][snapshot]") {
  redis_process node(false);
  resp_client c = node.client();
  c.call({"SET", "k", "v"});
  set_config(c, "repl-diskless-sync-delay", "0");
  temp_dir out;
  const fs::path file = out.path() / "kept.rdb";
  std::ofstream(file) << "older";
  snapshot_options o;
  o.progress = [](std::uint64_t, std::optional<std::uint64_t>) { throw std::runtime_error("enough"); };
  const auto e = error_of([&] { (void)take_snapshot(at(node.port()), file, o); });
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.snapshot");
  CHECK(contains(e->what(), "snapshot of " + where(node.port()) + " stopped after "));
  CHECK(contains(e->what(), "the progress callback failed (enough)"));
  fs::path partial = file;
  partial += ".partial";
  CHECK_FALSE(fs::exists(partial));
  std::string content;
  std::ifstream(file) >> content;
  CHECK(content == "older");
}

TEST_CASE("snapshot: a replica that lost its master refuses, and the error says so", "[backup][snapshot]") {
  redis_process replica(false);
  resp_client r = replica.client();
  r.call({"REPLICAOF", "127.0.0.1", std::to_string(rcplan_test::free_port())});
  temp_dir out;
  const fs::path file = out.path() / "orphan.rdb";
  const auto e = error_of([&] { (void)take_snapshot(at(replica.port()), file, {}); });
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.snapshot");
  CHECK(contains(e->what(), where(replica.port()) + " refused SYNC: NOMASTERLINK"));
  CHECK(nothing_left(file));
}

TEST_CASE("snapshot: a node that never answers times out before the snapshot began", "[backup][snapshot]") {
  redis_process node(false);
  resp_client c = node.client();
  const pid_t pid = static_cast<pid_t>(std::stol(info_field(c, "server", "process_id")));
  temp_dir out;
  const fs::path file = out.path() / "stopped.rdb";
  REQUIRE(::kill(pid, SIGSTOP) == 0);  // the kernel still accepts connections for it
  snapshot_options o;
  o.io_timeout = std::chrono::milliseconds(300);
  const auto e = error_of([&] { (void)take_snapshot(at(node.port()), file, o); });
  ::kill(pid, SIGCONT);
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.snapshot");
  CHECK(contains(e->what(), where(node.port()) + " sent no byte for 300 ms before the snapshot began"));
  CHECK(nothing_left(file));
}

TEST_CASE("snapshot: an unreachable node or an unwritable target", "[backup][snapshot]") {
  temp_dir out;
  const fs::path file = out.path() / "nobody.rdb";
  const std::uint16_t port = rcplan_test::free_port();
  const auto e = error_of([&] { (void)take_snapshot(at(port), file, {}); });
  REQUIRE(e);
  CHECK(e->id() == "rcplan.backup.snapshot");
  CHECK(contains(e->what(), where(port) + " cannot be reached (Connection refused)"));
  CHECK(nothing_left(file));

  // TEST-NET-1 is never routed: refused, unreachable or silent, but an error within the timeout
  snapshot_options o;
  o.connect_timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  const auto far = error_of([&] { (void)take_snapshot(rcplan::address{"192.0.2.1", 6379, 0, {}}, file, o); });
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  REQUIRE(far);
  CHECK(contains(far->what(), "192.0.2.1:6379 "));
  CHECK(nothing_left(file));

  const auto unknown = error_of([&] { (void)take_snapshot(rcplan::address{"no-such-host.invalid", 6379, 0, {}}, file, {}); });
  REQUIRE(unknown);
  CHECK(contains(unknown->what(), "no-such-host.invalid:6379 cannot be resolved"));

  // the target is checked before the node is asked to fork and stream its dataset
  redis_process node(false);
  const fs::path nowhere = out.path() / "missing-dir" / "x.rdb";
  const auto target = error_of([&] { (void)take_snapshot(at(node.port()), nowhere, {}); });
  REQUIRE(target);
  CHECK(target->id() == "rcplan.backup.snapshot");
  CHECK(contains(target->what(), "cannot create " + nowhere.string() + ".partial"));
  resp_client c = node.client();
  CHECK(info_field(c, "persistence", "rdb_bgsave_in_progress") == "0");
  CHECK(info_field(c, "stats", "sync_full") == "0");
}

// --- the reader of the RDB's first records, on crafted bytes --------------------------------

namespace {

using rcplan::backup::detail::read_rdb_header;

std::string bytes(std::initializer_list<int> values) {
  std::string s;
  for (int v : values) s.push_back(static_cast<char>(v));
  return s;
}
std::string aux(const std::string& key, const std::string& encoded_value) {
  return bytes({0xFA, static_cast<int>(key.size())}) + key + encoded_value;
}
std::string plain(const std::string& s) { return bytes({static_cast<int>(s.size())}) + s; }

}  // namespace

TEST_CASE("snapshot: the RDB header reader and its encodings", "[backup][snapshot][rdb]") {
  const std::string magic = "REDIS0010";
  const std::string version = aux("redis-ver", plain("7.0.15"));
  const std::string ints = aux("redis-bits", bytes({0xC0, 64})) + aux("ctime", bytes({0xC2, 0x01, 0x02, 0x03, 0x04})) +
                           aux("neg", bytes({0xC1, 0xFE, 0xFF}));
  // LZF: 0xC3, compressed length 3, uncompressed length 10, then 3 bytes to skip
  const std::string lzf = bytes({0xF5, 0xC3, 3, 10, 'x', 'y', 'z'});
  const std::string db0 = bytes({0xFE, 0x00, 0xFB, 0x80, 0x00, 0x01, 0x00, 0x00, 0x05});  // 65536 keys, 5 expire
  const std::string db1 = bytes({0xFE, 0x01, 0xFB, 0x81, 0, 0, 0, 1, 0, 0, 0, 0, 0x00});  // 2^32 keys
  const std::string db2 = bytes({0xFE, 0x02, 0xFB, 0x41, 0x00, 0x00});                    // 256 keys (14-bit)
  const std::string first_key = bytes({0x00, 0x01, 'k', 0x01, 'v'});

  const std::string whole = magic + version + ints + lzf + db0 + db1 + db2 + first_key + bytes({0xFF});
  const auto h = read_rdb_header(whole);
  CHECK(h.complete);
  CHECK(h.redis_version == "7.0.15");
  CHECK(h.keys == 65536 + (std::uint64_t{1} << 32) + 256);

  // every cut before the first key needs more bytes, and reports only whole records
  const std::size_t key_at = whole.size() - first_key.size() - 1;
  for (std::size_t n = 0; n < key_at; ++n) {
    const auto part = read_rdb_header(std::string_view{whole}.substr(0, n));
    INFO("cut at " << n);
    CHECK_FALSE(part.complete);
    CHECK(part.keys <= h.keys);
  }
  CHECK(read_rdb_header(std::string_view{whole}.substr(0, key_at + 1)).complete);

  // an empty dataset: no SELECTDB, straight to EOF
  const auto empty = read_rdb_header(magic + version + bytes({0xFF, 1, 2, 3, 4, 5, 6, 7, 8}));
  CHECK(empty.complete);
  CHECK(empty.keys == 0);
  CHECK(empty.redis_version == "7.0.15");

  // no version field, and bytes that are no RDB at all
  CHECK(read_rdb_header(magic + db2 + first_key).redis_version.empty());
  CHECK(read_rdb_header(magic + db2 + first_key).keys == 256);
  const auto junk = read_rdb_header("HELLO, WORLD");
  CHECK(junk.complete);
  CHECK(junk.keys == 0);
  // an encoding no writer produces ends the reading with what came before it
  const auto odd = read_rdb_header(magic + version + bytes({0xFA, 0xC7}) + db0);
  CHECK(odd.complete);
  CHECK(odd.redis_version == "7.0.15");
  CHECK(odd.keys == 0);
}
