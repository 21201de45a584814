#pragma once

// One pod's part of a restore on Kubernetes: the restored StatefulSets' init container
// (`rcplan restore pod`) puts the pod's backup shard file on the pod's new volume before Redis
// starts. What it needs is in a ConfigMap the operator writes while the restore runs (this
// config, as JSON) and the store's credentials in a Secret beside it (as environment
// variables, never in the ConfigMap).

#include <rcplan/backup/store.hpp>
#include <rcplan/json/backup.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/restore.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

namespace rcplan::backup {

/// The restore ConfigMap's `restore.json`: where the backup is, its manifest (checked when the
/// operator wrote it) and which pod takes which file (plan_restore()'s placements).
struct pod_restore_config {
  std::string url;  ///< store_location::url of the backup
  std::string s3_endpoint;
  std::string s3_region;
  backup_manifest manifest;
  std::vector<restore_placement> placements;

  friend bool operator==(const pod_restore_config&, const pod_restore_config&) = default;
};

enum class pod_restore_outcome : std::uint8_t {
  placed,      ///< the file was fetched, checked and placed
  not_listed,  ///< the pod takes no file (a replica, or a shard the backup does not have)
  has_data,    ///< the volume already holds Redis data: it is not new, nothing is placed
};

struct pod_restore_result {
  pod_restore_outcome outcome = pod_restore_outcome::not_listed;
  int shard = -1;
  std::string file;
  std::uint64_t bytes = 0;
};

/// Puts `pod`'s shard file into `data_dir` as place_rdb() does: fetched from the store to a
/// temporary name in `data_dir`, checked against the manifest's size and SHA-256, placed,
/// the copy removed. Throws rcplan::error: `rcplan.backup.unrestorable` when the file is
/// missing or does not match (nothing is placed), the store's errors otherwise.
[[nodiscard]] pod_restore_result restore_pod(const pod_restore_config& config, const std::string& pod,
                                             const std::filesystem::path& data_dir, const s3_credentials& credentials);

// JSON through the one record mechanism (rcplan/json), found by ADL from here.
using rcplan::from_json;
using rcplan::to_json;

}  // namespace rcplan::backup

namespace rcplan::json_detail {

template <> inline constexpr auto fields_of<backup::pod_restore_config> = std::tuple{
    required("url", &backup::pod_restore_config::url),
    omitempty("s3Endpoint", &backup::pod_restore_config::s3_endpoint),
    omitempty("s3Region", &backup::pod_restore_config::s3_region),
    required("manifest", &backup::pod_restore_config::manifest),
    required("placements", &backup::pod_restore_config::placements)};

}  // namespace rcplan::json_detail
