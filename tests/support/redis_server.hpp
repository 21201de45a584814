#pragma once

// Test support: real redis-server processes on free loopback ports, and a client to talk to
// them (rcplan::redis's own). Servers are killed and their work directories removed on
// destruction.

#include <rcplan/redis/client.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace rcplan_test {

using reply = rcplan::redis::reply;

/// A blocking client of one node on loopback: rcplan::redis::node_client, plus call() for
/// tests that expect success.
class resp_client {
 public:
  explicit resp_client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10))
      : resp_client("127.0.0.1", port, timeout) {}
  resp_client(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10),
              const rcplan::redis::tls_options& tls = {})
      : node_(rcplan::address{host, port, 0, {}}, options(timeout, tls)) {}

  reply command(const std::vector<std::string>& argv) { return node_.command(argv); }
  /// Sends all commands, then reads all replies (one round trip).
  std::vector<reply> pipeline(const std::vector<std::vector<std::string>>& commands) {
    return node_.pipeline(commands);
  }
  /// Like command(), but throws on an error reply.
  std::string call(const std::vector<std::string>& argv) {
    reply r = command(argv);
    if (r.is_error()) throw std::runtime_error(argv.front() + ": " + r.str);
    return r.type == reply::kind::integer ? std::to_string(r.integer) : r.str;
  }

 private:
  static rcplan::redis::client_options options(std::chrono::milliseconds timeout, const rcplan::redis::tls_options& tls) {
    rcplan::redis::client_options o;
    o.connect_timeout = timeout;
    o.command_timeout = timeout;
    o.tls = tls;
    return o;
  }

  rcplan::redis::node_client node_;
};

/// A port nobody listens on right now (the kernel's pick for an ephemeral bind).
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// Whether a redis-server binary is on PATH.
inline bool have_redis_server() { return std::system("command -v redis-server >/dev/null 2>&1") == 0; }

/// Where a server runs: on loopback beside the tests (the default), or on a host of a
/// test_network (its namespace and address; the port is then the standard one, as every host
/// has its own).
struct host_placement {
  std::string netns;
  std::string address = "127.0.0.1";
};

/// A server that speaks TLS only: what it is started with (given its port), and what its
/// clients connect with (support/test_pki.hpp makes both).
struct tls_server {
  std::function<std::vector<std::string>(std::uint16_t port)> args;
  rcplan::redis::tls_options client;
};

/// One real redis-server process in its own temporary directory.
class redis_process {
 public:
  explicit redis_process(bool cluster_enabled = true, std::vector<std::string> extra = {}, host_placement where = {},
                         const tls_server* tls = nullptr)
      : host_(std::move(where.address)) {
    if (tls != nullptr) tls_ = tls->client;
    if (!have_redis_server())
      throw std::runtime_error("redis-server not found on PATH (apt-get install -y redis-server)");
    char tmpl[] = "/tmp/rcplan-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    for (int attempt = 0; attempt < 20; ++attempt) {
      port_ = where.netns.empty() ? free_port() : std::uint16_t{6379};
      if (port_ > 55535) continue;  // the bus port is port + 10000
      std::vector<std::string> args;
      if (!where.netns.empty()) args = {"ip", "netns", "exec", where.netns};  // which then execs redis-server
      std::vector<std::string> server = {"redis-server", "--port", std::to_string(port_), "--bind", host_,
                                               "--dir", dir_.string(), "--save", "", "--appendonly", "no",
                                               "--logfile", (dir_ / "redis.log").string(), "--daemonize", "no"};
      if (tls != nullptr) {  // the plain port closed, the TLS one open
        const std::vector<std::string> t = tls->args(port_);
        server.insert(server.end(), t.begin(), t.end());
      }
      args.insert(args.end(), server.begin(), server.end());
      if (!where.netns.empty()) args.insert(args.end(), {"--protected-mode", "no"});  // the test's private network
      if (cluster_enabled) {
        for (const char* a : {"--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                              "--cluster-node-timeout", "2000"})
          args.emplace_back(a);
      }
      for (auto& e : extra) args.push_back(e);
      if (spawn(args) && wait_ready()) return;
      kill_now();
    }
    throw std::runtime_error("could not start redis-server on a free port");
  }
  redis_process(const redis_process&) = delete;
  redis_process& operator=(const redis_process&) = delete;
  ~redis_process() {
    kill_now();
    // RCPLAN_TEST_KEEP_DIRS keeps each server's directory (its redis.log) to read after a failure
    if (std::getenv("RCPLAN_TEST_KEEP_DIRS") != nullptr) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] resp_client client() const { return resp_client(host_, port_, std::chrono::seconds(10), tls_); }
  /// How clients reach it: TLS disabled unless it speaks TLS only.
  [[nodiscard]] const rcplan::redis::tls_options& tls() const noexcept { return tls_; }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }
  /// The process, for signals such as SIGSTOP (a frozen node) that leave it running.
  [[nodiscard]] pid_t pid() const noexcept { return pid_; }

  /// SIGKILL, as a crash would.
  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  bool spawn(const std::vector<std::string>& args) {
    std::vector<char*> cargs;
    for (const auto& a : args) cargs.push_back(const_cast<char*>(a.c_str()));
    cargs.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
      ::execvp(cargs[0], cargs.data());
      ::_exit(127);
    }
    return true;
  }
  bool wait_ready() {
    for (int i = 0; i < 200; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      try {
        resp_client c(host_, port_, std::chrono::seconds(2), tls_);
        const reply r = c.command({"PING"});
        if (r.str == "PONG" || r.str.rfind("NOAUTH", 0) == 0) return true;  // up, maybe behind a password
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  std::string host_;
  rcplan::redis::tls_options tls_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace rcplan_test
