#pragma once

// Before an executor sends anything, no other executor may be at work on the cluster. A killed
// executor is not done when its process dies: the servers still run the commands it had
// pipelined (MIGRATE batches, SETSLOTs) and close its connections only after them. A plan made
// while they ran describes a state that changed under it, so it must not be executed.

#include "connection.hpp"
#include "directory.hpp"
#include "reporter.hpp"

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>

#include <chrono>
#include <map>
#include <string>

namespace rcplan::redis::detail {

/// The name an executor gives all its connections: unique to the process and the execution.
[[nodiscard]] std::string new_executor_name();

/// Watches every reachable node of the directory for other executors' connections. Its own
/// connections carry this executor's name and stay open until it is destroyed, so an executor
/// starting later sees this one, and of two starting together at least one sees the other.
class quiet_check {
 public:
  quiet_check(directory& dir, std::string own_name) : dir_(dir), own_name_(std::move(own_name)) {}

  /// True when no other executor is connected and every node still says about itself what
  /// `observed` recorded. Otherwise nothing may be executed: it waits up to `timeout` for other
  /// executors to go and reports `rcplan.redis.stale_plan` (they went, or a node changed) or
  /// `rcplan.redis.concurrent_executor` (they did not), naming nodes and client addresses.
  [[nodiscard]] bool run(const topology& observed, std::chrono::milliseconds timeout, reporter& rep);

 private:
  /// "addr=... name=..." of every other executor's connection to `node`; empty when the node
  /// has none or cannot be asked (a node that does not answer runs nobody's commands).
  [[nodiscard]] std::vector<std::string> others_on(const node_id& node);
  /// Gives this executor's watching connections a name outside the executors' prefix: one that
  /// waits for another must not look like an executor to it.
  void step_aside();
  /// Nodes that differ from `observed` in their own CLUSTER NODES line (slots, open slots, role,
  /// master) or hold keys of an open slot they were observed empty of. A dead executor's last
  /// pipelined commands can still run while the cluster is observed and be done before this
  /// check: its connections are gone by then, its changes are not.
  [[nodiscard]] std::vector<node_id> changed_since(const topology& observed);

  directory& dir_;
  std::string own_name_;
  std::map<node_id, connection> held_;
};

}  // namespace rcplan::redis::detail
