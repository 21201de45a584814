#pragma once

// The operator's part of a restore (`spec.init.backupSource`): the backup resolved, checked
// and handed to the restored pods' init containers through the restore ConfigMap and Secret
// (restore_config_name()), which outlive the pass so that every pod started during the restore
// finds them; once the restore has succeeded the ConfigMap is removed and the Secret emptied,
// so a volume recreated later starts empty.

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/spec/spec.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace rcplan::controller {

struct restore_source {
  std::string backup;                       ///< "namespace/name" of the RedisClusterBackup
  std::optional<backup_manifest> manifest;  ///< set: the pass restores from it
  std::string waiting;                      ///< set: the backup is not there yet
  std::string failed;                       ///< set: the backup cannot be restored as the spec says
};

/// Whether the resource's status records its restore as done.
[[nodiscard]] bool restore_done(const nlohmann::json& drc);

/// The backup the cluster `drc` (spec `desired`, with init.backupSource) is restored from: the
/// restore ConfigMap's when an earlier pass wrote it; else the RedisClusterBackup resolved (it
/// must have Succeeded), its manifest read and every file's size checked in the store, the
/// restore planned (plan_restore), and the ConfigMap and Secret written (owned by `drc`).
[[nodiscard]] restore_source prepare_restore(kubernetes::client& c, const nlohmann::json& drc,
                                             const cluster_resource& desired);

/// After a restore has succeeded: the ConfigMap removed, the Secret's credentials emptied
/// (only what is still there: every pass of a restored cluster calls it).
void finish_restore(kubernetes::client& c, const nlohmann::json& drc);

}  // namespace rcplan::controller
