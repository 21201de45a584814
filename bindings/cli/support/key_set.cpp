#include "key_set.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace rcplan::cli {

std::string key_name(const key_set& keys, std::size_t i) { return keys.prefix + std::to_string(i); }

std::string key_value(const key_set& keys, std::size_t i) {
  std::string v = std::to_string(i) + ':';
  // a pattern that depends on the number, so that two values differ beyond their prefix
  for (std::size_t k = 0; v.size() < keys.value_size; ++k) v += static_cast<char>('a' + (i + k) % 26);
  v.resize(std::max(keys.value_size, std::to_string(i).size() + 1));
  return v;
}

namespace {

constexpr std::size_t batch = 10000;

}  // namespace

void load_keys(redis::cluster_client& client, const key_set& keys, const std::function<void(std::size_t)>& on_progress) {
  std::vector<std::vector<std::string>> commands;
  for (std::size_t from = 0; from < keys.count; from += batch) {
    const std::size_t to = std::min(keys.count, from + batch);
    commands.clear();
    for (std::size_t i = from; i < to; ++i) commands.push_back({"SET", key_name(keys, i), key_value(keys, i)});
    (void)client.run(commands);
    if (on_progress) on_progress(to);
  }
}

verify_result verify_keys(redis::cluster_client& client, const key_set& keys) {
  verify_result out;
  std::vector<std::vector<std::string>> commands;
  for (std::size_t from = 0; from < keys.count; from += batch) {
    const std::size_t to = std::min(keys.count, from + batch);
    commands.clear();
    for (std::size_t i = from; i < to; ++i) commands.push_back({"GET", key_name(keys, i)});
    const std::vector<redis::reply> replies = client.run(commands);
    for (std::size_t i = from; i < to; ++i) {
      const redis::reply& r = replies[i - from];
      if (r.type == redis::reply::kind::string) ++(r.str == key_value(keys, i) ? out.present : out.wrong);
      else if (r.type == redis::reply::kind::nil) ++out.missing;
      else ++out.errors;
    }
  }
  for (const std::string& m : client.masters()) {
    const redis::reply r = client.call_node(m, {"DBSIZE"});
    if (r.type == redis::reply::kind::integer) out.dbsize += r.integer;
  }
  return out;
}

latency_summary summarize_latency(std::vector<std::uint32_t>& micros) {
  latency_summary out;
  if (micros.empty()) return out;
  std::sort(micros.begin(), micros.end());
  const auto rank = [&](double q) {
    const auto n = static_cast<double>(micros.size());
    const auto i = static_cast<std::size_t>(std::ceil(q * n));
    return static_cast<double>(micros[std::min(micros.size(), std::max<std::size_t>(i, 1)) - 1]) / 1000.0;
  };
  out.p50_ms = rank(0.5);
  out.p99_ms = rank(0.99);
  out.p999_ms = rank(0.999);
  out.max_ms = static_cast<double>(micros.back()) / 1000.0;
  return out;
}

traffic_result run_traffic(redis::cluster_client& client, const key_set& keys, std::chrono::milliseconds duration,
                           const std::atomic<bool>& stop) {
  traffic_result out;
  if (keys.count == 0) return out;
  std::mt19937_64 random{42};
  std::uniform_int_distribution<std::size_t> pick(0, keys.count - 1);
  std::vector<std::uint32_t> micros;
  const auto started = std::chrono::steady_clock::now();
  while (!stop.load() && std::chrono::steady_clock::now() - started < duration) {
    const std::size_t i = pick(random);
    const auto sent = std::chrono::steady_clock::now();
    if (out.reads <= out.writes * 3) {  // three reads to a write, like a cache
      const redis::reply r = client.call({"GET", key_name(keys, i)});
      ++out.reads;
      if (r.type != redis::reply::kind::error && (r.type != redis::reply::kind::string || r.str != key_value(keys, i)))
        ++out.wrong_values;
    } else {
      (void)client.call({"SET", key_name(keys, i), key_value(keys, i)});
      ++out.writes;
    }
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent);
    micros.push_back(static_cast<std::uint32_t>(std::min<long long>(took.count(), UINT32_MAX)));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out.latency = summarize_latency(micros);
  return out;
}

}  // namespace rcplan::cli
