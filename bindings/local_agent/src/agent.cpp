#include <rcplan/local/agent.hpp>

#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/kubernetes/client.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/kubernetes/secrets.hpp>
#include <rcplan/kubernetes/timestamps.hpp>
#include <rcplan/local/redis_process.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
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

  [[nodiscard]] json to_json() const {
    return {{"namespace", ns}, {"name", name}, {"uid", uid}, {"ip", ip}, {"image", image}, {"startedAt", started_at},
            {"dataDir", data_dir.string()}, {"ephemeral", ephemeral}, {"restarts", restarts}};
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

  void schedule(const json& pods) {
    for (const json& p : pods["items"]) {
      if (!text_at(p, "/spec/nodeName").empty() || p["metadata"].contains("deletionTimestamp")) continue;
      if (!text_at(p, "/spec/schedulerName").empty() && text_at(p, "/spec/schedulerName") != "default-scheduler")
        continue;
      if (!runs_redis(p) || !bound_claims(p)) continue;
      c.bind(text_at(p, "/metadata/namespace"), text_at(p, "/metadata/name"), choose_node(p, pods));
      return;  // one at a time: the next choice counts this one (the next pass relists)
    }
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

  /// The password the container's REDIS_PASSWORD takes from its Secret; nothing while the
  /// Secret is missing (the container could not start).
  std::optional<redis::secret> password_of(const json& pod, const json& container) {
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
