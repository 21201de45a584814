#pragma once

// How long the controller loop lets time pass after an iteration: nothing after progress, a
// delay that doubles up to a ceiling while the cluster keeps the loop idle.

#include <algorithm>
#include <chrono>

namespace rcplan::loop_detail {

class backoff {
 public:
  backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
      : initial_(initial), max_(std::max(initial, max)), next_(initial) {}

  /// An iteration that changed the cluster: observe again at once, and start over the next
  /// idle stretch from the initial delay.
  [[nodiscard]] std::chrono::milliseconds after_progress() {
    next_ = initial_;
    return std::chrono::milliseconds{0};
  }

  /// An iteration that could not change anything (a waiting plan, a cluster not ready yet, an
  /// execution cut short): the cluster has to change by itself, which takes longer the longer
  /// it has not.
  [[nodiscard]] std::chrono::milliseconds after_idle() {
    const std::chrono::milliseconds now = next_;
    next_ = std::min(max_, next_ * 2);
    return now;
  }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_;
};

}  // namespace rcplan::loop_detail
