#pragma once

// The operator's work queue, keyed by resource ("namespace/name"): a key is handed to one
// worker at a time (a key added while it is being worked on is handed out again once that
// worker is done), several keys are worked on in parallel, and a key can come back after a
// delay — a fixed one (waiting for pods, a periodic resync) or a per-key backoff that doubles
// with each failure and is forgotten after a success.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace rcplan::controller {

struct backoff_options {
  std::chrono::milliseconds base{500};
  std::chrono::milliseconds max{30000};
};

class work_queue {
 public:
  using clock = std::chrono::steady_clock;

  explicit work_queue(backoff_options o = {}) : o_(o) {}

  /// Ready now (a key already waiting keeps one place in the queue).
  void add(const std::string& key);
  /// Ready after `delay` (an earlier time already set for the key wins).
  void add_after(const std::string& key, std::chrono::milliseconds delay);
  /// Ready after the key's backoff, which then doubles (up to the maximum).
  void add_rate_limited(const std::string& key);
  /// The key succeeded: its backoff starts again from the base.
  void forget(const std::string& key);
  /// The number of failures counted since the last forget().
  [[nodiscard]] int failures(const std::string& key) const;

  /// The next ready key that no worker holds, waiting up to `limit`; nothing when there is none
  /// by then or the queue is shut down. The caller holds the key until done().
  [[nodiscard]] std::optional<std::string> get(std::chrono::milliseconds limit);
  void done(const std::string& key);

  /// Wakes every get() and makes it return nothing from now on.
  void shut_down();
  /// Keys waiting (ready or delayed), not counting those held.
  [[nodiscard]] std::size_t size() const;

 private:
  backoff_options o_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, clock::time_point> waiting_;  ///< key -> when it is ready
  std::set<std::string> held_;
  std::map<std::string, int> failures_;
  bool shut_down_ = false;

  void add_at(const std::string& key, clock::time_point at);
};

}  // namespace rcplan::controller
