#include <rcplan/local/redis_process.hpp>

#include "pod_conf.hpp"
#include "process.hpp"

#include <rcplan/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace rcplan::local {
namespace {

using namespace std::chrono_literals;

constexpr auto start_timeout = 10s;

std::filesystem::path pid_file(const std::filesystem::path& run_dir) { return run_dir / "redis.pid"; }

std::string scrub(std::string text, const redis::secret& password) {
  const std::string& pw = password.reveal();
  if (pw.empty()) return text;
  for (auto at = text.find(pw); at != std::string::npos; at = text.find(pw, at)) text.replace(at, pw.size(), "***");
  return text;
}

}  // namespace

std::filesystem::path find_redis_server(const std::string& name) {
  const auto binary = detail::find_executable(name);
  if (!binary)
    throw error("rcplan.local.redis_server", "cannot find " + name +
                                                 " (on PATH); rcplan runs pods as redis-server processes. Install it: "
                                                 "apt-get install -y redis-server");
  return std::filesystem::absolute(*binary);
}

std::optional<std::string> start_redis_process(const redis_process_options& o) {
  std::filesystem::create_directories(o.run_dir);
  std::filesystem::create_directories(o.data_dir);
  detail::pod_conf_options co;
  co.port = o.port;
  co.ip = o.ip;
  co.dir = std::filesystem::absolute(o.data_dir);
  co.log_dir = std::filesystem::absolute(o.run_dir);
  co.node_timeout_ms = o.node_timeout_ms;
  const std::string& pw = o.password.reveal();
  co.password = pw.empty() ? nullptr : &pw;
  co.user = o.password.user().empty() ? nullptr : &o.password.user();
  // The password goes into a file only its owner reads, never onto a command line.
  const std::filesystem::path conf = o.run_dir / "redis.conf";
  detail::write_private_file(conf, detail::render_pod_conf(o.configmap_text, co));
  std::error_code ec;
  std::filesystem::remove(pid_file(o.run_dir), ec);  // a stale one (after SIGKILL) would look alive
  const detail::run_result r = detail::run(
      {o.redis_server.string(), conf.string(), "--daemonize", "yes", "--pidfile", pid_file(o.run_dir).string()},
      start_timeout);
  if (r.exit_code != 0)
    return "redis-server " + (r.exit_code < 0 ? std::string("did not return within 10 s")
                                              : "exited with " + std::to_string(r.exit_code)) +
           ":\n" + scrub(r.output, o.password);
  const auto deadline = std::chrono::steady_clock::now() + start_timeout;
  while (!redis_process_pid(o.run_dir)) {
    if (std::chrono::steady_clock::now() >= deadline)
      return "redis-server did not start within 10 s; the end of its log:\n" +
             scrub(detail::tail_lines(o.run_dir / "redis.log", 10), o.password);
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

std::optional<pid_t> redis_process_pid(const std::filesystem::path& run_dir) {
  const auto pid = detail::read_pid_file(pid_file(run_dir));
  if (pid && detail::redis_alive(*pid)) return pid;
  return std::nullopt;
}

void stop_redis_process(const std::filesystem::path& run_dir, std::chrono::milliseconds grace) {
  if (const auto pid = redis_process_pid(run_dir)) detail::stop_process(*pid, grace);
  std::error_code ec;
  std::filesystem::remove(pid_file(run_dir), ec);
}

bool ports_free(const std::string& ip, std::uint16_t port) {
  return port < 55536 && detail::port_free(ip, port) && detail::port_free(ip, static_cast<std::uint16_t>(port + 10000));
}

}  // namespace rcplan::local
