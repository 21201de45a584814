#pragma once

// Test support for the local runtime: a runtime in its own temporary directory that stops its
// processes and removes the directory however the test ends, the fixture's objects, and polling.

#include <rcplan/yaml/yaml.hpp>
#include "support/redis_server.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/local/runtime.hpp>
#include <rcplan/planner/objects.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace rcplan_test {

inline rcplan::cluster_resource local_fixture(const char* name = "distributedrediscluster.yaml") {
  std::string path = RCPLAN_TEST_DATA_DIR "/fixtures/";  // appended apart: GCC 12 -O3 warns on `+` here
  path += name;
  return rcplan::load_cluster_resource(rcplan::yaml::load_yaml_file(path));
}

inline std::filesystem::path make_temp_dir(const char* tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (std::string("rcplan-") + tag + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

/// A runtime in a fresh directory; its processes are stopped and the directory removed on
/// destruction, also when the test fails.
class local_env {
 public:
  explicit local_env(const char* tag, rcplan::local::runtime_options o = {}) : dir_(make_temp_dir(tag)) {
    o.dir = dir_;
    options_ = o;
    rt_ = std::make_unique<rcplan::local::runtime>(std::move(o));
  }
  local_env(const local_env&) = delete;
  local_env& operator=(const local_env&) = delete;
  ~local_env() {
    try {
      rt_->down(true);
    } catch (...) {
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  rcplan::local::runtime& rt() { return *rt_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }
  /// Options for another runtime on the same directory.
  [[nodiscard]] rcplan::local::runtime_options options() const { return options_; }

 private:
  std::filesystem::path dir_;
  rcplan::local::runtime_options options_;
  std::unique_ptr<rcplan::local::runtime> rt_;
};

/// Polls `done` until it holds or `limit` passes; returns whether it held.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(20)) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline rcplan::topology observe_pods(rcplan::local::runtime& rt) {
  rcplan::topology t;
  rt.observe(t);
  return t;
}

inline const rcplan::pod* find_pod(const rcplan::topology& t, const std::string& name) {
  for (const rcplan::pod& p : t.pods)
    if (p.name == name) return &p;
  return nullptr;
}

/// A client of a pod, authenticated when `password` is given.
inline resp_client pod_client(std::uint16_t port, const std::string& password = {}) {
  resp_client c(port);
  if (!password.empty()) c.call({"AUTH", password});
  return c;
}

}  // namespace rcplan_test
