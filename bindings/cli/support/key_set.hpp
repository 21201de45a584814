#pragma once

// A numbered set of keys with values derived from their numbers, so that anyone holding the
// count can check, after any amount of resharding, that every key is there with its value.
// Used by the demo and by `rcplan keys` (which the benchmark script uses to load its clusters).

#include <rcplan/redis/client.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace rcplan::cli {

struct key_set {
  std::string prefix = "rcplan:";
  std::size_t count = 0;
  std::size_t value_size = 100;
};

/// "rcplan:17": spread over all slots, since the numbers hash apart.
[[nodiscard]] std::string key_name(const key_set& keys, std::size_t i);

/// `value_size` bytes that start with the key's number: a value moved to the wrong key shows.
[[nodiscard]] std::string key_value(const key_set& keys, std::size_t i);

/// SETs every key of `keys`. `on_progress(done)` after each batch.
void load_keys(redis::cluster_client& client, const key_set& keys, const std::function<void(std::size_t)>& on_progress = {});

struct verify_result {
  std::size_t present = 0;  ///< with the right value
  std::size_t wrong = 0;    ///< present with another value
  std::size_t missing = 0;
  std::size_t errors = 0;   ///< GETs that failed for good
  long long dbsize = 0;     ///< DBSIZE summed over the masters
  [[nodiscard]] bool all_present() const noexcept { return wrong == 0 && missing == 0 && errors == 0; }
};

/// GETs every key of `keys` and compares its value.
[[nodiscard]] verify_result verify_keys(redis::cluster_client& client, const key_set& keys);

/// What the application felt: one command's time, redirections and retries included.
struct latency_summary {
  double p50_ms = 0, p99_ms = 0, p999_ms = 0, max_ms = 0;
};

struct traffic_result {
  std::size_t reads = 0, writes = 0;
  std::size_t wrong_values = 0;  ///< a GET that returned nothing or another value
  double seconds = 0;
  latency_summary latency;
};

/// Percentiles (nearest rank) of command times in microseconds; sorts `micros`.
[[nodiscard]] latency_summary summarize_latency(std::vector<std::uint32_t>& micros);

/// Reads and writes random keys of `keys`, one command at a time like an application, until
/// `duration` passed or `stop` is set, timing each command. The client's counters say what it
/// saw.
[[nodiscard]] traffic_result run_traffic(redis::cluster_client& client, const key_set& keys, std::chrono::milliseconds duration,
                                         const std::atomic<bool>& stop);

}  // namespace rcplan::cli
