#pragma once

// Observation of a live cluster: from a few seed addresses to a topology (design §1, the
// left box). Every node the seeds reveal is asked for its own CLUSTER NODES view, INFO
// replication and, on request, its key counts per slot. A node that cannot be reached is
// recorded as unreachable (with a reason free of secrets), never fatal; only a failure to
// reach every seed is an error.

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/platform.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::redis {

struct observe_options {
  /// When not empty, every reachable node's `password` says whether it requires this password
  /// and authenticates to its master with it (the password itself never enters the topology).
  redis::secret password;
  /// The password being replaced during a change: connections fall back to it when a node
  /// refuses `password` (it has not learnt the new one yet). Empty: no fallback.
  redis::secret previous_password;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  /// How to reach nodes that speak TLS only.
  tls_options tls;
  /// Count keys per slot on every master (CLUSTER COUNTKEYSINSLOT for each owned slot,
  /// pipelined). Needed to balance by keys and to prove a node empty before it is forgotten.
  bool keys_per_slot = false;
  /// Parameters read with CONFIG GET into `node_observation::config` (never the password).
  std::vector<std::string> config_parameters;
  /// Also observe nodes that only appear in other nodes' views (true), or only the seeds.
  bool follow_peers = true;
};

/// "host:port" → address; throws rcplan::error (`rcplan.redis.address`) naming the text.
[[nodiscard]] address parse_address(std::string_view text);

/// Observes the cluster the seeds belong to. Views and observations are sorted by node id;
/// `observed_at_ms` is the wall clock when observation finished. Throws rcplan::error
/// (`rcplan.redis.unreachable`, or `rcplan.redis.auth` for a rejected password) when no seed
/// answers.
[[nodiscard]] topology observe(const std::vector<address>& seeds, const observe_options& options = {});

/// Observes the pods `on` runs: Redis from their addresses, then the platform's own half (pods,
/// StatefulSets). No running pod (a cluster not created yet) or no pod answering (all
/// restarting) is a state to plan from, not an error — reconcile creates or waits for the pods —
/// so the Redis half is then empty. A rejected password stays an error.
[[nodiscard]] topology observe(platform& on, const observe_options& options = {});

}  // namespace rcplan::redis
