// A backup of a cluster that speaks TLS only: rcplan observes it and streams every shard's
// snapshot over TLS, and a node whose certificate is not trusted fails the snapshot by name.

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/sha256.hpp>
#include <rcplan/backup/snapshot.hpp>
#include <rcplan/backup/store.hpp>
#include <rcplan/error.hpp>

#include "redis/live_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/temp_files.hpp"
#include "support/test_pki.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("backup over TLS: every shard's snapshot comes over TLS, and an untrusted node fails by name", "[backup][tls]") {
  const rcplan_test::test_pki pki;
  const rcplan_test::tls_server server = pki.server();
  rcplan_redis_test::live_cluster c(2, 1, 0, "", nullptr, &server);
  constexpr std::size_t keys = 2000;
  c.load(0, keys);
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "repl-diskless-sync-delay", "0"});
  REQUIRE(rcplan_test::eventually([&] {
    for (int i = 2; i < 4; ++i)
      if (!contains(c.client(i).call({"INFO", "replication"}), "master_link_status:up")) return false;
    return true;
  }));

  const rcplan_test::temp_dir store_dir;
  rcplan::backup::store_location where;
  where.url = store_dir.path().string();
  const auto to = rcplan::backup::open_store(where);
  rcplan::backup::backup_options o;
  o.cluster = "tls";
  o.tls = c.tls();
  const rcplan::backup_manifest m = rcplan::backup::take_backup(c.seeds(), *to, o);
  REQUIRE(m.shards.size() == 2);
  std::uint64_t total = 0;
  for (const auto& s : m.shards) {
    total += s.keys;
    CHECK(rcplan::backup::sha256_file(store_dir.path() / s.file) == s.sha256);
  }
  CHECK(total == keys);

  // the same node, trusted through another authority: refused, nothing written
  const rcplan_test::test_pki other;
  rcplan::backup::snapshot_options so;
  so.tls = c.tls();
  so.tls.ca_file = other.authority().cert;
  const std::filesystem::path file = store_dir.path() / "untrusted.rdb";
  std::string what;
  try {
    (void)rcplan::backup::take_snapshot(c.seeds().front(), file, so);
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.backup.snapshot");
    what = e.what();
  }
  INFO(what);
  CHECK(contains(what, c.host(0) + ":" + std::to_string(c.port(0)) + " presented a TLS certificate that was refused ("));
  CHECK_FALSE(std::filesystem::exists(file));
}
