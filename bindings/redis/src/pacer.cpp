#include "pacer.hpp"

#include <algorithm>
#include <cstdio>
#include <deque>
#include <exception>
#include <optional>
#include <utility>

namespace rcplan::redis::detail {

namespace {

using clock = std::chrono::steady_clock;
using std::chrono::microseconds;
using std::chrono::milliseconds;

/// A probe's PING rate: often enough for a p99 of the last second, rare enough to cost the
/// node nothing measurable.
constexpr milliseconds probe_interval{10};
/// How often the control loop looks at the probes, and how far back it looks.
constexpr milliseconds control_interval{100};
constexpr milliseconds window{1000};
/// A rung is judged on samples taken since the pace changed to it: at least this many before
/// slowing down (p99 above the budget), and this many and this long before speeding up (p99 at
/// most 60 % of it).
constexpr std::size_t samples_to_slow = 20;
constexpr std::size_t samples_to_speed = 100;
constexpr milliseconds time_to_speed{300};
/// Where a paced execution starts: gentle, since no probe has spoken yet.
constexpr std::size_t first_rung = 3;
/// The histogram of every sample: 10 µs buckets up to 200 ms, the rest in the last one.
constexpr std::int64_t bucket_us = 10;
constexpr std::size_t buckets = 20001;

/// The nearest rank of the 99th percentile among `n` samples (1-based).
std::size_t rank_99(std::size_t n) { return (n * 99 + 99) / 100; }

std::string milliseconds_text(std::int64_t us) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f ms", static_cast<double>(us) / 1000.0);
  return buf;
}

}  // namespace

const std::vector<pace>& pace_ladder() {
  // A chunk is one pipeline deep: each slot is handed over as soon as its keys have moved, so
  // that few slots at a time answer ASK (a redirection some clients handle worst).
  static const std::vector<pace> ladder{
      {1, 1, 10, 1},   {1, 2, 20, 2},   {2, 2, 25, 2},     {2, 4, 50, 4},    {3, 4, 100, 4},
      {4, 8, 100, 8},  {4, 16, 200, 16}, {6, 32, 500, 32}, {8, 64, 1000, 64},
      {0, 128, static_cast<std::size_t>(-1), 128},  // unpaced: whole chunks, the executor's key_batch
  };
  return ladder;
}

std::string describe(const pace& p) {
  std::string out = p.bursts == 0 ? std::string{"no limit on bursts"} : std::to_string(p.bursts) + " bursts at a time";
  out += ", " + std::to_string(p.depth) + " commands per pipeline, ";
  out += p.keys == static_cast<std::size_t>(-1) ? std::string{"keyBatchSize"} : std::to_string(p.keys);
  out += " keys per MIGRATE, " + std::to_string(p.chunk) + " slots per chunk";
  return out;
}

std::int64_t percentile_99(std::vector<std::int64_t> samples) {
  if (samples.empty()) return 0;
  const auto at = samples.begin() + static_cast<std::ptrdiff_t>(rank_99(samples.size()) - 1);
  std::nth_element(samples.begin(), at, samples.end());
  return *at;
}

/// One node's probe: its own connection and thread, its samples of the last window.
struct pacer::probe {
  endpoint where;
  connect_options options;
  std::mutex mutex;
  std::deque<std::pair<clock::time_point, std::int64_t>> recent;
  std::thread thread;
};

pacer::pacer(microseconds budget, std::uint64_t max_keys_per_second, reporter& rep)
    : budget_(budget),
      keys_per_second_(static_cast<double>(max_keys_per_second)),
      rep_(rep),
      level_(budget.count() > 0 ? first_rung : pace_ladder().size() - 1),
      histogram_(budget.count() > 0 ? buckets : 0) {}

pacer::~pacer() { stop(); }

void pacer::watch(const std::vector<endpoint>& nodes, const connect_options& options) {
  if (budget_.count() <= 0) return;
  stop();
  stopping_ = false;
  {
    const std::lock_guard lock(mutex_);
    level_since_ = clock::now();
  }
  for (const endpoint& e : nodes) {
    auto p = std::make_unique<probe>();
    p->where = e;
    p->options = options;
    probes_.push_back(std::move(p));
  }
  for (auto& p : probes_) p->thread = std::thread([this, raw = p.get()] { run_probe(*raw); });
  announce(std::nullopt);
  control_ = std::thread([this] { control_loop(); });
}

void pacer::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  changed_.notify_all();
  for (auto& p : probes_)
    if (p->thread.joinable()) p->thread.join();
  if (control_.joinable()) control_.join();
  probes_.clear();
}

pace pacer::current() const {
  pace p = pace_ladder()[level_.load()];
  if (keys_per_second_ > 0) {
    // a burst of a tenth of a second's keys at most, so that the cap spaces bursts evenly
    const auto tenth = static_cast<std::size_t>(std::max(1.0, keys_per_second_ / 10.0));
    p.keys = std::min(p.keys, tenth);
  }
  return p;
}

