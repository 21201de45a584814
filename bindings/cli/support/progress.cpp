#include "progress.hpp"

#include <rcplan/plan/action.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <ostream>
#include <variant>

namespace rcplan::cli {

std::vector<wave_progress> waves_of(const plan& p) {
  std::map<int, wave_progress> by_wave;
  for (const step& s : p.steps) {
    wave_progress& w = by_wave[s.wave];
    w.wave = s.wave;
    ++w.steps;
    if (const auto* m = std::get_if<migrate_slots>(&s.action)) w.slots += m->slots.count();
  }
  std::vector<wave_progress> out;
  for (const auto& [wave, w] : by_wave) out.push_back(w);
  return out;
}

std::string progress_line(const wave_progress& w, std::size_t index, std::size_t count) {
  std::string out = "wave " + std::to_string(index + 1) + "/" + std::to_string(count) + ": ";
  if (w.slots > 0) out += std::to_string(w.slots_done) + "/" + std::to_string(w.slots) + " slots, ";
  out += std::to_string(w.steps_done) + "/" + std::to_string(w.steps) + (w.steps == 1 ? " step" : " steps");
  return out;
}

std::string progress_bar(std::size_t done, std::size_t total, std::size_t width) {
  const std::size_t filled = total == 0 ? width : std::min(width, done * width / total);
  const std::size_t percent = total == 0 ? 100 : std::min<std::size_t>(100, done * 100 / total);
  std::string out = "[";
  out.append(filled, '#').append(width - filled, '-').append("] ");
  const std::string pct = std::to_string(percent) + "%";
  out += std::string(4 - std::min<std::size_t>(4, pct.size()), ' ') + pct;
  return out;
}

bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

progress_reporter::progress_reporter(std::ostream& out, bool tty, bool quiet) : out_(out), tty_(tty), quiet_(quiet) {}

void progress_reporter::start(const plan& p, std::string label) {
  const std::lock_guard guard(lock_);
  label_ = std::move(label);
  waves_ = waves_of(p);
  step_wave_.assign(p.steps.size(), 0);
  step_slots_.assign(p.steps.size(), 0);
  step_done_.assign(p.steps.size(), 0);
  for (std::size_t i = 0; i < p.steps.size(); ++i) {
    const auto it = std::find_if(waves_.begin(), waves_.end(),
                                 [&](const wave_progress& w) { return w.wave == p.steps[i].wave; });
    step_wave_[i] = static_cast<std::size_t>(it - waves_.begin());
    if (const auto* m = std::get_if<migrate_slots>(&p.steps[i].action)) step_slots_[i] = m->slots.count();
  }
  current_ = 0;
  last_waiting_.clear();
  pace_.clear();
  pace_rung_ = 0;
}

std::string progress_reporter::prefix() const { return label_.empty() ? std::string{} : label_ + ", "; }

void progress_reporter::draw(bool force) {
  if (quiet_ || current_ >= waves_.size()) return;
  const auto now = std::chrono::steady_clock::now();
  // a terminal redraws often enough to look alive; a log gets a line a second at most
  const auto interval = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(1000);
  if (!force && now - last_draw_ < interval) return;
  last_draw_ = now;
  const wave_progress& w = waves_[current_];
  std::string line = prefix() + progress_line(w, current_, waves_.size());
  if (!pace_.empty()) line += ", " + pace_;
  if (tty_) {
    const std::size_t done = w.slots > 0 ? w.slots_done : w.steps_done;
    const std::size_t total = w.slots > 0 ? w.slots : w.steps;
    out_ << '\r' << progress_bar(done, total, 30) << "  " << line << "\x1b[K" << std::flush;
    line_open_ = true;
  } else {
    out_ << line << '\n' << std::flush;
  }
}

void progress_reporter::on_event(const redis::progress_event& e) {
  const std::lock_guard guard(lock_);
  using k = redis::progress_event::kind;
  switch (e.what) {
    case k::wave_started: {
      const auto it = std::find_if(waves_.begin(), waves_.end(), [&](const wave_progress& w) { return w.wave == e.wave; });
      if (it != waves_.end()) current_ = static_cast<std::size_t>(it - waves_.begin());
      draw(true);
      return;
    }
    case k::step_started: return;
    case k::step_done:
    case k::slots_done: {
      if (e.what == k::step_done) flush_retries(e.step);
      if (e.step >= step_wave_.size()) return;
      const std::size_t slots = e.what == k::step_done ? step_slots_[e.step] : std::min(e.done, step_slots_[e.step]);
      wave_progress& w = waves_[step_wave_[e.step]];
      w.slots_done = w.slots_done - step_done_[e.step] + std::max(slots, step_done_[e.step]);
      step_done_[e.step] = std::max(slots, step_done_[e.step]);
      if (e.what == k::step_done) ++w.steps_done;
      draw(e.what == k::step_done);
      return;
    }
    case k::retry: {
      if (quiet_) return;
      const auto [it, first] = repeats_.try_emplace({e.step, retry_cause(e.message)}, 0);
      if (!first) {
        ++it->second;
        return;
      }
      line(prefix() + "retry: " + e.message);
      return;
    }
    case k::pace: {
      if (quiet_) return;
      pace_ = pace_text(e);
      // a log gets a line when the pace changes; the progress line shows the latest either way
      if (!tty_ && e.done != pace_rung_) line(prefix() + e.message);
      pace_rung_ = e.done;
      draw(false);
      return;
    }
    case k::waiting: {
      if (quiet_ || e.message == last_waiting_) return;
      last_waiting_ = e.message;
      line(prefix() + "waiting: " + e.message);
      return;
    }
  }
}

void progress_reporter::line(const std::string& text) {
  if (line_open_) out_ << '\n';
  line_open_ = false;
  out_ << text << '\n' << std::flush;
}

void progress_reporter::flush_retries(std::optional<std::size_t> step) {
  for (auto it = repeats_.begin(); it != repeats_.end();) {
    if (step && it->first.first != *step) {
      ++it;
      continue;
    }
    if (it->second > 0)
      line(prefix() + "retry: step " + std::to_string(it->first.first) + ": " + std::to_string(it->second) +
           (it->second == 1 ? " more time: " : " more times: ") + it->first.second);
    it = repeats_.erase(it);
  }
}

void progress_reporter::finish() {
  const std::lock_guard guard(lock_);
  flush_retries(std::nullopt);
  if (line_open_) out_ << '\n' << std::flush;
  line_open_ = false;
}

void progress_reporter::note(const std::string& message) {
  const std::lock_guard guard(lock_);
  if (quiet_) return;
  line(message);
}

redis::progress_callback progress_reporter::callback() {
  return [this](const redis::progress_event& e) { on_event(e); };
}

std::string pace_text(const redis::progress_event& e) {
  char p99[32];
  std::snprintf(p99, sizeof p99, "%.2f", e.latency_ms);
  return "pace " + std::to_string(e.done) + "/" + std::to_string(e.total) + ", probe p99 " + p99 + " ms";
}

std::string retry_cause(const std::string& message) {
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (!digit(message[i]))
      out += message[i];
    else if (i == 0 || !digit(message[i - 1]))
      out += 'N';
  }
  return out;
}

}  // namespace rcplan::cli
