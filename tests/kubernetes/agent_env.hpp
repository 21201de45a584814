#pragma once

// The local node agent (the stand-in for the kubelet and the scheduler) for the Kubernetes
// tests: on a thread of its own for a test's duration, serving the test's namespace.

#include "kubernetes/kube_env.hpp"

#include <rcplan/local/agent.hpp>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

namespace rcplan_kube_test {

/// The local node agent on a thread of its own for the test's duration, serving one namespace;
/// the redis-server processes it started are stopped with it.
class running_agent {
 public:
  /// `rcplan`: the binary that runs rcplan containers (restore init containers, backup Jobs).
  running_agent(const std::string& ns, const std::filesystem::path& dir, const std::filesystem::path& rcplan = {})
      : dir_(dir) {
    rcplan::local::agent_options o;
    o.dir = dir;
    o.rcplan = rcplan;
    o.namespace_name = ns;
    o.period = std::chrono::milliseconds(200);
    agent_ = std::make_unique<rcplan::local::agent>(admin_access(), o);
    thread_ = std::thread([this] { agent_->run(stop_); });
  }
  running_agent(const running_agent&) = delete;
  running_agent& operator=(const running_agent&) = delete;
  ~running_agent() {
    stop_ = true;
    thread_.join();
    rcplan::local::agent::stop_pods(dir_);
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  [[nodiscard]] const rcplan::local::agent& get() const { return *agent_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<rcplan::local::agent> agent_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace rcplan_kube_test
