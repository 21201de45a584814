#pragma once

// One reconcile pass of one DistributedRedisCluster, as the operator's workers run it:
//
//   1. read the resource; gone: nothing to do. Being deleted: delete its claims when
//      spec.storage.deleteClaim says so, then remove rcplan's finalizer (owned objects are
//      collected by Kubernetes' garbage collector through their owner references).
//   2. add the finalizer; load and validate the spec — an invalid one gets status Failed with
//      the reason and a Warning event, and nothing is changed.
//   3. the password: read from the Secret spec.passwordSecret names. The password the cluster
//      runs with is kept in a Secret of rcplan's own (`<cluster>-rcplan-password`, owned by the
//      resource); when the two differ the pass runs the password change with the kept one as
//      the previous password, and keeps the new one once the cluster has converged on it.
//   4. one iteration of the library's controller loop (redis::run_until_converged, with one
//      iteration): observe Kubernetes and Redis, reconcile(), execute the first wave and the
//      waits right after it.
//   5. the status in the original's vocabulary (compute_status) plus `observedGeneration` and
//      the conditions Ready, Progressing and Degraded, written only when it changed; an Event
//      for the executed wave and for each blocked or waiting diagnostic (deduplicated).
//
// The result says when to come back: at once after work, soon while waiting, with backoff
// after an error, at the next resync when converged or blocked.

#include <rcplan/controller/events.hpp>
#include <rcplan/controller/metrics.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/redis/execute.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rcplan::controller {

/// The finalizer rcplan puts on every DistributedRedisCluster it manages.
inline constexpr const char* finalizer = "redis.kun/rcplan-claims";

enum class pass_outcome : std::uint8_t {
  converged,    ///< Healthy: nothing to do
  progressing,  ///< a wave was executed: come back at once
  waiting,      ///< the plan waits (pods starting, a failover): come back soon
  blocked,      ///< a person or a spec change has to act: status Failed
  invalid,      ///< the spec is invalid: status Failed, nothing changed
  error,        ///< the pass failed (API server, Redis unreachable): come back with backoff
  deleted,      ///< the resource was being deleted and is released
  gone,         ///< the resource does not exist
};

[[nodiscard]] constexpr std::string_view to_string(pass_outcome o) noexcept {
  switch (o) {
    case pass_outcome::converged: return "converged";
    case pass_outcome::progressing: return "progressing";
    case pass_outcome::waiting: return "waiting";
    case pass_outcome::blocked: return "blocked";
    case pass_outcome::invalid: return "invalid";
    case pass_outcome::error: return "error";
    case pass_outcome::deleted: return "deleted";
    case pass_outcome::gone: return "gone";
  }
  return "error";
}

struct pass_result {
  pass_outcome outcome = pass_outcome::error;
  std::string status;   ///< the status written (Healthy, Creating, ...), empty when none
  int masters = 0;      ///< numberOfMaster written
  std::string message;  ///< why it failed, was blocked or is waiting
  std::size_t slots_moved = 0;
  std::size_t keys_moved = 0;
};

struct reconciler_options {
  /// Migrations run at once within a wave.
  int parallel = redis::default_parallel;
  std::chrono::milliseconds connect_timeout{2000};
  /// The image holding the rcplan binary: restore init containers, and backup Jobs whose
  /// resource names no image.
  std::string tools_image = kubernetes::default_tools_image;
};

class reconciler {
 public:
  reconciler(kubernetes::client& c, event_recorder& events, reconciler_options o = {});

  [[nodiscard]] pass_result reconcile(const kubernetes::cluster_ref& cluster);

 private:
  kubernetes::client& c_;
  event_recorder& events_;
  reconciler_options o_;
};

/// The name of the Secret holding the password a cluster runs with.
[[nodiscard]] std::string applied_password_secret(const std::string& cluster);

}  // namespace rcplan::controller
