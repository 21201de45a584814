#include "process.hpp"

#include <rcplan/error.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

namespace rcplan::local::detail {
namespace {

using clock = std::chrono::steady_clock;

/// Binds `ip`:`port` (0: the kernel picks) and returns the bound port, 0 on failure.
std::uint16_t try_bind(std::uint16_t port, in_addr_t ip = htonl(INADDR_LOOPBACK)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  // As Redis binds: a port whose old connections linger in TIME_WAIT is free to listen on.
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = ip;
  addr.sin_port = htons(port);
  std::uint16_t out = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) out = ntohs(addr.sin_port);
  }
  ::close(fd);
  return out;
}

std::string read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

/// The state letter of a /proc stat line: "pid (comm) S ...", after the last ')' as comm may
/// hold anything; 0 when the line is not one.
char state_of(const std::string& stat) {
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '\0' : stat[close + 2];
}

bool exited(char state) { return state == 'Z' || state == 'X'; }

/// Whether any thread of `proc` has not exited yet. A killed redis-server's main thread turns
/// zombie before its other threads have exited, and those still hold the listening socket,
/// which goes on completing connections until the last thread is gone.
bool some_thread_running(const std::filesystem::path& proc) {
  std::error_code ec;
  for (const auto& task : std::filesystem::directory_iterator(proc / "task", ec))
    if (!exited(state_of(read_small_file(task.path() / "stat")))) return true;
  return false;
}

bool wait_gone(pid_t pid, std::chrono::milliseconds limit) {
  const auto until = clock::now() + limit;
  while (redis_alive(pid)) {
    if (clock::now() >= until) return false;
    sleep_ms(10);
  }
  return true;
}

}  // namespace

std::optional<std::filesystem::path> find_executable(const std::string& name) {
  const auto runnable = [](const std::filesystem::path& p) {
    return ::access(p.c_str(), X_OK) == 0 && !std::filesystem::is_directory(p);
  };
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (runnable(name)) return std::filesystem::path(name);
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string_view rest = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  while (true) {
    const auto colon = rest.find(':');
    const std::string_view entry = rest.substr(0, colon);
    const std::filesystem::path candidate = std::filesystem::path(entry.empty() ? "." : std::string(entry)) / name;
    if (runnable(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

bool port_free(std::uint16_t port) { return port != 0 && try_bind(port) == port; }

bool port_free(const std::string& ip, std::uint16_t port) {
  in_addr a{};
  return port != 0 && ::inet_pton(AF_INET, ip.c_str(), &a) == 1 && try_bind(port, a.s_addr) == port;
}

std::uint16_t pick_port(const std::set<std::uint16_t>& taken) {
  constexpr std::uint16_t max_port = 55535;  // its bus port, port + 10000, must exist too
  for (int attempt = 0; attempt < 200; ++attempt) {
    const std::uint16_t p = try_bind(0);
    if (p == 0 || p > max_port || p < 1024) continue;
    const auto bus = static_cast<std::uint16_t>(p + 10000);
    if (taken.count(p) != 0 || taken.count(bus) != 0) continue;
    if (!port_free(bus)) continue;
    return p;
  }
  throw error("rcplan.local.port", "no free loopback port (with a free port + 10000 for the cluster bus) found");
}

run_result run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  int out[2];
  if (argv.empty() || ::pipe2(out, O_CLOEXEC) != 0) return {};
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t child = ::fork();
  if (child < 0) {
    ::close(out[0]);
    ::close(out[1]);
    return {};
  }
  if (child == 0) {
    // Only async-signal-safe calls between fork and exec.
    ::umask(077);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    // A daemon must not keep our sockets, lock files or pipes open for its whole life.
    ::close_range(3, ~0U, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);

  run_result r;
  const auto until = clock::now() + timeout;
  bool timed_out = false;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{out[0], POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      timed_out = n == 0;
      break;
    }
    char buf[4096];
    const ssize_t got = ::read(out[0], buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // EOF: every writer (the daemon too) closed it
    if (r.output.size() < 65536) r.output.append(buf, static_cast<std::size_t>(got));
  }
  ::close(out[0]);
  if (timed_out) {
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return r;
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return r;
}

std::optional<pid_t> read_pid_file(const std::filesystem::path& path) {
  const std::string text = read_small_file(path);
  if (text.empty()) return std::nullopt;
  try {
    const long v = std::stol(text);
    if (v <= 1) return std::nullopt;
    return static_cast<pid_t>(v);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool redis_alive(pid_t pid) {
  // EPERM: some other user's process that recycled the pid, not ours
  if (pid <= 1 || ::kill(pid, 0) != 0) return false;
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  const std::string stat = read_small_file(proc / "stat");
  if (stat.empty()) return true;  // no /proc: trust kill()
  const char st = state_of(stat);
  if (st == '\0') return false;
  if (exited(st)) return some_thread_running(proc);
  const std::string cmdline = read_small_file(proc / "cmdline");
  const std::string comm = stat.substr(0, stat.rfind(')'));
  return cmdline.find("redis") != std::string::npos || comm.find("redis") != std::string::npos;
}

void stop_process(pid_t pid, std::chrono::milliseconds grace) {
  if (!redis_alive(pid)) return;
  ::kill(pid, SIGTERM);
  if (wait_gone(pid, grace)) return;
  kill_process(pid);
}

void kill_process(pid_t pid) {
  if (!redis_alive(pid)) return;
  ::kill(pid, SIGKILL);
  (void)wait_gone(pid, std::chrono::seconds(5));
}

std::string tail_lines(const std::filesystem::path& path, std::size_t n) {
  std::ifstream in(path);
  if (!in) return {};
  std::deque<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(std::move(line));
    if (lines.size() > n) lines.pop_front();
  }
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

void write_private_file(const std::filesystem::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw error("rcplan.local.pod", "cannot write " + path.string() + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  std::size_t done = 0;
  bool ok = true;
  while (ok && done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ::close(fd) == 0 && ok;
  if (!ok) throw error("rcplan.local.pod", "cannot write " + path.string() + ": " + std::strerror(errno));
}

}  // namespace rcplan::local::detail
