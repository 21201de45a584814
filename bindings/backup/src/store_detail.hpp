#pragma once

// The store kinds behind open_store(), and what they share.

#include <rcplan/backup/store.hpp>

#include <filesystem>
#include <memory>
#include <string>

namespace rcplan::backup::detail {

/// Throws rcplan::error (`rcplan.backup.store`) naming `name` unless it is a plain file name:
/// not empty, no '/', no "..", no control characters. Names come from manifests, which may
/// have been edited by hand or by an attacker, and must never reach outside the store.
void check_name(const std::string& name);

/// Moves the complete file `partial` to `to`: its data, then the rename, are on disk before this
/// returns, so after a crash `to` holds the old file or all of the new one, never a part. On
/// failure removes `partial` and throws rcplan::error (`rcplan.backup.store`) starting `what: `.
void commit_file(const std::filesystem::path& partial, const std::filesystem::path& to, const std::string& what);

/// The directory holding `file` ("." for a bare file name).
[[nodiscard]] std::filesystem::path parent_of(const std::filesystem::path& file);

/// A local directory, created when missing. `url` is what where() reports.
[[nodiscard]] std::unique_ptr<store> open_directory_store(const std::filesystem::path& dir, std::string url);

struct s3_target {
  std::string bucket;
  std::string prefix;  ///< "" or "some/prefix/", ending in '/'
};

/// A bucket and prefix reached through rclone.
[[nodiscard]] std::unique_ptr<store> open_s3_store(const store_location& location, s3_target target);

}  // namespace rcplan::backup::detail
