#pragma once

// The operator: watches DistributedRedisCluster resources and the objects they own and
// converges each resource with reconciler passes.
//
//   informers   list + watch (kubernetes::client::follow) of the resources, their
//               StatefulSets and pods, and Secrets; every change queues the resource it
//               concerns (a Secret: every resource whose passwordSecret names it)
//   work queue  keyed by resource: one pass at a time per resource, `workers` resources in
//               parallel; requeued at once after work, after `waiting_requeue` while a plan
//               waits, with doubling backoff after errors, and every resource at each resync
//   leadership  with `leader_elect`, nothing is watched or changed until this replica holds
//               the Lease; it renews it, and stops (run() returns 1) when it loses it
//   HTTP        /healthz, /readyz (the informers have listed once, or the replica is on
//               standby), /metrics (metrics.hpp)
//   stopping    when `stop` is set: no new pass starts, running passes finish their wave (a
//               wave never leaves a slot open on purpose), the Lease is released

#include <rcplan/controller/metrics.hpp>
#include <rcplan/controller/reconciler.hpp>
#include <rcplan/kubernetes/config.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace rcplan::controller {

struct operator_options {
  /// The only namespace watched; empty: every namespace.
  std::string namespace_name;
  /// "HOST:PORT" (":8080") for /healthz, /readyz and /metrics; empty: no HTTP server.
  std::string metrics_addr;
  bool leader_elect = false;
  std::string lease_namespace = "default";
  std::string lease_name = "rcplan-operator";
  /// This replica in the Lease and in Events; empty: hostname and pid.
  std::string identity;
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds resync{30};
  std::chrono::milliseconds waiting_requeue{1000};
  int workers = 2;
  /// How long an informer's watch request stays open (also bounds how long stopping takes).
  std::chrono::seconds watch_timeout{5};
  reconciler_options reconcile;
};

class operator_manager {
 public:
  operator_manager(kubernetes::cluster_access access, operator_options o);
  ~operator_manager();
  operator_manager(const operator_manager&) = delete;
  operator_manager& operator=(const operator_manager&) = delete;

  /// Runs until `stop` is set (returns 0) or the Lease is lost (returns 1). Throws
  /// rcplan::error when the HTTP server cannot listen.
  int run(const std::atomic<bool>& stop);

  [[nodiscard]] metrics& stats() noexcept;
  /// The port the HTTP server listens on once run() has started it (0 before, or without one).
  [[nodiscard]] std::uint16_t http_port() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::controller
