#include "daemon.hpp"

#include "exit.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

extern char** environ;

namespace rcplan::cli {
namespace {

std::filesystem::path self() { return std::filesystem::read_symlink("/proc/self/exe"); }

std::vector<char*> c_argv(std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (std::string& a : argv) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

bool alive(pid_t pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace

void start_daemon(const std::vector<std::string>& args, const std::filesystem::path& log,
                  const std::filesystem::path& pid_file) {
  std::vector<std::string> argv{self().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv = c_argv(argv);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, cargv[0], &fa, &attr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw input_error("cannot start " + argv[0] + " " + args.front());
  std::ofstream(pid_file) << pid << '\n';
}

bool stop_daemon(const std::filesystem::path& pid_file, std::chrono::milliseconds grace) {
  pid_t pid = 0;
  std::ifstream(pid_file) >> pid;
  std::error_code ec;
  std::filesystem::remove(pid_file, ec);
  if (!alive(pid)) return false;
  ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (alive(pid) && std::chrono::steady_clock::now() < deadline) {
    (void)::waitpid(pid, nullptr, WNOHANG);  // reaps it when it is our own child
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (alive(pid)) ::kill(pid, SIGKILL);
  return true;
}

int run_program(const std::vector<std::string>& args) {
  std::vector<std::string> argv = args;
  std::vector<char*> cargv = c_argv(argv);
  pid_t pid = 0;
  // Its output is progress for the person at the terminal: stderr, keeping stdout ours.
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, 2, 1);
  const int rc = posix_spawnp(&pid, cargv[0], &fa, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return 127;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

}  // namespace rcplan::cli
