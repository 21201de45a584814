#pragma once

// Test support: a local S3-compatible server (s3rver, from npm) on a free loopback port, with
// its data in a temporary directory and one bucket created. scripts/s3-testenv.sh installs it
// into a cache outside the checkout and says where it is. Stopped and removed on destruction.
//
// s3rver checks access key ids but not V4 signatures: a wrong secret key with a known key id
// is accepted. Tests of refused credentials need a wrong key id.

#include "support/required.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rcplan_test {

namespace s3_detail {

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Starts `argv` (looked up on PATH) with stdout and stderr appended to `log`; -1 on failure.
/// The child dies with the test process, so that a crashed test leaves no server behind.
inline pid_t spawn(const std::vector<std::string>& argv, const std::filesystem::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::close(fd);
  return pid;
}

inline int wait_exit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The last few lines of `text`, for failure messages.
inline std::string tail(const std::string& text, std::size_t max_chars = 1500) {
  return text.size() <= max_chars ? text : "..." + text.substr(text.size() - max_chars);
}

inline std::filesystem::path make_temp_dir() {
  char tmpl[] = "/tmp/rcplan-s3-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp failed");
  return tmpl;
}

/// The s3rver program from scripts/s3-testenv.sh, or why there is none (in `reason`).
inline std::string locate_s3rver(const std::filesystem::path& scratch, std::string& reason) {
  const std::filesystem::path out = scratch / "locate.out";
  const std::string script = std::string(RCPLAN_SOURCE_DIR) + "/scripts/s3-testenv.sh";
  const pid_t pid = spawn({script, "path"}, out);
  const int rc = pid < 0 ? -1 : wait_exit(pid);
  std::string text = read_file(out);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (rc == 0) return text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);
  reason = text.empty() ? script + " path failed" : text;
  return {};
}

}  // namespace s3_detail

class s3_server {
 public:
  /// s3rver's built-in account.
  static constexpr const char* access_key_id = "S3RVER";
  static constexpr const char* secret_access_key = "S3RVER";

  /// Starts s3rver with `bucket` created. Throws std::runtime_error; unavailable() tells apart
  /// a machine without s3rver (skip) from a server that would not start (a failure).
  explicit s3_server(std::string bucket = "rcplan-test")
      : bucket_(std::move(bucket)), dir_(s3_detail::make_temp_dir()) {
    try {
      start();
    } catch (...) {
      stop();
      throw;
    }
  }
  s3_server(const s3_server&) = delete;
  s3_server& operator=(const s3_server&) = delete;
  ~s3_server() { stop(); }

  /// Why s3rver cannot run on this machine (node or the package missing); empty when it can.
  [[nodiscard]] static std::string unavailable() {
    const std::filesystem::path scratch = s3_detail::make_temp_dir();
    std::string reason;
    (void)s3_detail::locate_s3rver(scratch, reason);
    std::error_code ec;
    std::filesystem::remove_all(scratch, ec);
    return reason;
  }

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] const std::string& bucket() const noexcept { return bucket_; }
  /// Where s3rver keeps the objects: <data_dir>/<bucket>/<key>._S3rver_object and metadata.
  [[nodiscard]] std::filesystem::path data_dir() const { return dir_ / "data"; }
  [[nodiscard]] std::string log() const { return s3_detail::read_file(dir_ / "s3rver.log"); }

 private:
  void start() {
    std::string reason;
    const std::string program = s3_detail::locate_s3rver(dir_, reason);
    if (program.empty()) throw std::runtime_error(reason);
    std::filesystem::create_directories(data_dir());
    // Port 0: s3rver binds a port the kernel picks and prints it, so no other process can take
    // it between our choosing and its binding.
    pid_ = s3_detail::spawn({"node", program, "--directory", data_dir().string(), "--address", "127.0.0.1", "--port",
                             "0", "--configure-bucket", bucket_},
                            dir_ / "s3rver.log");
    if (pid_ < 0) throw std::runtime_error("cannot start node " + program);
    wait_listening();
  }

  void wait_listening() {
    static const std::regex listening(R"(listening on 127\.0\.0\.1:([0-9]+))");
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      std::smatch m;
      const std::string text = log();
      if (std::regex_search(text, m, listening) && std::filesystem::is_directory(data_dir() / bucket_)) {
        port_ = static_cast<std::uint16_t>(std::stoi(m[1].str()));
        return;
      }
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("s3rver exited at start:\n" + s3_detail::tail(text));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("s3rver did not start listening within 30 s:\n" + s3_detail::tail(log()));
  }

  void stop() noexcept {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      bool reaped = false;
      for (int i = 0; i < 100 && !reaped; ++i) {
        reaped = ::waitpid(pid_, nullptr, WNOHANG) != 0;
        if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (!reaped) {  // only while it is unreaped is the pid still surely ours
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
      }
      pid_ = -1;
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string bucket_;
  std::filesystem::path dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace rcplan_test
