#pragma once

// run_until_converged() as the commands that converge a cluster show it: every plan printed
// as a runbook with its iteration number (or kept for the JSON output), the execution's
// progress on standard error. Shared by `apply --redis`, `local up|apply` and `demo`.

#include "io.hpp"
#include "live.hpp"
#include "progress.hpp"

#include <rcplan/model/node.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/platform.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/spec/spec.hpp>

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <vector>

namespace rcplan::cli {

struct converge_settings {
  redis::secret password;
  redis::secret previous_password;  ///< during a password change: the one being replaced
  redis::tls_options tls;  ///< how every observation and execution connects
  int parallel = redis::default_parallel;
  pace_options pace;
  output_format format = output_format::text;
  /// The nodes' cluster-node-timeout, for reconcile to know when to help a failover along.
  std::uint64_t node_timeout_ms = 15000;
  std::size_t max_iterations = 200;
  bool quiet_progress = false;
  /// The backup a new cluster is created from (`rcplan restore`).
  std::optional<backup_manifest> restore;
};

struct converge_run {
  redis::converge_result result;
  nlohmann::ordered_json plans = nlohmann::ordered_json::array();  ///< every non-empty plan
};

/// Converges the cluster of `seeds` (or of `platform`'s pods) to `desired`, printing each
/// non-empty plan to `out` (text format) as it comes. Throws what run_until_converged throws.
[[nodiscard]] converge_run converge_printing(std::ostream& out, const std::vector<address>& seeds,
                                             const cluster_resource& desired, const converge_settings& settings,
                                             redis::platform* platform);

/// `doc["plans"]` and `doc["result"]` ({"converged", "iterations", "status", "diagnostics"}):
/// what every converging command prints in JSON.
void add_converge_result(nlohmann::ordered_json& doc, const converge_run& run);

}  // namespace rcplan::cli
