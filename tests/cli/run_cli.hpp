#pragma once

// Runs the built `rcplan` binary the way a shell would, capturing what it prints and how it
// exits. Output goes through files rather than pipes so that a large stdout cannot deadlock
// against an unread stderr.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace rcplan_test {

struct cli_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

namespace detail {

[[nodiscard]] inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class scratch_dir {
 public:
  scratch_dir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rcplan-cli-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  [[nodiscard]] std::filesystem::path operator/(const char* name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace detail

/// Runs `argv_strings` with `input` on its standard input; `while_running` (when set) gets the
/// process id and the file its standard error goes to, before the process is waited for.
[[nodiscard]] inline cli_result run_program(
    std::vector<std::string> argv_strings, const std::string& input,
    const std::function<void(pid_t, const std::filesystem::path& err)>& while_running) {
  const detail::scratch_dir dir;
  const auto in_path = dir / "stdin", out_path = dir / "stdout", err_path = dir / "stderr";
  std::ofstream(in_path, std::ios::binary) << input;

  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 0, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&files, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&files, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);

  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) throw std::runtime_error("cannot start " + argv_strings[0]);
  if (while_running) while_running(pid, err_path);

  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) throw std::runtime_error("waitpid failed");
  cli_result r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = detail::slurp(out_path);
  r.err = detail::slurp(err_path);
  return r;
}

/// Runs `rcplan args...` with `input` on its standard input; `while_running` (when set) gets the
/// process id and the file its standard error goes to, before the process is waited for.
[[nodiscard]] inline cli_result run_cli_while(
    const std::vector<std::string>& args, const std::string& input,
    const std::function<void(pid_t, const std::filesystem::path& err)>& while_running) {
  std::vector<std::string> argv{RCPLAN_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(std::move(argv), input, while_running);
}

#if defined(__SANITIZE_ADDRESS__)
#define RCPLAN_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RCPLAN_TEST_ASAN 1
#endif
#endif

/// Runs `rcplan args...` with its address space limited to `bytes` (util-linux prlimit): input
/// that makes it grow without bound ends in an allocation failure instead of taking the machine.
/// Under AddressSanitizer, which reserves terabytes of address space for its shadow, the bound
/// is on resident memory instead (ASan's hard_rss_limit_mb ends the process beyond it).
[[nodiscard]] inline cli_result run_cli_limited(const std::vector<std::string>& args, std::size_t bytes) {
#ifdef RCPLAN_TEST_ASAN
  const char* asan = std::getenv("ASAN_OPTIONS");
  std::string options = asan != nullptr ? std::string{asan} + ":" : std::string{};
  options += "hard_rss_limit_mb=" + std::to_string(bytes >> 20);
  std::vector<std::string> argv{"env", "ASAN_OPTIONS=" + options, RCPLAN_CLI};
#else
  std::vector<std::string> argv{"prlimit", "--as=" + std::to_string(bytes), RCPLAN_CLI};
#endif
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(std::move(argv), {}, {});
}

/// Runs `rcplan args...` with `input` on its standard input.
[[nodiscard]] inline cli_result run_cli(const std::vector<std::string>& args, const std::string& input = {}) {
  return run_cli_while(args, input, {});
}

/// A bundled example dump.
/// The whole content of a file (empty when it cannot be read).
[[nodiscard]] inline std::string read_file(const std::string& path) { return detail::slurp(path); }

[[nodiscard]] inline std::string example_data(const char* name) {
  return std::string{RCPLAN_EXAMPLES_DATA_DIR} + "/" + name;
}

}  // namespace rcplan_test
