#pragma once

// Test support for the operator's end-to-end tests: `rcplan operator` as a process of its own
// (so it can be stopped with SIGTERM or killed with SIGKILL at any moment), its HTTP endpoints,
// waits on the resource's status, and the keys a cluster holds. Needs RCPLAN_CLI.

#include "kubernetes/agent_env.hpp"
#include "kubernetes/kube_env.hpp"

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/redis/client.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace rcplan_kube_test {

/// A process of the built `rcplan` binary running in the background, its output in a file.
class cli_process {
 public:
  explicit cli_process(const std::vector<std::string>& args, const std::filesystem::path& log) : log_(log) {
    std::vector<std::string> argv{RCPLAN_CLI};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (std::string& a : argv) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    const int rc = posix_spawn(&pid_, cargv[0], &fa, nullptr, cargv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  }
  cli_process(const cli_process&) = delete;
  cli_process& operator=(const cli_process&) = delete;
  ~cli_process() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      (void)wait_exit(std::chrono::seconds(10));
    }
  }

  void signal(int sig) const { ::kill(pid_, sig); }

  /// Waits for the process to end; its exit code, -1 if it did not end in time (or was killed).
  int wait_exit(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (pid_ > 0) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        pid_ = -1;
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) return -1;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return exit_code_;
  }
  [[nodiscard]] bool running() const { return pid_ > 0; }

  [[nodiscard]] std::string output() const {
    std::ifstream in(log_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

 private:
  std::filesystem::path log_;
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

/// `rcplan operator` for one namespace, with a short resync and an HTTP port of its own.
inline std::unique_ptr<cli_process> start_operator(const std::string& ns, const std::filesystem::path& log,
                                                   const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args{"operator",          "--kubeconfig",
                                admin_kubeconfig().string(), "--namespace",
                                ns,                  "--resync-seconds",
                                "2",                 "--metrics-addr",
                                "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<cli_process>(args, log);
}

/// The operator's HTTP port, from its log; 0 until it has started.
inline std::uint16_t http_port_of(const cli_process& p) {
  static const std::regex port_line("/metrics on port ([0-9]+)");
  std::smatch m;
  const std::string out = p.output();
  if (!std::regex_search(out, m, port_line)) return 0;
  return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

/// GET http://127.0.0.1:port/path: the status code and body ("" and 0 when unreachable).
inline std::pair<int, std::string> http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {0, {}};
  }
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: test\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string resp;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  const auto sp = resp.find(' ');
  const auto body = resp.find("\r\n\r\n");
  if (sp == std::string::npos || body == std::string::npos) return {0, {}};
  return {std::stoi(resp.substr(sp + 1, 3)), resp.substr(body + 4)};
}

inline nlohmann::json get_drc(rcplan::kubernetes::client& c, const std::string& ns, const std::string& name) {
  return c.get(rcplan::kubernetes::kinds::distributed_redis_cluster, ns, name);
}

/// The resource's status says Healthy for its current generation.
inline bool healthy(const nlohmann::json& drc) {
  const nlohmann::json st = drc.value("status", nlohmann::json::object());
  return st.value("status", "") == "Healthy" &&
         st.value("observedGeneration", std::int64_t{-1}) == drc["metadata"].value("generation", std::int64_t{0});
}

/// Waits until the resource is Healthy at its current generation.
inline bool eventually_healthy(rcplan::kubernetes::client& c, const std::string& ns, const std::string& name,
                               std::chrono::seconds limit = std::chrono::seconds(180)) {
  return eventually([&] { return healthy(get_drc(c, ns, name)); }, limit);
}

/// The addresses of the cluster's running pods (what the client Service selects).
inline std::vector<rcplan::address> pod_addresses(rcplan::kubernetes::client& c, const std::string& ns,
                                                  const std::string& cluster) {
  rcplan::kubernetes::list_options lo;
  lo.label_selector = std::string("redis.kun/name=") + cluster;
  const nlohmann::json pods = c.list(rcplan::kubernetes::kinds::pod, ns, lo);
  std::vector<rcplan::address> out;
  for (const nlohmann::json& p : pods["items"]) {
    const std::string ip = p.value("status", nlohmann::json::object()).value("podIP", "");
    if (!ip.empty() && !p["metadata"].contains("deletionTimestamp")) out.push_back(rcplan::address{ip, 6379, 16379, ""});
  }
  return out;
}

/// A cluster client seeded with the cluster's pods.
inline rcplan::redis::cluster_client cluster_client_of(rcplan::kubernetes::client& c, const std::string& ns,
                                                      const std::string& cluster, const std::string& password = {}) {
  rcplan::redis::client_options o;
  o.password = rcplan::redis::secret{password};
  return rcplan::redis::cluster_client(pod_addresses(c, ns, cluster), o);
}

/// Writes keys k:0 .. k:n-1 with values v:i.
inline void load_keys(rcplan::redis::cluster_client& cc, int n) {
  std::vector<rcplan::redis::command_args> batch;
  for (int i = 0; i < n; ++i) batch.push_back({"SET", "k:" + std::to_string(i), "v:" + std::to_string(i)});
  for (const rcplan::redis::reply& r : cc.run(batch)) REQUIRE(r.is_ok());
}

/// How many of keys k:0 .. k:n-1 are missing or hold the wrong value.
inline int missing_keys(rcplan::redis::cluster_client& cc, int n) {
  std::vector<rcplan::redis::command_args> batch;
  for (int i = 0; i < n; ++i) batch.push_back({"GET", "k:" + std::to_string(i)});
  const std::vector<rcplan::redis::reply> replies = cc.run(batch);
  int missing = 0;
  for (int i = 0; i < n; ++i) missing += replies[static_cast<std::size_t>(i)].str == "v:" + std::to_string(i) ? 0 : 1;
  return missing;
}

}  // namespace rcplan_kube_test
