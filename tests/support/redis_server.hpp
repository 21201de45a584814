#pragma once

// Test support: real redis-server processes on free loopback ports, and a minimal RESP client
// to talk to them. Servers are killed and their work directories removed on destruction.

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
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rcplan_test {

struct reply {
  enum class kind { status, error, integer, bulk, nil, array } type = kind::nil;
  std::string str;
  long long integer = 0;
  std::vector<reply> elements;

  [[nodiscard]] bool is_error() const { return type == kind::error; }
};

/// A blocking RESP2 client, enough for tests.
class resp_client {
 public:
  resp_client() = default;
  explicit resp_client(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
    }
  }
  resp_client(const resp_client&) = delete;
  resp_client& operator=(const resp_client&) = delete;
  resp_client(resp_client&& o) noexcept : fd_(o.fd_), buf_(std::move(o.buf_)) { o.fd_ = -1; }
  resp_client& operator=(resp_client&& o) noexcept {
    std::swap(fd_, o.fd_);
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~resp_client() {
    if (fd_ >= 0) ::close(fd_);
  }

  reply command(const std::vector<std::string>& argv) {
    send(encode(argv));
    return read_reply();
  }
  /// Sends all commands, then reads all replies (one round trip).
  std::vector<reply> pipeline(const std::vector<std::vector<std::string>>& commands) {
    std::string out;
    for (const auto& c : commands) out += encode(c);
    send(out);
    std::vector<reply> replies;
    replies.reserve(commands.size());
    for (std::size_t i = 0; i < commands.size(); ++i) replies.push_back(read_reply());
    return replies;
  }
  /// Like command(), but throws on an error reply.
  std::string call(const std::vector<std::string>& argv) {
    reply r = command(argv);
    if (r.is_error()) throw std::runtime_error(argv.front() + ": " + r.str);
    return r.type == reply::kind::integer ? std::to_string(r.integer) : r.str;
  }

 private:
  static std::string encode(const std::vector<std::string>& argv) {
    std::string out = "*" + std::to_string(argv.size()) + "\r\n";
    for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    return out;
  }
  void send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      sent += static_cast<std::size_t>(n);
    }
  }
  void fill() {
    char tmp[65536];
    const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("connection closed or timed out");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
  std::string read_line() {
    std::size_t pos;
    while ((pos = buf_.find("\r\n")) == std::string::npos) fill();
    std::string line = buf_.substr(0, pos);
    buf_.erase(0, pos + 2);
    return line;
  }
  reply read_reply() {
    const std::string line = read_line();
    if (line.empty()) throw std::runtime_error("empty RESP line");
    reply r;
    const std::string rest = line.substr(1);
    switch (line[0]) {
      case '+': r.type = reply::kind::status; r.str = rest; break;
      case '-': r.type = reply::kind::error; r.str = rest; break;
      case ':': r.type = reply::kind::integer; r.integer = std::stoll(rest); break;
      case '$': {
        const long long len = std::stoll(rest);
        if (len < 0) { r.type = reply::kind::nil; break; }
        const auto n = static_cast<std::size_t>(len);
        while (buf_.size() < n + 2) fill();
        r.type = reply::kind::bulk;
        r.str = buf_.substr(0, n);
        buf_.erase(0, n + 2);
        break;
      }
      case '*': {
        const long long len = std::stoll(rest);
        if (len < 0) { r.type = reply::kind::nil; break; }
        r.type = reply::kind::array;
        for (long long i = 0; i < len; ++i) r.elements.push_back(read_reply());
        break;
      }
      default: throw std::runtime_error("bad RESP line: " + line);
    }
    return r;
  }

  int fd_ = -1;
  std::string buf_;
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

/// One real redis-server process in its own temporary directory.
class redis_process {
 public:
  explicit redis_process(bool cluster_enabled = true, std::vector<std::string> extra = {}) {
    if (!have_redis_server())
      throw std::runtime_error("redis-server not found on PATH (apt-get install -y redis-server)");
    char tmpl[] = "/tmp/rcplan-test-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    for (int attempt = 0; attempt < 20; ++attempt) {
      port_ = free_port();
      if (port_ > 55535) continue;  // the bus port is port + 10000
      std::vector<std::string> args = {"redis-server", "--port", std::to_string(port_),
                                       "--bind", "127.0.0.1", "--dir", dir_.string(),
                                       "--save", "", "--appendonly", "no",
                                       "--logfile", (dir_ / "redis.log").string(),
                                       "--daemonize", "no"};
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
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] const std::filesystem::path& dir() const noexcept { return dir_; }
  [[nodiscard]] resp_client client() const { return resp_client(port_); }
  [[nodiscard]] bool running() const noexcept { return pid_ > 0; }

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
        resp_client c(port_, std::chrono::seconds(2));
        if (c.command({"PING"}).str == "PONG") return true;
      } catch (const std::exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace rcplan_test
