#include <rcplan/local/agent.hpp>

#include "containers.hpp"
#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/kubernetes/secrets.hpp>
#include <rcplan/kubernetes/timestamps.hpp>
#include <rcplan/local/redis_process.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

namespace rcplan::local {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace k8s = rcplan::kubernetes;

constexpr const char* agent_label = "rcplan.io/local-agent";
constexpr std::uint16_t redis_port = 6379;
constexpr auto stop_grace = 10s;
constexpr auto hand_over_limit = 30s;
constexpr auto probe_timeout = 500ms;
constexpr auto node_heartbeat = 30s;

std::string text_at(const json& j, const char* pointer) {
  const json::json_pointer at(pointer);
  return j.contains(at) && j[at].is_string() ? j[at].get<std::string>() : std::string{};
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A pod the agent runs: what it needs to find its process again after a restart of its own.
struct pod_run {
  std::string ns, name, uid, ip, image, started_at;
  std::filesystem::path data_dir;
  bool ephemeral = false;  ///< data in an emptyDir: removed with the pod
  int restarts = 0;
  bool ready = false;
  bool reported = false;  ///< the API server has the status as it is now
  /// The password the container started with (its environment, fixed at start): the probe
  /// tries it first, then the Secret's current value (the mounted Secret file). Never saved.
  redis::secret started_with;
  // rcplan containers (containers.hpp), never saved: after a restart of the agent an init
  // container or a tool pod's container runs again from the start, as after a node reboot.
  bool tool = false;            ///< a pod of rcplan containers only (a backup Job's)
  bool initialized = false;     ///< its init containers have succeeded (saved)
  std::size_t init_done = 0;    ///< init containers that have succeeded
  pid_t pid = 0;                ///< the rcplan container running now
  int container_restarts = 0;   ///< of the init container or the tool container
  std::chrono::steady_clock::time_point retry_at{};
  std::optional<int> exit_code;  ///< the last run's
  std::string message;           ///< the last failed run's termination message
  std::string finished_at;

  [[nodiscard]] json to_json() const {
    return {{"namespace", ns}, {"name", name}, {"uid", uid}, {"ip", ip}, {"image", image}, {"startedAt", started_at},
            {"dataDir", data_dir.string()}, {"ephemeral", ephemeral}, {"restarts", restarts}, {"initialized", initialized}};
  }
  static pod_run from_json(const json& j) {
    pod_run r;
    r.ns = j.at("namespace").get<std::string>();
    r.name = j.at("name").get<std::string>();
    r.uid = j.at("uid").get<std::string>();
    r.ip = j.at("ip").get<std::string>();
    r.image = j.value("image", "");
    r.started_at = j.value("startedAt", "");
    r.data_dir = j.at("dataDir").get<std::string>();
    r.ephemeral = j.value("ephemeral", false);
    r.restarts = j.value("restarts", 0);
    r.initialized = j.value("initialized", true);
    return r;
  }
};

}  // namespace

struct agent::impl {
  k8s::cluster_access access;
  k8s::client c;
  agent_options o;
  std::filesystem::path redis_server;
  std::string network;  ///< "127.N.": pod IPs are 127.N.x.y
  std::map<std::string, pod_run> runs;  ///< by pod uid
  std::set<std::string> terminating;    ///< pod uids being stopped by a thread of their own
  std::vector<std::string> finished;    ///< pod uids whose stopper is done (runs are the pass's own)
  std::vector<std::thread> stoppers;
  std::mutex mu;
  std::chrono::steady_clock::time_point last_heartbeat{};

  impl(k8s::cluster_access a, agent_options opts)
      : access(a), c(std::move(a)), o(std::move(opts)), redis_server(find_redis_server(o.redis_server)) {
    if (o.dir.empty()) throw error("rcplan.local.agent", "the local node agent needs a work directory");
    if (o.hosts.empty()) throw error("rcplan.local.agent", "the local node agent needs at least one host");
    o.dir = std::filesystem::absolute(o.dir);
    std::filesystem::create_directories(o.dir / "pods");
    std::filesystem::create_directories(o.dir / "volumes");
    // A network of the directory's own, so two agents (two test runs) never hand out one IP.
    const std::size_t h = std::hash<std::string>{}(o.dir.string());
    network = "127." + std::to_string(100 + h % 150) + ".";
    if (!o.rcplan.empty()) {
      o.rcplan = std::filesystem::absolute(o.rcplan);
      if (!std::filesystem::exists(o.rcplan))
        throw error("rcplan.local.agent", "the rcplan binary " + o.rcplan.string() + " does not exist");
    }
    adopt_runs();
  }

  ~impl() {
    for (std::thread& t : stoppers)
      if (t.joinable()) t.join();
  }

  [[nodiscard]] std::filesystem::path run_dir(const std::string& uid) const { return o.dir / "pods" / uid; }

