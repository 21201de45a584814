#pragma once

// One pass over one RedisClusterBackup, as the operator's workers run it. A backup is taken
// once, by a Job, like the original operator's:
//
//   1. gone, or Succeeded or Failed already: nothing to do (a new backup is a new resource).
//   2. the spec: only S3 storage is carried out; without `spec.s3` or with an invalid spec the
//      status is Failed with the reason. The cluster (`spec.redisClusterName`, same namespace)
//      must exist and have running pods, else the pass waits.
//   3. no Job yet: the Job `rcplan-backup-<name>` (owned by the resource) runs `rcplan backup`
//      from `spec.image` (an image holding the rcplan binary; empty: the operator's own),
//      with `spec.resources` when given, the cluster's pods as seeds, its password from its
//      passwordSecret and the S3 credentials from `storageSecretName`
//      (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), all by reference; status Running.
//   4. the Job complete: the manifest it wrote is read back from the store and checked
//      (every shard's file there, of its size): status Succeeded with masterSize, keys, size
//      and location. The Job failed: status Failed with its pod's termination message.

#include <rcplan/controller/events.hpp>
#include <rcplan/controller/reconciler.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/platform.hpp>

#include <string>

namespace rcplan::controller {

/// The label a backup's Job and its pods carry: the RedisClusterBackup's name.
inline constexpr const char* label_backup = "redis.kun/backup";

/// The name of a backup's Job.
[[nodiscard]] std::string backup_job_name(const std::string& backup);

class backup_reconciler {
 public:
  backup_reconciler(kubernetes::client& c, event_recorder& events, reconciler_options o = {});

  /// `backup` is the RedisClusterBackup's namespace and name.
  [[nodiscard]] pass_result reconcile(const kubernetes::cluster_ref& backup);

 private:
  kubernetes::client& c_;
  event_recorder& events_;
  reconciler_options o_;
};

}  // namespace rcplan::controller
