#include <rcplan/backup/backup.hpp>

#include <rcplan/error.hpp>

#include <array>
#include <fstream>
#include <string_view>

namespace rcplan::backup {
namespace {

// Redis 7's multi-part append-only file: a manifest naming a base file, which may be an RDB.
constexpr std::string_view aof_dir = "appendonlydir";
constexpr std::string_view aof_base = "appendonly.aof.1.base.rdb";
constexpr std::string_view aof_manifest = "appendonly.aof.manifest";

/// What a node's data directory holds once the node has run: any of them means the volume
/// is not new, and a restore would mix its data with the backup's.
constexpr std::array<std::string_view, 4> data_files = {"dump.rdb", "appendonlydir", "appendonly.aof", "nodes.conf"};

[[noreturn]] void fail(const std::string& message) { throw error("rcplan.backup.place", message); }

}  // namespace

bool holds_redis_data(const std::filesystem::path& data_dir) {
  std::error_code ec;
  for (const std::string_view f : data_files)
    if (std::filesystem::exists(data_dir / f, ec)) return true;
  return false;
}

void place_rdb(const std::filesystem::path& rdb, const std::filesystem::path& data_dir) {
  std::error_code ec;
  for (const std::string_view f : data_files)
    if (std::filesystem::exists(data_dir / f, ec))
      fail(data_dir.string() + " already holds " + std::string(f) + ": a restore starts on an empty volume");
  std::filesystem::create_directories(data_dir / aof_dir, ec);
  if (ec) fail("cannot create " + (data_dir / aof_dir).string() + ": " + ec.message());
  const std::filesystem::path dump = data_dir / "dump.rdb";
  std::filesystem::copy_file(rdb, dump, ec);
  if (ec) fail("cannot copy " + rdb.string() + " to " + dump.string() + ": " + ec.message());
  // The same bytes as the append-only file's base: a hard link costs no space.
  const std::filesystem::path base = data_dir / aof_dir / aof_base;
  std::filesystem::create_hard_link(dump, base, ec);
  if (ec) {
    ec.clear();
    std::filesystem::copy_file(dump, base, ec);
    if (ec) fail("cannot copy " + dump.string() + " to " + base.string() + ": " + ec.message());
  }
  std::ofstream manifest(data_dir / aof_dir / aof_manifest, std::ios::binary | std::ios::trunc);
  manifest << "file " << aof_base << " seq 1 type b\n";
  if (!manifest.flush()) fail("cannot write " + (data_dir / aof_dir / aof_manifest).string());
}

}  // namespace rcplan::backup