  /// Pods started by an earlier agent on this directory (their processes outlive it).
  void adopt_runs() {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(o.dir / "pods", ec)) {
      const std::filesystem::path f = e.path() / "pod.json";
      if (!std::filesystem::exists(f)) continue;
      try {
        pod_run r = pod_run::from_json(json::parse(read_file(f)));
        runs.emplace(r.uid, std::move(r));
      } catch (const std::exception&) {
        // Not one of ours, or cut short while written: the pass after treats the pod as new.
      }
    }
  }

  void save_run(const pod_run& r) const {
    std::ofstream out(run_dir(r.uid) / "pod.json");
    out << r.to_json().dump();
  }

  [[nodiscard]] bool serves(const std::string& ns) const { return o.namespace_name.empty() || ns == o.namespace_name; }
  [[nodiscard]] bool ours(const std::string& node) const {
    return std::find(o.hosts.begin(), o.hosts.end(), node) != o.hosts.end();
  }

  // --- nodes -----------------------------------------------------------------------------------

  void register_nodes() {
    const auto now = std::chrono::steady_clock::now();
    if (last_heartbeat != std::chrono::steady_clock::time_point{} && now - last_heartbeat < node_heartbeat) return;
    for (std::size_t i = 0; i < o.hosts.size(); ++i) {
      const std::string& name = o.hosts[i];
      const std::string zone = o.zones.empty() ? std::string{} : o.zones[i % o.zones.size()];
      json labels = {{"kubernetes.io/hostname", name}, {"kubernetes.io/os", "linux"}, {agent_label, "true"}};
      if (!zone.empty()) labels["topology.kubernetes.io/zone"] = zone;
      (void)c.apply({{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", name}, {"labels", labels}}}});
      const std::string t = k8s::now_rfc3339();
      const json status = {
          {"status",
           {{"conditions", json::array({{{"type", "Ready"},
                                         {"status", "True"},
                                         {"reason", "LocalAgentReady"},
                                         {"message", "the local node agent (a stand-in for the kubelet) runs"},
                                         {"lastHeartbeatTime", t},
                                         {"lastTransitionTime", t}}})},
            {"addresses", json::array({{{"type", "InternalIP"}, {"address", "127.0.0.1"}},
                                       {{"type", "Hostname"}, {"address", name}}})},
            {"capacity", {{"cpu", "2"}, {"memory", "8Gi"}, {"pods", "110"}}},
            {"allocatable", {{"cpu", "2"}, {"memory", "8Gi"}, {"pods", "110"}}}}}};
      (void)c.merge_patch(k8s::kinds::node, "", name, status, "status");
    }
    last_heartbeat = now;
  }

  // --- volumes (a provisioner's part) ------------------------------------------------------------

  [[nodiscard]] std::filesystem::path volume_dir(const std::string& claim_uid) const { return o.dir / "volumes" / claim_uid; }

  void provision(const json& claim) {
    const std::string uid = text_at(claim, "/metadata/uid");
    const std::filesystem::path path = volume_dir(uid);
    std::filesystem::create_directories(path);
    json spec = {{"capacity", {{"storage", text_at(claim, "/spec/resources/requests/storage")}}},
                 {"accessModes", claim["spec"].value("accessModes", json::array({"ReadWriteOnce"}))},
                 {"persistentVolumeReclaimPolicy", "Retain"},
                 {"volumeMode", "Filesystem"},
                 {"hostPath", {{"path", path.string()}, {"type", "DirectoryOrCreate"}}},
                 {"claimRef",
                  {{"kind", "PersistentVolumeClaim"},
                   {"namespace", text_at(claim, "/metadata/namespace")},
                   {"name", text_at(claim, "/metadata/name")},
                   {"uid", uid}}}};
    if (claim["spec"].contains("storageClassName") && claim["spec"]["storageClassName"].is_string())
      spec["storageClassName"] = claim["spec"]["storageClassName"];
    const json pv = {{"apiVersion", "v1"},
                     {"kind", "PersistentVolume"},
                     {"metadata", {{"name", "local-" + uid}, {"labels", {{agent_label, "true"}}}}},
                     {"spec", spec}};
    try {
      (void)c.create(pv);
    } catch (const error& e) {
      if (e.id() != "rcplan.kubernetes.conflict") throw;  // exists already
    }
  }

  void sync_volumes() {
    const json claims = c.list(k8s::kinds::pvc, o.namespace_name);
    std::set<std::string> claim_uids;
    for (const json& claim : claims["items"]) {
      claim_uids.insert(text_at(claim, "/metadata/uid"));
      if (text_at(claim, "/status/phase") == "Pending" && text_at(claim, "/spec/volumeName").empty() &&
          !claim["metadata"].contains("deletionTimestamp"))
        provision(claim);
    }
    k8s::list_options lo;
    lo.label_selector = std::string(agent_label) + "=true";
    const json volumes = c.list(k8s::kinds::persistent_volume, "", lo);
    for (const json& pv : volumes["items"]) {
      const std::string ns = text_at(pv, "/spec/claimRef/namespace");
      if (!serves(ns)) continue;
      const std::string claim_uid = text_at(pv, "/spec/claimRef/uid");
      // Its claim is gone: as with a Delete reclaim policy, the volume and its data go too.
      if (claim_uid.empty() || claim_uids.count(claim_uid) != 0) continue;
      (void)c.remove(k8s::kinds::persistent_volume, "", text_at(pv, "/metadata/name"));
      std::error_code ec;
      std::filesystem::remove_all(volume_dir(claim_uid), ec);
    }
  }

  // --- scheduling (the scheduler's part) ---------------------------------------------------------

  /// Claims the pod mounts; empty optional when one is not bound yet (the pod waits).
  std::optional<std::vector<json>> bound_claims(const json& pod) {
    std::vector<json> out;
    for (const json& v : pod["spec"].value("volumes", json::array())) {
      const std::string claim = text_at(v, "/persistentVolumeClaim/claimName");
      if (claim.empty()) continue;
      const auto pvc = c.find(k8s::kinds::pvc, text_at(pod, "/metadata/namespace"), claim);
      if (!pvc || text_at(*pvc, "/status/phase") != "Bound") return std::nullopt;
      out.push_back(*pvc);
    }
    return out;
  }

  [[nodiscard]] static std::string cluster_of(const json& pod) {
    const std::string instance = text_at(pod, "/metadata/labels/app.kubernetes.io~1instance");
    return text_at(pod, "/metadata/namespace") + "/" + instance;
  }

  /// The node with the fewest pods of the pod's cluster, then the fewest pods, then by order.
  [[nodiscard]] std::string choose_node(const json& pod, const json& pods) const {
    std::map<std::string, std::pair<int, int>> load;
    for (const std::string& h : o.hosts) load[h] = {0, 0};
    const std::string cluster = cluster_of(pod);
    for (const json& p : pods["items"]) {
      const std::string node = text_at(p, "/spec/nodeName");
      if (!ours(node) || p["metadata"].contains("deletionTimestamp")) continue;
      if (cluster_of(p) == cluster) ++load[node].first;
      ++load[node].second;
    }
    std::string best = o.hosts.front();
    for (const std::string& h : o.hosts)
      if (load[h] < load[best]) best = h;
    return best;
  }

  /// Only pods with a container named `redis` (what rcplan renders) can run here: the agent
  /// runs redis-server, not images.
  [[nodiscard]] static bool runs_redis(const json& pod) {
    for (const json& ct : pod["spec"].value("containers", json::array()))
      if (ct.value("name", "") == "redis") return true;
    return false;
  }

  /// A pod of rcplan containers only (a backup Job's): run with the rcplan binary, when the
  /// agent has one.
  [[nodiscard]] bool runs_tools(const json& pod) const {
    const json containers = pod["spec"].value("containers", json::array());
    if (o.rcplan.empty() || containers.size() != 1) return false;
    return detail::runs_rcplan(containers.front());
  }

  void schedule(const json& pods) {
    for (const json& p : pods["items"]) {
      if (!text_at(p, "/spec/nodeName").empty() || p["metadata"].contains("deletionTimestamp")) continue;
      if (!text_at(p, "/spec/schedulerName").empty() && text_at(p, "/spec/schedulerName") != "default-scheduler")
        continue;
      if (!(runs_redis(p) || runs_tools(p)) || !bound_claims(p)) continue;
      c.bind(text_at(p, "/metadata/namespace"), text_at(p, "/metadata/name"), choose_node(p, pods));
      return;  // one at a time: the next choice counts this one (the next pass relists)
    }
  }

  // --- rcplan containers (containers.hpp) -------------------------------------------------------

  /// A Secret's or ConfigMap's keys and decoded values; nothing when it does not exist.
  std::optional<std::map<std::string, std::string>> object_data(const std::string& ns, const std::string& name,
                                                                bool secret) {
    const auto obj = c.find(secret ? k8s::kinds::secret : k8s::kinds::configmap, ns, name);
    if (!obj) return std::nullopt;
    std::map<std::string, std::string> out;
    const json data = obj->value("data", json::object());  // items() of a temporary would dangle
    for (const auto& [key, v] : data.items()) {
      if (!secret) {
        out[key] = v.is_string() ? v.get<std::string>() : std::string{};
        continue;
      }
      const auto value = k8s::read_secret_value(c, ns, name, key);
      if (value) out[key] = value->reveal();
    }
    return out;
  }

  /// A volume's directory for a container: a claim's volume, an emptyDir of the pod's, or a
  /// ConfigMap's or Secret's keys written as files (afresh for each start, as projected).
  /// Nothing while a volume that is not optional cannot be made yet.
  std::optional<std::filesystem::path> volume_path(const json& pod, const pod_run& r, const json& volume) {
    const std::string name = volume.value("name", "");
    const std::string ns = text_at(pod, "/metadata/namespace");
    if (const std::string claim = text_at(volume, "/persistentVolumeClaim/claimName"); !claim.empty()) {
      const auto pvc = c.find(k8s::kinds::pvc, ns, claim);
      if (!pvc) return std::nullopt;
      return volume_dir(text_at(*pvc, "/metadata/uid"));
    }
    const bool is_secret = volume.contains("secret");
    if (volume.contains("configMap") || is_secret) {
      const json& src = is_secret ? volume["secret"] : volume["configMap"];
      const std::string object = src.value(is_secret ? "secretName" : "name", "");
      const auto data = object_data(ns, object, is_secret);
      if (!data && !src.value("optional", false)) return std::nullopt;
      const std::filesystem::path dir = run_dir(r.uid) / "volumes" / name;
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
      std::filesystem::create_directories(dir);
      if (data)
        for (const auto& [key, text] : *data) {
          std::ofstream f(dir / key, std::ios::binary);
          f << text;
        }
      return dir;
    }
    // an emptyDir (the pod's data volume of an ephemeral cluster among them)
    const std::filesystem::path dir = r.ephemeral && name == "data" ? r.data_dir : run_dir(r.uid) / "volumes" / name;
    std::filesystem::create_directories(dir);
    return dir;
  }

  /// The container's environment and mounts as the kubelet resolves them; nothing while a
  /// Secret, ConfigMap or key that is not optional is missing (the container waits).
  std::optional<detail::container_inputs> inputs_of(const json& pod, const pod_run& r, const json& ct) {
    detail::container_inputs in;
    const std::string ns = text_at(pod, "/metadata/namespace");
    for (const json& from : ct.value("envFrom", json::array())) {
      const bool is_secret = from.contains("secretRef");
      const json& ref = is_secret ? from["secretRef"] : from.value("configMapRef", json::object());
      const auto data = object_data(ns, ref.value("name", ""), is_secret);
      if (!data && !ref.value("optional", false)) return std::nullopt;
      if (data)
        for (const auto& [k, v] : *data) in.env[from.value("prefix", "") + k] = v;
    }
    for (const json& e : ct.value("env", json::array())) {
      const std::string name = e.value("name", "");
      if (e.contains("value")) {
        in.env[name] = e["value"].get<std::string>();
        continue;
      }
      const std::string field = text_at(e, "/valueFrom/fieldRef/fieldPath");
      if (field == "metadata.name") in.env[name] = r.name;
      else if (field == "metadata.namespace") in.env[name] = r.ns;
      else if (field == "status.podIP") in.env[name] = r.ip;
      for (const char* kind : {"secretKeyRef", "configMapKeyRef"}) {
        const json::json_pointer at("/valueFrom/" + std::string(kind));
        if (!e.contains(at)) continue;
        const json& ref = e[at];
        const auto data = object_data(ns, ref.value("name", ""), std::string(kind) == "secretKeyRef");
        const auto it = data ? data->find(ref.value("key", "")) : std::map<std::string, std::string>::const_iterator{};
        if (data && it != data->end()) in.env[name] = it->second;
        else if (!ref.value("optional", false)) return std::nullopt;
      }
    }
    const json volumes = pod["spec"].value("volumes", json::array());
    for (const json& m : ct.value("volumeMounts", json::array())) {
      const auto v = std::find_if(volumes.begin(), volumes.end(),
                                  [&](const json& x) { return x.value("name", "") == m.value("name", ""); });
      if (v == volumes.end()) return std::nullopt;
      const auto dir = volume_path(pod, r, *v);
      if (!dir) return std::nullopt;
      in.mounts.emplace_back(m.value("mountPath", ""), *dir);
    }
    return in;
  }

  [[nodiscard]] std::filesystem::path container_log(const pod_run& r, const std::string& container) const {
    return run_dir(r.uid) / (container + ".log");
  }

  /// Starts an rcplan container of the pod; why it could not (yet), else nothing.
  std::optional<std::string> start_rcplan(pod_run& r, const json& pod, const json& ct) {
    if (!detail::runs_rcplan(ct) || o.rcplan.empty())
      return "the local node agent runs only rcplan containers besides redis-server";
    const auto in = inputs_of(pod, r, ct);
    if (!in) return "a Secret, ConfigMap or volume it needs does not exist yet";
    const std::filesystem::path tmp = run_dir(r.uid) / "tmp";
    std::filesystem::create_directories(tmp);
    std::map<std::string, std::string> base{{"HOME", run_dir(r.uid).string()}, {"TMPDIR", tmp.string()}};
    if (const char* path = std::getenv("PATH")) base["PATH"] = path;
    const std::filesystem::path log = container_log(r, ct.value("name", "container"));
    std::error_code ec;
    std::filesystem::remove(log, ec);
    r.pid = detail::start_container(detail::container_argv(o.rcplan, ct, *in), *in, base, log);
    r.started_at = k8s::now_rfc3339();
    return std::nullopt;
  }

  /// The container's run ended: its code and, on failure, its termination message.
  void finished_run(pod_run& r, int code, const std::string& container) {
    r.pid = 0;
    r.exit_code = code;
    r.finished_at = k8s::now_rfc3339();
    r.message = code == 0 ? std::string{} : detail::termination_message(container_log(r, container));
  }

  [[nodiscard]] json terminated_state(const pod_run& r) const {
    json t = {{"exitCode", r.exit_code.value_or(0)},
              {"reason", r.exit_code.value_or(0) == 0 ? "Completed" : "Error"},
              {"startedAt", r.started_at},
              {"finishedAt", r.finished_at}};
    if (!r.message.empty()) t["message"] = r.message;
    return t;
  }

  /// Status of a pod whose init containers have not all succeeded.
  void report_init(pod_run& r, const json& pod, const std::string& waiting) {
    json inits = json::array();
    std::size_t i = 0;
    for (const json& ct : pod["spec"].value("initContainers", json::array())) {
      json st = {{"name", ct.value("name", "")}, {"image", ct.value("image", "")}, {"imageID", ""},
                 {"ready", i < r.init_done}, {"restartCount", i == r.init_done ? r.container_restarts : 0}};
      if (i < r.init_done) st["state"] = {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}};
      else if (i == r.init_done && r.pid != 0) st["state"] = {{"running", {{"startedAt", r.started_at}}}};
      else if (i == r.init_done && r.exit_code && *r.exit_code != 0) {
        st["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"}, {"message", waiting}}}};
        st["lastState"] = {{"terminated", terminated_state(r)}};
      } else st["state"] = {{"waiting", {{"reason", "PodInitializing"}, {"message", waiting}}}};
      inits.push_back(std::move(st));
      ++i;
    }
    json containers = json::array();
    for (const json& ct : pod["spec"].value("containers", json::array()))
      containers.push_back({{"name", ct.value("name", "")}, {"image", ct.value("image", "")}, {"imageID", ""},
                            {"ready", false}, {"restartCount", 0},
                            {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}});
    const json status = {{"status",
                          {{"phase", "Pending"},
                           {"hostIP", "127.0.0.1"},
                           {"podIP", r.ip},
                           {"podIPs", json::array({{{"ip", r.ip}}})},
                           {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "True"}},
                                                       {{"type", "Initialized"}, {"status", "False"}},
                                                       {{"type", "ContainersReady"}, {"status", "False"}},
                                                       {{"type", "Ready"}, {"status", "False"}}})},
                           {"initContainerStatuses", inits},
                           {"containerStatuses", containers}}}};
    (void)c.merge_patch(k8s::kinds::pod, r.ns, r.name, status, "status");
  }

  /// Runs the pod's init containers one after the other, without blocking the pass; whether
  /// they have all succeeded. A failed one runs again after a back-off, as the kubelet does.
  bool init_containers_done(pod_run& r, const json& pod) {
    const json inits = pod["spec"].value("initContainers", json::array());
    while (r.init_done < inits.size()) {
      const json& ct = inits[r.init_done];
      const std::string name = ct.value("name", "init");
      if (r.pid == 0) {
        if (std::chrono::steady_clock::now() < r.retry_at) return false;
        if (const auto why = start_rcplan(r, pod, ct)) {
          report_init(r, pod, *why);
          return false;
        }
        report_init(r, pod, "");
        return false;
      }
      const auto code = detail::container_exit(r.pid);
      if (!code) return false;
      finished_run(r, *code, name);
      if (*code != 0) {
        ++r.container_restarts;
        r.retry_at = std::chrono::steady_clock::now() + std::min(60s, 2s * r.container_restarts);
        std::cerr << "local agent: pod " << r.ns << "/" << r.name << " init container " << name << " failed: "
                  << r.message << std::endl;
        report_init(r, pod, "back-off restarting the failed init container");
        return false;
      }
      ++r.init_done;
      r.container_restarts = 0;
      r.exit_code.reset();
    }
    r.started_at.clear();  // the redis container's start is its own
    r.initialized = true;
    return true;
  }

  void report_tool(pod_run& r, const json& pod, const std::string& waiting) {
    const json& ct = pod["spec"]["containers"].front();
    std::string phase = "Pending";
    json state = {{"waiting", {{"reason", "ContainerCreating"}, {"message", waiting}}}};
    if (r.pid != 0) {
      phase = "Running";
      state = {{"running", {{"startedAt", r.started_at}}}};
    } else if (r.exit_code) {
      phase = *r.exit_code == 0 ? "Succeeded" : "Failed";
      state = {{"terminated", terminated_state(r)}};
    }
    const json status = {{"status",
                          {{"phase", phase},
                           {"hostIP", "127.0.0.1"},
                           {"podIP", r.ip},
                           {"podIPs", json::array({{{"ip", r.ip}}})},
                           {"startTime", r.started_at},
                           {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "True"}},
                                                       {{"type", "Initialized"}, {"status", "True"}},
                                                       {{"type", "Ready"}, {"status", phase == "Running" ? "True" : "False"}}})},
                           {"containerStatuses", json::array({{{"name", ct.value("name", "")},
                                                               {"image", ct.value("image", "")},
                                                               {"imageID", ""},
                                                               {"ready", phase == "Running"},
                                                               {"restartCount", r.container_restarts},
                                                               {"state", state}}})}}}};
    (void)c.merge_patch(k8s::kinds::pod, r.ns, r.name, status, "status");
  }

  /// A pod of one rcplan container: run it to its end; again after a failure unless its
  /// restartPolicy is Never (a Job's pods: the Job controller makes new ones).
  void keep_tool(pod_run& r, const json& pod) {
    const json& ct = pod["spec"]["containers"].front();
    const std::string name = ct.value("name", "container");
    if (r.pid == 0) {
      const bool done = r.exit_code && (*r.exit_code == 0 || text_at(pod, "/spec/restartPolicy") == "Never");
      if (done || std::chrono::steady_clock::now() < r.retry_at) return;
      const auto why = start_rcplan(r, pod, ct);
      report_tool(r, pod, why.value_or(""));
      return;
    }
    const auto code = detail::container_exit(r.pid);
    if (!code) return;
    finished_run(r, *code, name);
    if (*code != 0 && text_at(pod, "/spec/restartPolicy") != "Never") {
      ++r.container_restarts;
      r.retry_at = std::chrono::steady_clock::now() + std::min(60s, 2s * r.container_restarts);
    }
    report_tool(r, pod, "");
  }

  // --- pods (the kubelet's part) ---------------------------------------------------------------

  [[nodiscard]] static const json* redis_container(const json& pod) {
    const json::json_pointer at("/spec/containers");
    if (!pod.contains(at) || !pod[at].is_array() || pod[at].empty()) return nullptr;
    for (const json& ct : pod[at])
      if (ct.value("name", "") == "redis") return &ct;
    return &pod[at].front();
  }

  /// The pod's redis.conf from its ConfigMap volume; nothing while the ConfigMap does not exist
  /// (the kubelet keeps such a pod in ContainerCreating).
  std::optional<std::string> configmap_text(const json& pod) {
    for (const json& v : pod["spec"].value("volumes", json::array())) {
      const std::string name = text_at(v, "/configMap/name");
      if (name.empty()) continue;
      const auto cm = c.find(k8s::kinds::configmap, text_at(pod, "/metadata/namespace"), name);
      if (!cm) return std::nullopt;
      return cm->value("data", json::object()).value("redis.conf", "");
    }
    return std::string{};
  }

  /// The password the container's REDIS_PASSWORD takes from its Secret, for the ACL user its
  /// REDIS_USER names if any; nothing while the Secret is missing (the container could not
  /// start).
  std::optional<redis::secret> password_of(const json& pod, const json& container) {
    std::optional<redis::secret> password = password_value(pod, container);
    for (const json& e : container.value("env", json::array()))
      if (password && e.value("name", "") == "REDIS_USER" && e.contains("value"))
        password = password->for_user(e["value"].get<std::string>());
    return password;
  }

  std::optional<redis::secret> password_value(const json& pod, const json& container) {
    for (const json& e : container.value("env", json::array())) {
      if (e.value("name", "") != "REDIS_PASSWORD") continue;
      if (e.contains("value")) return redis::secret{e["value"].get<std::string>()};
      const std::string secret = text_at(e, "/valueFrom/secretKeyRef/name");
      const std::string key = text_at(e, "/valueFrom/secretKeyRef/key");
      if (secret.empty()) continue;
      return k8s::read_secret_value(c, text_at(pod, "/metadata/namespace"), secret, key.empty() ? "password" : key);
    }
    return redis::secret{};
  }

  /// The next pod IP: counted up from the last one handed out (kept in DIR/next-ip), so that a
  /// recreated pod gets a new address, skipping addresses in use.
  [[nodiscard]] std::string next_ip() const {
    const std::filesystem::path counter = o.dir / "next-ip";
    long n = 0;
    try {
      n = std::max(0L, std::stol(read_file(counter)));
    } catch (const std::exception&) {
    }
    std::set<std::string> used;
    for (const auto& [uid, r] : runs) used.insert(r.ip);
    constexpr long per_network = 250L * 254L;
    for (long tries = 0; tries < per_network; ++tries, ++n) {
      const long i = n % per_network;
      const std::string ip = network + std::to_string(i / 254) + "." + std::to_string(1 + i % 254);
      if (used.count(ip) != 0 || !ports_free(ip, redis_port)) continue;
      std::ofstream(counter) << n + 1;
      return ip;
    }
    throw error("rcplan.local.agent", "no free pod IP left in " + network + "0.0/16");
  }

  /// Starts the pod's process; returns why it could not (yet).
  std::optional<std::string> start(pod_run& r, const json& pod) {
    const json* container = redis_container(pod);
    if (container == nullptr) return "the pod has no container";
    const auto conf = configmap_text(pod);
    if (!conf) return "its ConfigMap does not exist yet";
    const auto password = password_of(pod, *container);
    if (!password) return "its password Secret does not exist yet";
    redis_process_options po;
    po.redis_server = redis_server;
    po.run_dir = run_dir(r.uid);
    po.data_dir = r.data_dir;
    po.ip = r.ip;
    po.port = redis_port;
    po.configmap_text = *conf;
    po.password = *password;
    po.node_timeout_ms = o.node_timeout_ms;
    r.image = container->value("image", "");
    r.started_with = *password;
    r.started_at = k8s::now_rfc3339();
    r.ready = false;
    r.reported = false;
    return start_redis_process(po);
  }

  /// A new pod run: its IP, and its data in its claim's volume or an emptyDir of its own.
  std::optional<pod_run> new_run(const json& pod) {
    const auto claims = bound_claims(pod);
    if (!claims) return std::nullopt;
    pod_run r;
    r.ns = text_at(pod, "/metadata/namespace");
    r.name = text_at(pod, "/metadata/name");
    r.uid = text_at(pod, "/metadata/uid");
    r.ip = next_ip();
    if (claims->empty()) {
      r.ephemeral = true;
      r.data_dir = run_dir(r.uid) / "data";
    } else {
      r.data_dir = volume_dir(text_at(claims->front(), "/metadata/uid"));
    }
    std::filesystem::create_directories(run_dir(r.uid));
    return r;
  }

  void report(pod_run& r, const json& pod) {
    const std::string ready = r.ready ? "True" : "False";
    const std::string t = k8s::now_rfc3339();
    json containers = json::array();
    for (const json& ct : pod["spec"].value("containers", json::array()))
      containers.push_back({{"name", ct.value("name", "")},
                            {"image", ct.value("image", "")},
                            {"imageID", ""},
                            {"ready", r.ready},
                            {"started", true},
                            {"restartCount", ct.value("name", "") == "redis" ? r.restarts : 0},
                            {"state", {{"running", {{"startedAt", r.started_at}}}}}});
    const json status = {
        {"status",
         {{"phase", "Running"},
          {"hostIP", "127.0.0.1"},
          {"hostIPs", json::array({{{"ip", "127.0.0.1"}}})},
          {"podIP", r.ip},
          {"podIPs", json::array({{{"ip", r.ip}}})},
          {"startTime", r.started_at},
          {"conditions", json::array({{{"type", "PodScheduled"}, {"status", "True"}},
                                      {{"type", "Initialized"}, {"status", "True"}},
                                      {{"type", "ContainersReady"}, {"status", ready}, {"lastTransitionTime", t}},
                                      {{"type", "Ready"}, {"status", ready}, {"lastTransitionTime", t}}})},
          {"containerStatuses", containers}}}};
    (void)c.merge_patch(k8s::kinds::pod, r.ns, r.name, status, "status");
    r.reported = true;
  }

  [[nodiscard]] address address_of(const pod_run& r) const {
    return address{r.ip, redis_port, static_cast<std::uint16_t>(redis_port + 10000), ""};
  }

  /// Keeps a bound pod's process running and its status current.
  void keep(const json& pod) {
    const std::string uid = text_at(pod, "/metadata/uid");
    auto it = runs.find(uid);
    if (it == runs.end()) {
      auto fresh = new_run(pod);
      if (!fresh) return;
      it = runs.emplace(uid, std::move(*fresh)).first;
    }
    pod_run& r = it->second;
    if (r.tool || runs_tools(pod)) {
      r.tool = true;
      keep_tool(r, pod);
      return;
    }
    // init containers run before the first start only (a restart of the redis container does
    // not run them again, as with the kubelet)
    if (!r.initialized && !init_containers_done(r, pod)) return;
    if (!redis_process_pid(run_dir(uid))) {
      const bool restart = !r.started_at.empty();
      if (const auto why = start(r, pod)) {
        std::cerr << "local agent: pod " << r.ns << "/" << r.name << " not started: " << *why << std::endl;
        if (r.started_at.empty()) return;
      } else if (restart) {
        ++r.restarts;  // the container died and the kubelet started it again
      }
      save_run(r);
      report(r, pod);
      return;
    }
    // As the rendered probe does: the environment's password, then the mounted Secret's.
    bool ready = detail::probe_ready(address_of(r), r.started_with, probe_timeout);
    if (!ready) {
      const auto* container = redis_container(pod);
      const auto password = container ? password_of(pod, *container) : std::optional<redis::secret>{};
      if (password && password->reveal() != r.started_with.reveal())
        ready = detail::probe_ready(address_of(r), *password, probe_timeout);
    }
    if (ready != r.ready || !r.reported || text_at(pod, "/status/podIP") != r.ip) {
      r.ready = ready;
      report(r, pod);
    }
  }

  /// A pod being deleted: pre-stop, stop, remove — on a thread of its own, as the pre-stop step
  /// may wait for a hand-over.
  void terminate(const json& pod) {
    const std::string uid = text_at(pod, "/metadata/uid");
    if (terminating.count(uid) != 0) return;
    terminating.insert(uid);
    std::optional<pod_run> r;
    if (const auto it = runs.find(uid); it != runs.end()) r = it->second;
    const json* container = redis_container(pod);
    std::optional<redis::secret> password;
    try {
      password = container ? password_of(pod, *container) : std::nullopt;
    } catch (const error&) {
    }
    const std::string ns = text_at(pod, "/metadata/namespace");
    const std::string name = text_at(pod, "/metadata/name");
    stoppers.emplace_back([this, uid, ns, name, r, password] {
      if (r && r->pid != 0) detail::kill_container(r->pid);
      if (r && redis_process_pid(run_dir(uid))) {
        detail::hand_over_master(address_of(*r), password.value_or(redis::secret{}), hand_over_limit);
        stop_redis_process(run_dir(uid), stop_grace);
      }
      remove_files(uid, r);
      try {
        k8s::client own(access);
        k8s::delete_options d;
        d.grace_period_seconds = 0;
        d.precondition_uid = uid;
        (void)own.remove(k8s::kinds::pod, ns, name, d);
      } catch (const error& e) {
        std::cerr << "local agent: pod " << ns << "/" << name << " not removed: " << e.what() << std::endl;
      }
      const std::lock_guard<std::mutex> g(mu);
      terminating.erase(uid);
      finished.push_back(uid);
    });
  }

  void remove_files(const std::string& uid, const std::optional<pod_run>& r) const {
    std::error_code ec;
    if (r && r->ephemeral) std::filesystem::remove_all(r->data_dir, ec);
    std::filesystem::remove_all(run_dir(uid), ec);
  }

  void sync_pods(const json& pods) {
    std::set<std::string> present;
    for (const json& p : pods["items"])
      if (ours(text_at(p, "/spec/nodeName"))) present.insert(text_at(p, "/metadata/uid"));
    {
      const std::lock_guard<std::mutex> g(mu);
      for (const std::string& uid : finished) runs.erase(uid);
      finished.clear();
    }
    // First the processes whose pods are gone (removed at once, or with their namespace): a
    // pod recreated under the same name must not start on a volume still in use.
    std::vector<pod_run> gone;
    {
      const std::lock_guard<std::mutex> g(mu);
      for (const auto& [uid, r] : runs)
        if (serves(r.ns) && present.count(uid) == 0 && terminating.count(uid) == 0) gone.push_back(r);
    }
    for (const pod_run& r : gone) {
      detail::kill_container(r.pid);
      stop_redis_process(run_dir(r.uid), stop_grace);
      remove_files(r.uid, r);
      runs.erase(r.uid);
    }
    for (const json& p : pods["items"]) {
      if (!ours(text_at(p, "/spec/nodeName"))) continue;
      const std::lock_guard<std::mutex> g(mu);
      if (terminating.count(text_at(p, "/metadata/uid")) != 0) continue;
      if (p["metadata"].contains("deletionTimestamp")) terminate(p);
      else keep(p);
    }
  }

  void sync() {
    register_nodes();
    sync_volumes();
    json pods = c.list(k8s::kinds::pod, o.namespace_name);
    schedule(pods);
    sync_pods(pods);
    // Reap the threads that finished.
    const std::lock_guard<std::mutex> g(mu);
    if (terminating.empty()) {
      for (std::thread& t : stoppers)
        if (t.joinable()) t.join();
      stoppers.clear();
    }
  }
};

agent::agent(kubernetes::cluster_access access, agent_options options)
    : impl_(std::make_unique<impl>(std::move(access), std::move(options))) {}

agent::~agent() = default;

void agent::sync() { impl_->sync(); }

void agent::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    try {
      impl_->sync();
    } catch (const std::exception& e) {
      std::cerr << "local agent: " << e.what() << std::endl;
    }
    const auto until = std::chrono::steady_clock::now() + impl_->o.period;
    while (!stop.load() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(20ms);
  }
  for (std::thread& t : impl_->stoppers)
    if (t.joinable()) t.join();
  impl_->stoppers.clear();
}

const std::string& agent::pod_network() const noexcept { return impl_->network; }

void agent::stop_pods(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir / "pods", ec)) stop_redis_process(e.path(), stop_grace);
}

}  // namespace rcplan::local
