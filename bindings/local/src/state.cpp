#include "state.hpp"

#include <rcplan/error.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/planner/objects.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace rcplan::local::detail {
namespace {

constexpr int state_version = 1;

nlohmann::json pod_to_json(const pod_record& p) {
  return {{"statefulset", p.statefulset}, {"shard_index", p.shard_index}, {"ordinal", p.ordinal},
          {"port", p.port},               {"host", p.host},               {"zone", p.zone},
          {"revision", p.revision},       {"auth", p.auth},               {"down_until_ms", p.down_until_ms}};
}

pod_record pod_from_json(const std::string& name, const nlohmann::json& j) {
  pod_record p;
  p.name = name;
  p.statefulset = j.at("statefulset").get<std::string>();
  p.shard_index = j.at("shard_index").get<int>();
  p.ordinal = j.at("ordinal").get<int>();
  p.port = j.at("port").get<std::uint16_t>();
  p.host = j.value("host", std::string{});
  p.zone = j.value("zone", std::string{});
  p.revision = j.value("revision", std::string{});
  p.auth = j.value("auth", false);
  p.down_until_ms = j.value("down_until_ms", std::int64_t{0});
  return p;
}

template <typename T>
nlohmann::json objects_to_json(const std::map<std::string, T>& m) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, o] : m) {
    nlohmann::json j;
    to_json(j, o);
    out[name] = std::move(j);
  }
  return out;
}

template <typename T>
void objects_from_json(const nlohmann::json& j, const char* key, std::map<std::string, T>& out) {
  const auto it = j.find(key);
  if (it == j.end()) return;
  for (const auto& [name, o] : it->items()) {
    T v;
    from_json(o, v);
    out.emplace(name, std::move(v));
  }
}

[[noreturn]] void io_error(const std::filesystem::path& path, const char* what) {
  throw error("rcplan.local.state", std::string(what) + " " + path.string() + ": " + std::strerror(errno));
}

}  // namespace

std::string state_to_json(const state& s) {
  nlohmann::json j;
  j["version"] = state_version;
  j["configmaps"] = objects_to_json(s.configmaps);
  j["services"] = objects_to_json(s.services);
  j["pdbs"] = objects_to_json(s.pdbs);
  nlohmann::json sts = nlohmann::json::object();
  for (const auto& [name, r] : s.statefulsets) {
    nlohmann::json o;
    to_json(o, r.object);
    sts[name] = {{"object", std::move(o)},
                 {"update_revision", r.update_revision},
                 {"current_revision", r.current_revision}};
  }
  j["statefulsets"] = std::move(sts);
  nlohmann::json pods = nlohmann::json::object();
  for (const auto& [name, p] : s.pods) pods[name] = pod_to_json(p);
  j["pods"] = std::move(pods);
  j["doomed_volumes"] = s.doomed_volumes;
  return j.dump(2) + "\n";
}

state state_from_json(const std::string& text, const std::string& origin) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.value("version", 0) != state_version)
      throw error("rcplan.local.state", origin + ": unsupported state version (expected " +
                                            std::to_string(state_version) + ")");
    state s;
    objects_from_json(j, "configmaps", s.configmaps);
    objects_from_json(j, "services", s.services);
    objects_from_json(j, "pdbs", s.pdbs);
    if (const auto it = j.find("statefulsets"); it != j.end())
      for (const auto& [name, o] : it->items()) {
        statefulset_record r;
        from_json(o.at("object"), r.object);
        r.update_revision = o.value("update_revision", std::string{});
        r.current_revision = o.value("current_revision", std::string{});
        s.statefulsets.emplace(name, std::move(r));
      }
    if (const auto it = j.find("pods"); it != j.end())
      for (const auto& [name, o] : it->items()) s.pods.emplace(name, pod_from_json(name, o));
    if (const auto it = j.find("doomed_volumes"); it != j.end())
      s.doomed_volumes = it->get<std::set<std::string>>();
    return s;
  } catch (const error&) {
    throw;
  } catch (const std::exception& e) {
    throw error("rcplan.local.state", origin + ": not a local runtime state: " + e.what());
  }
}

std::filesystem::path state_path(const std::filesystem::path& dir) { return dir / "state.json"; }

state load_state(const std::filesystem::path& dir) {
  const std::filesystem::path path = state_path(dir);
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return {};
    io_error(path, "cannot read");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return state_from_json(text.str(), path.string());
}

void save_state(const std::filesystem::path& dir, const state& s) {
  write_file_atomically(state_path(dir), state_to_json(s));
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) io_error(tmp, "cannot create");
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      errno = saved;
      io_error(tmp, "cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  // Without the fsync a crash right after the rename can leave an empty file under the old name.
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    io_error(tmp, "cannot write");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    io_error(path, "cannot replace");
  }
}

std::string template_revision(const statefulset_description& s) {
  const std::string fields = s.image + '\n' + template_config_hash(s) + '\n' + s.password_secret;
  return s.name + "-" + config_hash(fields).substr(0, 10);
}

}  // namespace rcplan::local::detail
