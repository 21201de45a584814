#pragma once

// The operator's metrics, served at /metrics in the Prometheus text format (version 0.0.4):
//   rcplan_reconcile_total{result}            passes by result (converged, progressing,
//                                             waiting, blocked, invalid, error)
//   rcplan_reconcile_duration_seconds         a histogram of pass durations
//   rcplan_slots_moved_total, rcplan_keys_moved_total
//   rcplan_cluster_status{namespace,name,status}  1 for each resource's current status
//   rcplan_cluster_masters{namespace,name}    numberOfMaster of each resource
//   rcplan_leader                             1 while this replica holds the Lease

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::controller {

class metrics {
 public:
  void count_reconcile(const std::string& result, std::chrono::duration<double> took);
  void add_moved(std::size_t slots, std::size_t keys);
  void set_cluster(const std::string& ns, const std::string& name, const std::string& status, int masters);
  void forget_cluster(const std::string& ns, const std::string& name);
  void set_leader(bool leader);

  /// Everything in the Prometheus text format, families and series in a fixed order.
  [[nodiscard]] std::string render() const;

  /// The upper bounds of the duration histogram's buckets, in seconds.
  static const std::vector<double>& duration_buckets();

 private:
  struct cluster_series {
    std::string status;
    int masters = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> reconciles_;
  std::vector<std::uint64_t> bucket_counts_ = std::vector<std::uint64_t>(duration_buckets().size(), 0);
  std::uint64_t duration_count_ = 0;
  double duration_sum_ = 0;
  std::uint64_t slots_moved_ = 0;
  std::uint64_t keys_moved_ = 0;
  std::map<std::pair<std::string, std::string>, cluster_series> clusters_;
  bool leader_ = false;
};

}  // namespace rcplan::controller