pacer::ticket pacer::acquire(const std::string& node, std::size_t keys) {
  if (budget_.count() <= 0 && keys_per_second_ <= 0) return ticket(nullptr, {});
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] {
    const int limit = pace_ladder()[level_.load()].bursts;
    return stopping_ || limit == 0 || (in_flight_ < limit && (node.empty() || !busy_.contains(node)));
  });
  ++in_flight_;
  // counted even when unlimited, so that a pace change down to a limit sees every burst
  if (!node.empty()) ++busy_[node];
  if (keys_per_second_ > 0 && keys > 0) {
    const clock::time_point start = std::max(clock::now(), next_keys_);
    next_keys_ = start + std::chrono::duration_cast<clock::duration>(
                             std::chrono::duration<double>(static_cast<double>(keys) / keys_per_second_));
    lock.unlock();
    std::this_thread::sleep_until(start);
  }
  return ticket(this, node);
}

pacer::ticket::~ticket() {
  if (p_ != nullptr) p_->release(node_);
}

void pacer::release(const std::string& node) {
  {
    const std::lock_guard lock(mutex_);
    --in_flight_;
    if (!node.empty()) {
      const auto it = busy_.find(node);
      if (--it->second == 0) busy_.erase(it);
    }
  }
  changed_.notify_all();
}

pacer::summary pacer::totals() const {
  const std::lock_guard lock(mutex_);
  summary s;
  s.samples = samples_;
  s.max_us = max_us_;
  if (samples_ == 0) return s;
  const std::size_t rank = rank_99(samples_);
  std::size_t seen = 0;
  for (std::size_t b = 0; b < histogram_.size(); ++b) {
    seen += histogram_[b];
    if (seen >= rank) {
      s.p99_us = std::min(static_cast<std::int64_t>(b + 1) * bucket_us, max_us_);
      break;
    }
  }
  return s;
}

void pacer::run_probe(probe& p) {
  std::optional<connection> c;
  while (!stopping_) {
    const clock::time_point started = clock::now();
    clock::time_point next = started + probe_interval;
    try {
      if (!c) c.emplace(p.where.host, p.where.port, p.options);
      const clock::time_point sent = clock::now();
      (void)c->command({"PING"});
      const clock::time_point answered = clock::now();
      record(p, answered, std::chrono::duration_cast<microseconds>(answered - sent).count());
    } catch (const std::exception&) {
      c.reset();  // the migration reports the node's failure; the probe tries again later
      next = started + 10 * probe_interval;
    }
    std::unique_lock lock(mutex_);
    wake_.wait_until(lock, next, [&] { return stopping_.load(); });
  }
}

void pacer::record(probe& p, clock::time_point at, std::int64_t us) {
  {
    const std::lock_guard lock(p.mutex);
    p.recent.emplace_back(at, us);
    while (!p.recent.empty() && at - p.recent.front().first > window) p.recent.pop_front();
  }
  const std::lock_guard lock(mutex_);
  ++samples_;
  max_us_ = std::max(max_us_, us);
  histogram_[std::min(static_cast<std::size_t>(us / bucket_us), histogram_.size() - 1)] += 1;
}

void pacer::control_loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, control_interval, [&] { return stopping_.load(); });
    if (stopping_) break;
    lock.unlock();
    decide(clock::now());
    lock.lock();
  }
}

void pacer::decide(clock::time_point now) {
  clock::time_point since;
  {
    const std::lock_guard lock(mutex_);
    since = std::max(level_since_, now - window);
  }
  std::vector<std::int64_t> samples;
  for (const auto& p : probes_) {
    const std::lock_guard lock(p->mutex);
    for (const auto& [at, us] : p->recent)
      if (at >= since) samples.push_back(us);
  }
  const std::size_t n = samples.size();
  const std::int64_t p99 = percentile_99(std::move(samples));
  const std::size_t level = level_.load();
  const std::int64_t budget = budget_.count();
  std::optional<std::size_t> next;
  if (n >= samples_to_slow && p99 > budget && level > 0) {
    next = level - ((p99 > 2 * budget && level > 1) ? 2 : 1);
  } else if (n >= samples_to_speed && 5 * p99 <= 3 * budget && level + 1 < pace_ladder().size()) {
    const std::lock_guard lock(mutex_);
    if (now - level_since_ >= time_to_speed) next = level + 1;
  }
  if (next) {
    {
      const std::lock_guard lock(mutex_);
      level_ = *next;
      level_since_ = now;
    }
    changed_.notify_all();
    announce(p99);
    return;
  }
  if (n > 0 && now - last_announced_ >= window) announce(p99);
}

void pacer::announce(std::optional<std::int64_t> p99_us) {
  last_announced_ = clock::now();
  const std::size_t level = level_.load();
  progress_event e;
  e.what = progress_event::kind::pace;
  e.done = level + 1;
  e.total = pace_ladder().size();
  e.latency_ms = static_cast<double>(p99_us.value_or(0)) / 1000.0;
  e.message = "pace " + std::to_string(level + 1) + "/" + std::to_string(pace_ladder().size()) + " (" +
              describe(current()) + "); " + (p99_us ? "probe p99 " + milliseconds_text(*p99_us) : "no probe sample yet") +
              ", budget " + milliseconds_text(budget_.count());
  rep_.progress(std::move(e));
}

}  // namespace rcplan::redis::detail
