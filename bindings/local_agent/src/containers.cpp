#include "containers.hpp"

#include <rcplan/error.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

namespace rcplan::local::detail {
namespace {

using nlohmann::json;

std::vector<std::string> words(const json& container, const char* key) {
  std::vector<std::string> out;
  for (const json& w : container.value(key, json::array()))
    if (w.is_string()) out.push_back(w.get<std::string>());
  return out;
}

/// Kubernetes' `$(VAR)` expansion: a defined variable's value; `$$` stays a `$`; anything else
/// is kept as written.
std::string expand(const std::string& text, const std::map<std::string, std::string>& env) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      const auto close = text.find(')', i + 2);
      if (close != std::string::npos) {
        const auto it = env.find(text.substr(i + 2, close - i - 2));
        if (it != env.end()) {
          out += it->second;
          i = close;
          continue;
        }
      }
    }
    out += text[i];
  }
  return out;
}

/// A path inside the container on this machine: under the longest mount that holds it.
std::string map_path(const std::string& word, const container_inputs& in) {
  std::size_t best = 0;
  std::string out = word;
  for (const auto& [inside, outside] : in.mounts) {
    const bool holds = word == inside || (word.rfind(inside + "/", 0) == 0);
    if (holds && inside.size() > best) {
      best = inside.size();
      out = outside.string() + word.substr(inside.size());
    }
  }
  return out;
}

}  // namespace

bool runs_rcplan(const json& container) {
  const std::vector<std::string> command = words(container, "command");
  return !command.empty() && command.front() == "rcplan";
}

std::vector<std::string> container_argv(const std::filesystem::path& rcplan, const json& container,
                                        const container_inputs& in) {
  std::vector<std::string> out{rcplan.string()};
  std::vector<std::string> rest = words(container, "command");
  if (!rest.empty()) rest.erase(rest.begin());
  for (std::string& w : words(container, "args")) rest.push_back(std::move(w));
  for (const std::string& w : rest) out.push_back(map_path(expand(w, in.env), in));
  return out;
}

pid_t start_container(const std::vector<std::string>& argv, const container_inputs& in,
                      const std::map<std::string, std::string>& base_env, const std::filesystem::path& log) {
  std::map<std::string, std::string> env = base_env;
  for (const auto& [k, v] : in.env) env[k] = v;
  std::vector<std::string> env_text;
  for (const auto& [k, v] : env) env_text.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (std::string& e : env_text) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> cargv;
  for (std::string& a : args) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, cargv[0], &fa, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw error("rcplan.local.agent", "cannot start " + argv.front() + " for a container");
  return pid;
}

std::optional<int> container_exit(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  if (r != pid) return 128 + SIGKILL;  // not ours any more (reaped elsewhere): count it as lost
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void kill_container(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  int status = 0;
  (void)::waitpid(pid, &status, 0);
}

std::string termination_message(const std::filesystem::path& log) {
  std::ifstream in(log, std::ios::binary);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(std::move(line));
  }
  constexpr std::size_t max_lines = 80;
  constexpr std::size_t max_bytes = 2048;
  std::string tail;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i)
    tail += (tail.empty() ? "" : "\n") + lines[i];
  if (tail.size() > max_bytes) tail = tail.substr(tail.size() - max_bytes);
  return tail;
}

}  // namespace rcplan::local::detail
