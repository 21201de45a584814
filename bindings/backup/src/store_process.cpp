#include "store_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <string_view>

extern char** environ;

namespace rcplan::backup::detail {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::size_t output_cap = std::size_t{1} << 20;

/// NULL-terminated pointers into `strings`, built before fork: the child may only make
/// async-signal-safe calls, and allocating is not one.
std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

[[noreturn]] void exec_child(char* const* args, char* const* envp, int out, int err) {
  ::umask(077);
  const int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(out, 1);
  ::dup2(err, 2);
  ::close_range(3, ~0U, 0);
  ::execve(args[0], args, envp);
  ::_exit(127);
}

void append_capped(std::string& to, const char* data, std::size_t n) {
  if (to.size() < output_cap) to.append(data, std::min(n, output_cap - to.size()));
}

/// Reads both pipes until both reach EOF or the deadline passes; false on the deadline.
bool drain(int out_fd, int err_fd, clock::time_point until, child_result& r) {
  std::array<pollfd, 2> fds{pollfd{out_fd, POLLIN, 0}, pollfd{err_fd, POLLIN, 0}};
  std::array<std::string*, 2> sinks{&r.out, &r.err};
  int open_fds = 2;
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
    if (left <= 0) return false;
    const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(left, 60'000)));
    if (n < 0 && errno != EINTR) return false;
    for (std::size_t i = 0; n > 0 && i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[8192];
      const ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got > 0) {
        append_capped(*sinks[i], buf, static_cast<std::size_t>(got));
        continue;
      }
      fds[i].fd = -1;  // poll ignores negative descriptors
      --open_fds;
    }
  }
  return true;
}

int wait_exit(pid_t child) {
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
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
    const auto candidate = std::filesystem::path(entry.empty() ? "." : std::string(entry)) / name;
    if (runnable(candidate)) return candidate;
    if (colon == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(colon + 1);
  }
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) out.emplace_back(*e);
  return out;
}

child_result run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       std::chrono::milliseconds timeout) {
  child_result r;
  int out[2];
  int err[2];
  if (argv.empty() || ::pipe2(out, O_CLOEXEC) != 0) return r;
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return r;
  }
  const std::vector<char*> args = c_strings(argv);
  const std::vector<char*> envp = c_strings(env);
  const pid_t child = ::fork();
  if (child == 0) exec_child(args.data(), envp.data(), out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  if (child < 0) {
    ::close(out[0]);
    ::close(err[0]);
    return r;
  }
  const bool finished = drain(out[0], err[0], clock::now() + timeout, r);
  ::close(out[0]);
  ::close(err[0]);
  if (!finished) {
    ::kill(child, SIGKILL);
    (void)wait_exit(child);
    r.timed_out = true;
    return r;
  }
  r.exit_code = wait_exit(child);
  return r;
}

}  // namespace rcplan::backup::detail
