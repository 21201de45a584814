#include <rcplan/controller/work_queue.hpp>

#include <algorithm>

namespace rcplan::controller {

void work_queue::add_at(const std::string& key, clock::time_point at) {
  {
    const std::lock_guard<std::mutex> g(mu_);
    if (shut_down_) return;
    const auto [it, fresh] = waiting_.try_emplace(key, at);
    if (!fresh) it->second = std::min(it->second, at);
  }
  cv_.notify_all();
}

void work_queue::add(const std::string& key) { add_at(key, clock::now()); }

void work_queue::add_after(const std::string& key, std::chrono::milliseconds delay) {
  add_at(key, clock::now() + delay);
}

void work_queue::add_rate_limited(const std::string& key) {
  std::chrono::milliseconds delay{};
  {
    const std::lock_guard<std::mutex> g(mu_);
    const int n = failures_[key]++;
    delay = o_.base;
    for (int i = 0; i < n && delay < o_.max; ++i) delay *= 2;
    delay = std::min(delay, o_.max);
  }
  add_after(key, delay);
}

void work_queue::forget(const std::string& key) {
  const std::lock_guard<std::mutex> g(mu_);
  failures_.erase(key);
}

int work_queue::failures(const std::string& key) const {
  const std::lock_guard<std::mutex> g(mu_);
  const auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::string> work_queue::get(std::chrono::milliseconds limit) {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = clock::now() + limit;
  while (!shut_down_) {
    const auto now = clock::now();
    auto next = deadline;
    // The earliest ready key no worker holds; ties go by key, so the order is deterministic.
    auto pick = waiting_.end();
    for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
      if (held_.count(it->first) != 0) continue;
      if (it->second <= now && (pick == waiting_.end() || it->second < pick->second)) pick = it;
      if (it->second > now) next = std::min(next, it->second);
    }
    if (pick != waiting_.end()) {
      std::string key = pick->first;
      waiting_.erase(pick);
      held_.insert(key);
      return key;
    }
    if (now >= deadline) return std::nullopt;
    cv_.wait_until(lock, next);
  }
  return std::nullopt;
}

void work_queue::done(const std::string& key) {
  {
    const std::lock_guard<std::mutex> g(mu_);
    held_.erase(key);
  }
  cv_.notify_all();  // the key may be waiting again
}

void work_queue::shut_down() {
  {
    const std::lock_guard<std::mutex> g(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

std::size_t work_queue::size() const {
  const std::lock_guard<std::mutex> g(mu_);
  return waiting_.size();
}

}  // namespace rcplan::controller
