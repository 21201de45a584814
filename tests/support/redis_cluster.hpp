#pragma once

// Test support: a real Redis Cluster made of local redis-server processes.

#include "support/redis_server.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rcplan_test {

/// Retries `pred` until it holds or `timeout` passes.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    try {
      if (pred()) return true;
    } catch (const std::exception&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

class redis_cluster {
 public:
  /// `masters` masters with contiguous, even slot ranges and `replicas` replicas each. With
  /// `masters == 0` the nodes are started and met but no slots are assigned.
  redis_cluster(int masters, int replicas, int spare_masters = 0) {
    const int total = masters * (1 + replicas) + spare_masters;
    for (int i = 0; i < total; ++i) nodes_.push_back(std::make_unique<redis_process>());
    for (int i = 0; i < total; ++i) ids_.push_back(client(i).call({"CLUSTER", "MYID"}));
    for (int i = 1; i < total; ++i)
      client(i).call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(nodes_[0]->port())});
    wait_all_known();
    for (int m = 0; m < masters; ++m) {
      const long first = 16384L * m / masters, last = 16384L * (m + 1) / masters - 1;
      client(m).call({"CLUSTER", "ADDSLOTSRANGE", std::to_string(first), std::to_string(last)});
    }
    for (int m = 0; m < masters; ++m)
      for (int r = 0; r < replicas; ++r) {
        const int idx = masters + m * replicas + r;
        // the replica must know its master as a master with slots before it can follow it
        eventually([&] { return client(idx).command({"CLUSTER", "REPLICATE", ids_[static_cast<std::size_t>(m)]}).type == reply::kind::status; });
      }
    if (masters > 0 && !eventually([&] { return all_ok(); }, std::chrono::seconds(30)))
      throw std::runtime_error("cluster did not reach cluster_state:ok");
  }

  [[nodiscard]] int size() const noexcept { return static_cast<int>(nodes_.size()); }
  [[nodiscard]] redis_process& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] resp_client client(int i) const { return nodes_.at(static_cast<std::size_t>(i))->client(); }
  [[nodiscard]] const std::string& id(int i) const { return ids_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] std::uint16_t port(int i) const { return nodes_.at(static_cast<std::size_t>(i))->port(); }
  [[nodiscard]] std::string cluster_nodes(int i) const { return client(i).call({"CLUSTER", "NODES"}); }

  void wait_all_known() {
    const auto n = std::to_string(nodes_.size());
    for (int i = 0; i < size(); ++i)
      if (!eventually([&] { return known(i) == nodes_.size(); }))
        throw std::runtime_error("nodes did not learn each other");
  }
  [[nodiscard]] std::size_t known(int i) const {
    const std::string text = cluster_nodes(i);
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return text.find("handshake") == std::string::npos ? lines : 0;
  }
  [[nodiscard]] bool all_ok() const {
    for (int i = 0; i < size(); ++i) {
      if (!nodes_[static_cast<std::size_t>(i)]->running()) continue;
      if (client(i).call({"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) return false;
    }
    return true;
  }

 private:
  std::vector<std::unique_ptr<redis_process>> nodes_;
  std::vector<std::string> ids_;
};

}  // namespace rcplan_test
