#pragma once

// How fast migrations may go: a probe per node times a PING at a steady rate, as an application's
// command would wait behind the executor's pipelines, and a control loop moves the pace down a
// ladder when the probes' recent p99 exceeds the latency budget and up when it is well inside.
// A keys-per-second cap limits the keys sent in MIGRATE bursts on top of it.

#include "connection.hpp"
#include "directory.hpp"
#include "reporter.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace rcplan::redis::detail {

/// One rung of the ladder: how much work the executor sends at once.
struct pace {
  /// Bursts (pipelines) in flight at once over all migrations, and never two to one node at
  /// once; 0: no limit at all.
  int bursts = 0;
  /// Commands per pipeline to one node.
  std::size_t depth = 0;
  /// Keys per GETKEYSINSLOT / MIGRATE (at most the executor's key_batch).
  std::size_t keys = 0;
  /// Slots set up, emptied and handed over together (as many as one pipeline carries).
  std::size_t chunk = 0;
};

/// The rungs, gentlest first; the last is the unpaced executor.
[[nodiscard]] const std::vector<pace>& pace_ladder();

/// "3 bursts at a time, 4 commands per pipeline, 200 keys per MIGRATE, 16 slots per chunk".
[[nodiscard]] std::string describe(const pace& p);

/// The p99 of `samples` (microseconds); 0 for none. Sorts a copy.
[[nodiscard]] std::int64_t percentile_99(std::vector<std::int64_t> samples);

class pacer {
 public:
  /// Unpaced when the budget is zero and there is no cap: acquire() never waits, no probe runs.
  pacer(std::chrono::microseconds budget, std::uint64_t max_keys_per_second, reporter& rep);
  pacer(const pacer&) = delete;
  pacer& operator=(const pacer&) = delete;
  ~pacer();

  /// Starts a probe per endpoint and the control loop (when a budget is set); stop() ends them.
  void watch(const std::vector<endpoint>& nodes, const connect_options& options);
  void stop();

  /// The pace to use for the next burst.
  [[nodiscard]] pace current() const;

  /// A burst to `node` may start: fewer than the pace's bursts are in flight, none to `node`
  /// (empty: a burst to several nodes, counted only against the total), and the key cap allows
  /// `keys` more. The burst ends when the ticket goes.
  class ticket {
   public:
    ticket(pacer* p, std::string node) : p_(p), node_(std::move(node)) {}
    ticket(const ticket&) = delete;
    ticket& operator=(const ticket&) = delete;
    ticket(ticket&& o) noexcept : p_(o.p_), node_(std::move(o.node_)) { o.p_ = nullptr; }
    ticket& operator=(ticket&&) = delete;
    ~ticket();

   private:
    pacer* p_;
    std::string node_;
  };
  [[nodiscard]] ticket acquire(const std::string& node, std::size_t keys);

  /// Probe samples taken, and their p99 and maximum over the whole run (microseconds).
  struct summary {
    std::size_t samples = 0;
    std::int64_t p99_us = 0;
    std::int64_t max_us = 0;
  };
  [[nodiscard]] summary totals() const;

 private:
  struct probe;
  void run_probe(probe& p);
  void record(probe& p, std::chrono::steady_clock::time_point at, std::int64_t us);
  void control_loop();
  void decide(std::chrono::steady_clock::time_point now);
  /// A pace event; nullopt before the probes have spoken.
  void announce(std::optional<std::int64_t> p99_us);
  void release(const std::string& node);

  std::chrono::microseconds budget_;
  double keys_per_second_;
  reporter& rep_;
  std::atomic<std::size_t> level_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;  ///< a burst ended or the pace changed
  std::condition_variable wake_;     ///< probes and the control loop sleep on it
  int in_flight_ = 0;
  std::map<std::string, int> busy_;  ///< bursts in flight by node
  std::chrono::steady_clock::time_point next_keys_;  ///< when the key cap lets the next burst go
  std::chrono::steady_clock::time_point level_since_;
  std::chrono::steady_clock::time_point last_announced_;
  std::vector<std::uint32_t> histogram_;  ///< every sample of the run
  std::size_t samples_ = 0;
  std::int64_t max_us_ = 0;

  std::atomic<bool> stopping_{false};
  std::vector<std::unique_ptr<probe>> probes_;
  std::thread control_;
};

}  // namespace rcplan::redis::detail
