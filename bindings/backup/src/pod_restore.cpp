#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/pod_restore.hpp>
#include <rcplan/backup/sha256.hpp>

#include <rcplan/error.hpp>

#include <algorithm>
#include <system_error>

namespace rcplan::backup {
namespace {

[[noreturn]] void unrestorable(const store& from, const std::string& why) {
  throw error("rcplan.backup.unrestorable",
              "the backup in " + from.where() + " cannot be restored; nothing was placed: " + why);
}

/// Removes the fetched copy however the placing ends.
class fetched_copy {
 public:
  explicit fetched_copy(std::filesystem::path p) : path_(std::move(p)) {}
  fetched_copy(const fetched_copy&) = delete;
  fetched_copy& operator=(const fetched_copy&) = delete;
  ~fetched_copy() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace

pod_restore_result restore_pod(const pod_restore_config& config, const std::string& pod,
                               const std::filesystem::path& data_dir, const s3_credentials& credentials) {
  pod_restore_result out;
  const auto placement = std::find_if(config.placements.begin(), config.placements.end(),
                                      [&pod](const restore_placement& p) { return p.pod == pod; });
  if (placement == config.placements.end()) return out;
  out.shard = placement->shard;
  out.file = placement->file;
  if (holds_redis_data(data_dir)) {
    out.outcome = pod_restore_outcome::has_data;
    return out;
  }
  const auto shard = std::find_if(config.manifest.shards.begin(), config.manifest.shards.end(),
                                  [&](const backup_shard& s) { return s.index == placement->shard; });
  store_location where;
  where.url = config.url;
  where.s3_endpoint = config.s3_endpoint;
  where.s3_region = config.s3_region;
  where.credentials = credentials;
  const auto from = open_store(where);
  if (shard == config.manifest.shards.end() || shard->file != placement->file || shard->sha256 != placement->sha256)
    unrestorable(*from, "pod " + pod + "'s file " + placement->file + " is not the manifest's shard " +
                            std::to_string(placement->shard));
  const auto size = from->size(shard->file);
  if (!size) unrestorable(*from, shard->file + " is missing");
  if (*size != shard->rdb_bytes)
    unrestorable(*from, shard->file + " holds " + std::to_string(*size) + " bytes, the manifest says " +
                            std::to_string(shard->rdb_bytes));
  std::filesystem::create_directories(data_dir);
  // In the volume itself: no second copy of a large file elsewhere, and nothing Redis reads.
  const fetched_copy copy(data_dir / (".rcplan-restore-" + shard->file + ".partial"));
  from->get(shard->file, copy.path());
  if (sha256_file(copy.path()) != shard->sha256)
    unrestorable(*from, shard->file + " does not match its SHA-256: the file is corrupt");
  place_rdb(copy.path(), data_dir);
  out.outcome = pod_restore_outcome::placed;
  out.bytes = shard->rdb_bytes;
  return out;
}

}  // namespace rcplan::backup
