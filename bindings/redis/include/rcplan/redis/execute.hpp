#pragma once

// Execution of a plan against live Redis nodes: waves in order, the migrations of one wave in
// parallel, every intent action lowered (plan/lower.hpp) and sent, waits polled until they
// hold or time out. Execution stops at the first step it cannot complete and says why; it
// never leaves a slot open without saying so, and a re-observe + re-plan finishes the job.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/redis/platform.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>
#include <rcplan/spec/spec.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::redis {

/// What the executor reports while it runs. `message` never contains a secret.
struct progress_event {
  enum class kind : std::uint8_t {
    wave_started,  ///< `wave`; `total` = steps in it
    step_started,  ///< `step` (index into plan.steps)
    step_done,
    slots_done,    ///< a migration's progress: `done` of `total` slots of `step`
    retry,         ///< a transient error (TRYAGAIN, IOERR, a dropped connection); `message` says which
    waiting,       ///< polling a wait_until; `message` names the condition
    pace,          ///< the migration pace changed, or a second passed: `done` = its rung of `total`;
                   ///< `message` says what the rung sends at once and the probes' recent p99
  };
  kind what = kind::step_started;
  int wave = 0;
  std::size_t step = 0;
  std::size_t done = 0;
  std::size_t total = 0;
  std::string message;
  /// pace: the probes' p99 over the last second, in milliseconds (last, so that positional
  /// initializers written before it still mean what they meant).
  double latency_ms = 0;
};

using progress_callback = std::function<void(const progress_event&)>;

/// Migrations of one wave run at once unless told otherwise (the CLI's, the controller's and
/// the executor's default alike); the planner's per-master limit bounds the load on each node.
inline constexpr int default_parallel = 8;

/// The latency budget of an execution that names none (execute_options::latency_budget), chosen
/// from bench/rebalance_latency.sh's measurements (bench/README.md).
inline constexpr std::chrono::microseconds default_latency_budget{
    static_cast<std::chrono::microseconds::rep>(default_latency_budget_ms * 1000.0)};

/// Whether a migration first makes its target hear its source (bindings/redis/src/claims.hpp):
/// the cure for a Redis 7.0.13+ mark that can make a target delete keys it has just imported.
enum class claim_guard : unsigned char {
  automatic,  ///< when the target's version can keep the mark (Redis 7.0.13 up to 7.4)
  always,
  never,  ///< for tests that show the hazard
};

/// A latency budget given in milliseconds (the spec's, a command line's), in the option's unit.
[[nodiscard]] inline std::chrono::microseconds latency_budget_of(double ms) {
  return std::chrono::microseconds(std::llround(ms * 1000.0));
}

struct execute_options {
  /// Sent with AUTH, MIGRATE ... AUTH, and as the value of secret CONFIG SETs (`masterauth`,
  /// `requirepass` of a password change).
  redis::secret password;
  /// The password being replaced during a change: connections fall back to it when a node
  /// refuses `password`. A connection that authenticated with it keeps working after the node
  /// starts requiring the new one (Redis keeps authenticated connections).
  redis::secret previous_password;
  /// Migrations of one wave run at most this many at a time (each with its own connections).
  int parallel = default_parallel;
  /// Keys per GETKEYSINSLOT / MIGRATE call (spec.migration.keyBatchSize).
  std::size_t key_batch = static_cast<std::size_t>(default_key_batch_size);
  /// The latency budget (spec.migration.latencyBudgetMs; nullopt: that of the spec when run by
  /// run_until_converged, else default_latency_budget). A probe per migrating node times a PING
  /// every 10 ms, as an application's command would wait behind the executor's pipelines; the
  /// executor slows down (fewer bursts at once, shorter pipelines, fewer keys per MIGRATE,
  /// smaller chunks of slots) while the probes' p99 over the last second exceeds the budget, and
  /// speeds up while it stays at 60 % of it or less. Zero: unpaced, as fast as the cluster goes.
  std::optional<std::chrono::microseconds> latency_budget;
  /// At most this many keys a second in MIGRATE (spec.migration.maxKeysPerSecond; nullopt: that
  /// of the spec, else none; 0: none).
  std::optional<std::uint64_t> max_keys_per_second;
  /// spec.migration.migrateTimeoutMs.
  std::uint32_t migrate_timeout_ms = static_cast<std::uint32_t>(default_migrate_timeout_ms);
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{60000};
  /// How to reach nodes that speak TLS only (they MIGRATE keys to each other over TLS then).
  tls_options tls;
  /// How long a wait_until may take when the step does not say (timeout_seconds = 0):
  /// spec.migration.stepTimeoutSeconds.
  std::chrono::milliseconds wait_timeout{std::chrono::seconds(default_step_timeout_seconds)};
  /// Transient errors retried per command, with exponential backoff from 10 ms.
  int max_retries = 12;
  /// Run only the first this many waves (the reconcile loop runs one, then re-plans).
  std::optional<int> max_waves;
  /// Before sending anything, execute() looks on every observed node for connections of
  /// another executor (a crashed one whose pipelined commands the servers still run, or one
  /// running now). It waits up to this long for them to close; if it had to wait at all it
  /// executes nothing and reports `rcplan.redis.stale_plan` (the plan was made from a state
  /// that was still changing: observe and plan again), and if they are still there after this
  /// long, `rcplan.redis.concurrent_executor`.
  std::chrono::milliseconds quiet_timeout{30000};
  /// Before a migration's target takes its first slot, the source gives up one slot and the
  /// target is made to hear it (a cron tick of the source per migration, up to 100 ms at the
  /// default hz; that slot redirects between the two meanwhile).
  claim_guard settle_claims = claim_guard::automatic;
  /// A stop request (SIGTERM on eviction): once it reads true no new wave, step or batch of
  /// slots starts, the slots being handed over finish, and execute() returns incomplete with
  /// `rcplan.redis.stopped` saying what was left. Null: never stops early.
  const std::atomic<bool>* stop = nullptr;
  /// Receives progress; called from the executing threads, one call at a time.
  progress_callback progress;
  /// Carries out Kubernetes actions and the pods_ready wait; null: such steps stop execution.
  redis::platform* platform = nullptr;
};

struct execute_result {
  /// Every step of the executed waves completed.
  bool complete = false;
  std::size_t steps_done = 0;
  int waves_done = 0;
  std::size_t commands_sent = 0;
  std::size_t keys_moved = 0;
  std::size_t slots_moved = 0;
  /// What the latency probes measured over the run: samples taken, their p99 and maximum, in
  /// milliseconds. No samples when the execution was unpaced or moved no slot.
  struct probe_figures {
    std::size_t samples = 0;
    double p99_ms = 0;
    double max_ms = 0;
  } probes;
  /// Why execution stopped early, and anything left open (slots still MIGRATING/IMPORTING).
  std::vector<diagnostic> diagnostics;
};

/// Executes `p` against the nodes of `observed` (the topology `p` was planned from: it gives
/// node addresses). Throws only for bad arguments; failures of the cluster are reported in the
/// result.
[[nodiscard]] execute_result execute(const plan& p, const topology& observed, const execute_options& options = {});

}  // namespace rcplan::redis
