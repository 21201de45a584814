#pragma once

// What carries out the Kubernetes-level half of a plan. The Redis binding executes Redis
// actions itself and hands every Kubernetes action (apply_statefulset, delete_pod, ...) and the
// `pods_ready` wait to a platform: the local runtime (processes on this machine) or a
// Kubernetes binding. Without a platform a plan's Kubernetes steps are not executed and the
// executor stops before them, saying so.

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>

#include <chrono>
#include <vector>

namespace rcplan::redis {

class platform {
 public:
  virtual ~platform() = default;

  /// Carries out one Kubernetes action. Throws rcplan::error when it cannot.
  virtual void apply(const action& a) = 0;
  /// Fills `t.pods` and `t.statefulsets` with what the platform runs now.
  virtual void observe(topology& t) = 0;
  /// Addresses of running pods, to start a Redis observation from.
  [[nodiscard]] virtual std::vector<address> seeds() = 0;
  /// Whether every pod of StatefulSet `name` (every pod when empty) is running and ready.
  [[nodiscard]] virtual bool pods_ready(const std::string& name) = 0;
};

}  // namespace rcplan::redis
