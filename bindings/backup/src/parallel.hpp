#pragma once

// Runs a job per item on a few threads, each item once, and reports every item's failure
// rather than the first: a backup that fails on two shards says so for both.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <thread>
#include <vector>

namespace rcplan::backup::detail {

/// Calls `job(i)` for i in [0, n) on at most `max_parallel` threads; the result holds what each
/// call threw (null where it succeeded).
template <typename Job>
[[nodiscard]] std::vector<std::exception_ptr> run_parallel(std::size_t n, std::size_t max_parallel, Job&& job) {
  std::vector<std::exception_ptr> failures(n);
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        failures[i] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  const std::size_t count = std::min(n, std::max<std::size_t>(1, max_parallel));
  for (std::size_t t = 1; t < count; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  return failures;
}

}  // namespace rcplan::backup::detail
