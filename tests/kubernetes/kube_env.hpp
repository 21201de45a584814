#pragma once

// Test support for the Kubernetes binding: the real control plane that the ctest fixture
// `kube` starts (scripts/kube-testenv.sh up), a client of it as its admin, and a namespace of
// each test's own that is deleted however the test ends.
//
// Where the control plane cannot be built (no Go toolchain new enough), the fixture writes the
// reason to DIR/unavailable: a test then reports itself skipped with that reason (exit 77,
// which ctest counts as skipped), or fails under CI=true, where a skip is not acceptable.

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/config.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/redis/platform.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <thread>

namespace rcplan_kube_test {

inline std::filesystem::path testenv_dir() { return RCPLAN_KUBE_TESTENV_DIR; }

inline std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Ends the test as skipped (or, under CI=true, failed) when the control plane is unavailable.
inline void require_testenv() {
  const std::filesystem::path unavailable = testenv_dir() / "unavailable";
  if (!std::filesystem::exists(unavailable)) return;
  const std::string reason = read_text(unavailable);
  const char* ci = std::getenv("CI");
  if (ci != nullptr && std::string(ci) == "true") FAIL("the Kubernetes control plane is unavailable under CI: " << reason);
  std::cerr << "SKIPPED: the Kubernetes control plane is unavailable: " << reason << std::endl;
  std::_Exit(77);
}

inline std::filesystem::path admin_kubeconfig() {
  require_testenv();
  const std::filesystem::path p = testenv_dir() / "kubeconfig";
  REQUIRE(std::filesystem::exists(p));
  return p;
}

inline rcplan::kubernetes::cluster_access admin_access() { return rcplan::kubernetes::load_kubeconfig(admin_kubeconfig()); }

inline rcplan::kubernetes::client admin() { return rcplan::kubernetes::client(admin_access()); }

/// Polls `done` every 100 ms for up to `limit`.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

/// Every object of a cluster applied through `platform`, as a creation plan's first waves do.
inline void apply_all(rcplan::redis::platform& platform, const rcplan::kube_objects& objects) {
  platform.apply(rcplan::apply_configmap{objects.configmap});
  for (const auto& s : objects.services) platform.apply(rcplan::apply_service{s});
  for (const auto& p : objects.pdbs) platform.apply(rcplan::apply_pdb{p});
  for (const auto& s : objects.statefulsets) platform.apply(rcplan::apply_statefulset{s});
}

/// A namespace of the test's own, deleted when the test ends.
class test_namespace {
 public:
  explicit test_namespace(rcplan::kubernetes::client& c, const std::string& tag) : c_(c) {
    std::random_device rd;
    name_ = "t-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 100000);
    c_.apply({{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name_}}}});
  }
  test_namespace(const test_namespace&) = delete;
  test_namespace& operator=(const test_namespace&) = delete;
  ~test_namespace() {
    try {
      (void)c_.remove(rcplan::kubernetes::kinds::namespace_kind, "", name_);
    } catch (...) {
    }
  }
  [[nodiscard]] const std::string& name() const noexcept { return name_; }

 private:
  rcplan::kubernetes::client& c_;
  std::string name_;
};

}  // namespace rcplan_kube_test
