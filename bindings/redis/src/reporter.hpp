#pragma once

// The executor's single voice: progress events and diagnostics from every worker thread, one
// call at a time, each text scrubbed of the password on the way out.

#include "scrub.hpp"

#include <rcplan/diagnostic.hpp>
#include <rcplan/redis/execute.hpp>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::redis::detail {

class reporter {
 public:
  reporter(const progress_callback& callback, const secret& password, const secret& previous)
      : callback_(callback), password_(password), previous_(previous) {}

  void progress(progress_event e) {
    if (!callback_) return;
    e.message = scrub(std::move(e.message), password_, previous_);
    const std::lock_guard lock(mutex_);
    callback_(e);
  }
  void note(progress_event::kind what, std::size_t step, std::string message) {
    progress_event e;
    e.what = what;
    e.step = step;
    e.message = std::move(message);
    progress(std::move(e));
  }

  void diagnose(severity s, std::string code, std::string subject, std::string message) {
    const std::lock_guard lock(mutex_);
    diagnostics_.push_back(
        {s, std::move(code), scrub(std::move(subject), password_, previous_), scrub(std::move(message), password_, previous_)});
  }
  [[nodiscard]] std::vector<diagnostic> take_diagnostics() {
    const std::lock_guard lock(mutex_);
    return std::exchange(diagnostics_, {});
  }
  [[nodiscard]] const secret& password() const noexcept { return password_; }

  std::atomic<std::size_t> commands_sent{0};
  std::atomic<std::size_t> keys_moved{0};
  std::atomic<std::size_t> slots_moved{0};

 private:
  const progress_callback& callback_;
  const secret& password_;
  const secret& previous_;
  std::mutex mutex_;
  std::vector<diagnostic> diagnostics_;
};

}  // namespace rcplan::redis::detail
