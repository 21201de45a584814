#pragma once

// Where backups are kept: one place (a local directory or an S3 bucket and prefix) holding a
// backup's files, one RDB per shard and `manifest.json`, written last. Readers must never see a
// partial file under its final name, so that a manifest that exists always describes RDBs that
// are complete.

#include <rcplan/redis/secret.hpp>
#include <rcplan/spec/spec.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace rcplan::backup {

struct s3_credentials {
  redis::secret access_key_id;
  redis::secret secret_access_key;
};

struct store_location {
  /// "/abs/dir", "rel/dir", "file:///abs/dir" or "s3://bucket/prefix" (the prefix may be empty).
  std::string url;
  /// For S3-compatible services, e.g. "http://127.0.0.1:9000"; empty: AWS itself.
  std::string s3_endpoint;
  /// Empty: rclone's default.
  std::string s3_region;
  s3_credentials credentials;
};

/// A place holding files under plain names (no '/', no ".."). Every operation throws
/// rcplan::error: `rcplan.backup.store` for bad names, missing files and local I/O,
/// `rcplan.backup.s3` when the S3 service cannot be reached, refuses the credentials or has no
/// such bucket, `rcplan.backup.rclone` when rclone is not installed. No message holds a secret.
class store {
 public:
  store() = default;
  store(const store&) = delete;
  store& operator=(const store&) = delete;
  virtual ~store();

  /// For messages: the URL, never credentials.
  [[nodiscard]] virtual std::string where() const = 0;
  /// Copies `local_file` to `name`, replacing what was there; readers never see a partial
  /// object under `name`.
  virtual void put(const std::filesystem::path& local_file, const std::string& name) = 0;
  /// Copies `name` to `local_file` through a temporary name in the same directory and a rename.
  virtual void get(const std::string& name, const std::filesystem::path& local_file) = 0;
  [[nodiscard]] virtual bool exists(const std::string& name) = 0;
  /// The size in bytes of `name`; nullopt when there is none.
  [[nodiscard]] virtual std::optional<std::uint64_t> size(const std::string& name) = 0;
  /// For a local directory: the path where `name` lives (lets callers write snapshots straight
  /// into it, then put() it in place); nullopt for remote stores.
  [[nodiscard]] virtual std::optional<std::filesystem::path> local_path(const std::string& name) const = 0;
};

/// Where a RedisClusterBackup's files are kept: `s3://BUCKET/[PREFIX/][NAMESPACE/]NAME` at
/// its S3 endpoint (the namespace when the resource names one: two namespaces' backups of
/// one name never share files), credentials left empty. Throws rcplan::error
/// (`rcplan.backup.store`) when the resource has no `s3` (the only storage carried out).
[[nodiscard]] store_location location_of(const backup_resource& r);

/// The store at `location`. A directory is created when missing; an S3 store needs rclone on
/// PATH but contacts the service only when used. Throws rcplan::error (`rcplan.backup.store`)
/// for a URL it cannot use, `rcplan.backup.rclone` when rclone is missing.
[[nodiscard]] std::unique_ptr<store> open_store(const store_location& location);

}  // namespace rcplan::backup
