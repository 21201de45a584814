#pragma once

// Progress of a plan's execution on standard error: on a terminal one line redrawn in place
// (a bar), otherwise plain lines ("wave 1/3: 12/40 slots, 1/2 steps") that a log keeps
// readable. Standard output carries only the result, so `--output json` stays parseable.

#include <rcplan/plan/plan.hpp>
#include <rcplan/redis/execute.hpp>

#include <chrono>
#include <cstddef>
#include <iosfwd>
#include <map>
#include <mutex>
#include <optional>
#include <utility>
#include <string>
#include <vector>

namespace rcplan::cli {

/// What is known about one wave of a plan while it runs.
struct wave_progress {
  int wave = 0;
  std::size_t steps = 0;
  std::size_t steps_done = 0;
  std::size_t slots = 0;  ///< slots its migrations move
  std::size_t slots_done = 0;
};

/// The waves of `p` in the order they run, with their step and slot totals.
[[nodiscard]] std::vector<wave_progress> waves_of(const plan& p);

/// "wave 1/3: 12/40 slots, 1/2 steps" (`index` counts from 0); slots only when it moves some.
[[nodiscard]] std::string progress_line(const wave_progress& w, std::size_t index, std::size_t count);

/// "[#####-----]  42%" for `done` of `total` in `width` cells.
[[nodiscard]] std::string progress_bar(std::size_t done, std::size_t total, std::size_t width);

/// Whether standard error is a terminal.
[[nodiscard]] bool stderr_is_tty();

class progress_reporter {
 public:
  /// Writes to `out`, drawing a bar when `tty`; silent when `quiet`.
  progress_reporter(std::ostream& out, bool tty, bool quiet = false);

  /// A plan is about to run; `label` ("iteration 3") prefixes its lines when not empty.
  void start(const plan& p, std::string label = {});
  void on_event(const redis::progress_event& e);
  /// Ends the bar's line, if one is drawn.
  void finish();
  /// A plain message line (ends the bar's line first).
  void note(const std::string& message);

  /// A callback for redis::execute_options::progress that feeds this reporter.
  [[nodiscard]] redis::progress_callback callback();

 private:
  void draw(bool force);
  [[nodiscard]] std::string prefix() const;
  void line(const std::string& text);
  /// Prints how often the retries of `step` (all steps when nullopt) repeated since their first
  /// line, and forgets them.
  void flush_retries(std::optional<std::size_t> step);

  std::mutex lock_;
  std::ostream& out_;
  bool tty_;
  bool quiet_;
  std::string label_;
  std::vector<wave_progress> waves_;
  std::vector<std::size_t> step_wave_;   ///< index into waves_ of each step
  std::vector<std::size_t> step_slots_;  ///< slots each step moves
  std::vector<std::size_t> step_done_;   ///< slots each step has moved so far
  std::size_t current_ = 0;
  bool line_open_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
  std::string last_waiting_;
  std::string pace_;  ///< the latest pace, short (pace_text)
  std::size_t pace_rung_ = 0;
  /// Retries by step and cause (the message with its numbers blanked): the first is printed,
  /// the repeats counted here and summarised when the step ends.
  std::map<std::pair<std::size_t, std::string>, std::size_t> repeats_;
};

/// "pace 5/10, probe p99 1.32 ms": a pace event for the progress line.
[[nodiscard]] std::string pace_text(const redis::progress_event& e);

/// A retry message with every number replaced by N: retries of one cause on different slots
/// read the same.
[[nodiscard]] std::string retry_cause(const std::string& message);

}  // namespace rcplan::cli
