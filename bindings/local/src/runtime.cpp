#include <rcplan/local/runtime.hpp>
#include <rcplan/local/redis_process.hpp>

#include "ping.hpp"
#include "pod_conf.hpp"
#include "process.hpp"
#include "state.hpp"

#include <rcplan/error.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/redis/certificates.hpp>
#include <rcplan/spec/spec.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <type_traits>
#include <utility>
#include <variant>

namespace rcplan::local {
namespace {

using namespace std::chrono_literals;
using detail::pod_record;
using detail::state;
using detail::statefulset_record;

constexpr auto start_timeout = 10s;   // a pod that has not started by then failed to start
constexpr auto stop_grace = 10s;      // SIGTERM, then SIGKILL
constexpr auto probe_timeout = 1s;    // one readiness probe
constexpr std::int64_t crash_backoff_ms = 2000;  // before a pod that failed to start is tried again

[[nodiscard]] std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Holds DIR/lock for the duration of one operation, so that two runtimes (a CLI and a test,
/// two CLI invocations) on one directory take turns instead of starting the same pod twice.
class dir_lock {
 public:
  explicit dir_lock(const std::filesystem::path& dir) {
    const std::filesystem::path path = dir / "lock";
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
      throw error("rcplan.local.state", "cannot open " + path.string() + ": " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  dir_lock(const dir_lock&) = delete;
  dir_lock& operator=(const dir_lock&) = delete;
  ~dir_lock() { ::close(fd_); }

 private:
  int fd_ = -1;
};

[[nodiscard]] bool ephemeral(const statefulset_record& r) { return r.object.storage.type == storage_ephemeral; }

}  // namespace

struct runtime::impl {
  runtime_options o;
  std::filesystem::path redis_server;
  std::mutex mu;

  /// Set when the pods run TLS only: the files they serve with, and what clients connect with.
  std::optional<detail::pod_tls_files> node_tls;
  redis::tls_options client_tls;

  explicit impl(runtime_options options) : o(std::move(options)) {}

  [[nodiscard]] std::filesystem::path tls_dir() const { return o.dir / "tls"; }

  /// DIR/tls: an authority, a certificate for the nodes (127.0.0.1 and localhost; it also
  /// serves as their client certificate on the cluster bus) and one for clients, made on first
  /// use. Its authority's presence is what marks the cluster as TLS-only for later runtimes.
  void set_up_tls() {
    const std::filesystem::path d = tls_dir();
    const redis::pem_pair ca{d / "ca.crt", d / "ca.key"};
    const redis::pem_pair node{d / "node.crt", d / "node.key"};
    const redis::pem_pair client{d / "client.crt", d / "client.key"};
    std::error_code ec;
    const auto present = [&](const redis::pem_pair& p) {
      return std::filesystem::is_regular_file(p.cert, ec) && std::filesystem::is_regular_file(p.key, ec);
    };
    if (!present(ca) || !present(node) || !present(client)) {
      std::filesystem::create_directories(d, ec);
      if (ec) throw error("rcplan.local.state", "cannot create " + d.string() + ": " + ec.message());
      // The authority is made last: a directory with it is complete.
      std::filesystem::remove(ca.cert, ec);
      (void)redis::make_authority(d, "ca.tmp");
      const redis::pem_pair tmp{d / "ca.tmp.crt", d / "ca.tmp.key"};
      redis::certificate_request nr;
      nr.common_name = "rcplan local node";
      nr.dns_names = {"localhost"};
      nr.ip_addresses = {"127.0.0.1"};
      (void)redis::issue_certificate(tmp, d, "node", nr);
      redis::certificate_request cr;
      cr.common_name = "rcplan local client";
      (void)redis::issue_certificate(tmp, d, "client", cr);
      std::filesystem::rename(tmp.key, ca.key);
      std::filesystem::rename(tmp.cert, ca.cert);
    }
    node_tls = detail::pod_tls_files{ca.cert, node.cert, node.key};
    client_tls.enabled = true;
    client_tls.ca_file = ca.cert;
    client_tls.cert_file = client.cert;
    client_tls.key_file = client.key;
  }

  // --- paths and small helpers ---------------------------------------------------------------

  [[nodiscard]] std::filesystem::path pod_dir(const std::string& pod) const { return o.dir / "pods" / pod; }
  [[nodiscard]] std::filesystem::path pid_file(const std::string& pod) const { return pod_dir(pod) / "redis.pid"; }
  [[nodiscard]] std::filesystem::path log_file(const std::string& pod) const { return pod_dir(pod) / "redis.log"; }

  /// The pid of the pod's running redis-server, if it runs.
  [[nodiscard]] std::optional<pid_t> running_pid(const std::string& pod) const {
    const auto pid = detail::read_pid_file(pid_file(pod));
    if (pid && detail::redis_alive(*pid)) return pid;
    return std::nullopt;
  }

  [[nodiscard]] std::string password_for(const pod_record& p) const {
    return p.auth ? o.password.reveal() : std::string{};
  }

  /// PING with the password, else with the one being replaced.
  [[nodiscard]] bool answers(const pod_record& p, std::chrono::milliseconds timeout) const {
    if (detail::ping(p.port, password_for(p), timeout, client_tls)) return true;
    return p.auth && !o.previous_password.empty() &&
           detail::ping(p.port, o.previous_password.reveal(), timeout, client_tls);
  }

  [[nodiscard]] bool ready(const pod_record& p) const {
    return running_pid(p.name).has_value() && answers(p, probe_timeout);
  }

  /// `text` with the passwords blotted out, for messages built from a process' output.
  [[nodiscard]] std::string scrub(std::string text) const {
    for (const redis::secret* s : {&o.password, &o.previous_password}) {
      const std::string& pw = s->reveal();
      if (pw.empty()) continue;
      for (auto at = text.find(pw); at != std::string::npos; at = text.find(pw, at)) text.replace(at, pw.size(), "***");
    }
    return text;
  }

  /// Runs `f` on the state under the directory lock and saves what it changed, also when `f`
  /// throws halfway (the processes it started are real and must stay accounted for).
  template <typename F>
  auto with_state(F&& f) {
    const std::lock_guard<std::mutex> guard(mu);
    std::error_code ec;
    std::filesystem::create_directories(o.dir / "pods", ec);  // down(true) may have removed it
    const dir_lock lock(o.dir);
    state s = detail::load_state(o.dir);
    const state before = s;
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F, state&>>) {
        f(s);
        if (!(s == before)) detail::save_state(o.dir, s);
      } else {
        auto result = f(s);
        if (!(s == before)) detail::save_state(o.dir, s);
        return result;
      }
    } catch (...) {
      if (!(s == before)) detail::save_state(o.dir, s);
      throw;
    }
  }

  // --- placement -----------------------------------------------------------------------------

  /// Pod (shard s, ordinal k) goes to host (s + k) mod n, as in the simulated world: the pods of
  /// one shard land on different hosts (and zones), so placement can be exercised.
  template <typename List>
  [[nodiscard]] static std::string spread(const List& list, int shard, int ordinal) {
    if (list.empty()) return {};
    const auto i = static_cast<std::size_t>(std::max(0, shard) + std::max(0, ordinal)) % list.size();
    return list[i];
  }

  [[nodiscard]] static std::set<std::uint16_t> taken_ports(const state& s, const std::string& except) {
    std::set<std::uint16_t> out;
    for (const auto& [name, p] : s.pods)
      if (name != except && p.port != 0) {
        out.insert(p.port);
        out.insert(static_cast<std::uint16_t>(p.port + 10000));
      }
    return out;
  }

  // --- the StatefulSet controller --------------------------------------------------------------

  /// Creates the records of missing pods (ordinals below replicas), the way the controller
  /// creates Pod objects: from the current update revision, scheduled on a host.
  void create_missing_pods(state& s, const std::map<std::string, std::uint16_t>& port_hints = {}) {
    for (const auto& [name, r] : s.statefulsets)
      for (int ordinal = 0; ordinal < r.object.replicas; ++ordinal) {
        const std::string pn = name + "-" + std::to_string(ordinal);
        if (s.pods.count(pn) != 0) continue;
        pod_record p;
        p.name = pn;
        p.statefulset = name;
        p.shard_index = r.object.shard_index;
        p.ordinal = ordinal;
        p.host = spread(o.hosts, p.shard_index, ordinal);
        p.zone = spread(o.zones, p.shard_index, ordinal);
        p.revision = r.update_revision;
        const auto hint = port_hints.find(pn);
        if (hint != port_hints.end() && detail::port_free(hint->second) &&
            detail::port_free(static_cast<std::uint16_t>(hint->second + 10000)))
          p.port = hint->second;
        else
          p.port = detail::pick_port(taken_ports(s, pn));
        // A fresh emptyDir: whatever an earlier pod of that name left is not this pod's.
        if (ephemeral(r)) remove_volume(pn);
        s.pods.emplace(pn, std::move(p));
      }
  }

  void remove_volume(const std::string& pod) const {
    std::error_code ec;
    std::filesystem::remove_all(pod_dir(pod), ec);
    if (ec) throw error("rcplan.local.volume", "cannot remove " + pod_dir(pod).string() + ": " + ec.message());
  }

  void stop_pod(const std::string& pod) const {
    if (const auto pid = running_pid(pod)) detail::stop_process(*pid, stop_grace);
    std::error_code ec;
    std::filesystem::remove(pid_file(pod), ec);
  }

  /// The pod goes away: its process stops; its volume stays (a PVC) unless it is an emptyDir or
  /// its PVC was deleted while the pod used it.
  void remove_pod(state& s, const std::string& pod) {
    const auto it = s.pods.find(pod);
    if (it == s.pods.end()) return;
    stop_pod(pod);
    const auto sts = s.statefulsets.find(it->second.statefulset);
    const bool drop = (sts != s.statefulsets.end() && ephemeral(sts->second)) || s.doomed_volumes.count(pod) != 0;
    s.pods.erase(it);
    if (drop) {
      remove_volume(pod);
      s.doomed_volumes.erase(pod);
    }
  }

  void scale(state& s, const std::string& name, int replicas) {
    auto& r = s.statefulsets.at(name);
    r.object.replicas = std::max(0, replicas);
    std::vector<std::string> gone;
    for (const auto& [pn, p] : s.pods)
      if (p.statefulset == name && p.ordinal >= r.object.replicas) gone.push_back(pn);
    // Highest ordinal first, as the controller scales down.
    std::sort(gone.begin(), gone.end(), [&](const std::string& a, const std::string& b) {
      return s.pods.at(a).ordinal > s.pods.at(b).ordinal;
    });
    for (const std::string& pn : gone) remove_pod(s, pn);
  }

  // --- the kubelet -----------------------------------------------------------------------------

  struct starting {
    std::string pod;
    std::uintmax_t log_offset = 0;
    int attempts = 0;
  };

  /// Writes the pod's redis.conf and launches redis-server as a daemon. Returns an error message
  /// when the launch itself failed (a bad configuration: redis-server says so before it forks).
  [[nodiscard]] std::optional<std::string> launch(state& s, pod_record& p, const std::string& conf_text,
                                                  starting& st) {
    const std::filesystem::path dir = pod_dir(p.name);
    std::error_code missing;
    if (o.prepare_volume && !std::filesystem::exists(dir, missing)) {
      try {
        o.prepare_volume(p.name, dir);
      } catch (const std::exception& e) {
        std::filesystem::remove_all(dir, missing);  // tried again on a new volume next time
        return "pod " + p.name + ": preparing its volume failed: " + e.what();
      }
    }
    std::filesystem::create_directories(dir);
    if (!detail::port_free(p.port) || !detail::port_free(static_cast<std::uint16_t>(p.port + 10000)))
      p.port = detail::pick_port(taken_ports(s, p.name));
    const auto sts = s.statefulsets.find(p.statefulset);
    p.auth = sts != s.statefulsets.end() && !sts->second.object.password_secret.empty() && !o.password.empty();
    detail::pod_conf_options co;
    co.port = p.port;
    co.dir = dir;
    co.node_timeout_ms = o.node_timeout_ms;
    const std::string& pw = o.password.reveal();
    co.password = p.auth ? &pw : nullptr;
    co.user = p.auth && !o.password.user().empty() ? &o.password.user() : nullptr;
    co.tls = node_tls ? &*node_tls : nullptr;
    // The password goes into the pod's redis.conf, readable by its owner only (0600), rather
    // than onto the command line, which every user of the machine can read in /proc/<pid>/cmdline
    // and `ps` for as long as the process lives.
    detail::write_private_file(dir / "redis.conf", detail::render_pod_conf(conf_text, co));

    std::error_code ec;
    std::filesystem::remove(pid_file(p.name), ec);  // a stale one (after SIGKILL) would look alive
    st.log_offset = std::filesystem::exists(log_file(p.name), ec) ? std::filesystem::file_size(log_file(p.name), ec) : 0;
    ++st.attempts;
    const detail::run_result r =
        detail::run({redis_server.string(), (dir / "redis.conf").string(), "--daemonize", "yes", "--pidfile",
                     pid_file(p.name).string()},
                    start_timeout);
    if (r.exit_code == 0) return std::nullopt;
    const std::string how = r.exit_code < 0 ? "did not return within 10 s" : "exited with " + std::to_string(r.exit_code);
    return "pod " + p.name + ": redis-server " + how + ":\n" + scrub(r.output);
  }

  /// What the pod's log says since `offset` when it shows the start failed.
  [[nodiscard]] std::optional<std::string> start_failure(const std::string& pod, std::uintmax_t offset) const {
    std::ifstream in(log_file(pod), std::ios::binary);
    if (!in) return std::nullopt;
    in.seekg(static_cast<std::streamoff>(offset));
    std::string line;
    while (std::getline(in, line))
      if (line.find("aborting") != std::string::npos || line.find("Fatal") != std::string::npos ||
          line.find("FATAL") != std::string::npos || line.find("Can't") != std::string::npos)
        return line;
    return std::nullopt;
  }

  /// The redis.conf text of the pod's ConfigMap; nullopt while the pod cannot start: its
  /// StatefulSet is gone, or its ConfigMap does not exist yet (Kubernetes would keep the pod in
  /// ContainerCreating).
  [[nodiscard]] static std::optional<std::string> redis_conf_of(const state& s, const pod_record& p) {
    const auto sts = s.statefulsets.find(p.statefulset);
    if (sts == s.statefulsets.end()) return std::nullopt;
    const std::string& name = sts->second.object.config_map;
    if (name.empty()) return std::string{};
    const auto cm = s.configmaps.find(name);
    if (cm == s.configmaps.end()) return std::nullopt;
    const auto text = cm->second.data.find(redis_conf_key);
    return text == cm->second.data.end() ? std::string{} : text->second;
  }

  /// Starts every pod that should run and does not: the StatefulSet exists, its ConfigMap
  /// exists (Kubernetes would not start the container without it), and a killed pod's
  /// down-time has passed. Returns the failures (the pods stay down, and are tried again after a
  /// short back-off, as a crash-looping container is).
  [[nodiscard]] std::vector<std::string> start_pods(state& s) {
    std::vector<std::string> failures;
    std::vector<starting> pending;
    const std::int64_t now = now_ms();
    for (auto& [name, p] : s.pods) {
      if (p.down_until_ms > now || running_pid(name)) continue;
      const auto conf_text = redis_conf_of(s, p);
      if (!conf_text) continue;
      starting st{name, 0, 0};
      if (auto failed = launch(s, p, *conf_text, st)) {
        p.down_until_ms = now + crash_backoff_ms;
        failures.push_back(std::move(*failed));
        continue;
      }
      p.down_until_ms = 0;
      pending.push_back(std::move(st));
    }
    wait_started(s, pending, failures);
    return failures;
  }

  /// Waits for the daemons to write their pid files (Redis writes it once it listens) and to
  /// answer PING, retrying on a new port when the chosen one was taken in the meantime. A daemon
  /// that never wrote its pid file failed to start; one that runs but does not answer in time is
  /// left to the readiness probe.
  void wait_started(state& s, std::vector<starting>& pending, std::vector<std::string>& failures) {
    auto deadline = std::chrono::steady_clock::now() + start_timeout;
    while (!pending.empty()) {
      for (auto it = pending.begin(); it != pending.end();) {
        pod_record& p = s.pods.at(it->pod);
        if (running_pid(it->pod)) {
          // Started. Give it the rest of the start time to answer (it answers -LOADING while it
          // reads its data), so callers see it ready; one that does not is simply not ready.
          const bool up = answers(p, 200ms);
          if (up || std::chrono::steady_clock::now() >= deadline) it = pending.erase(it);
          else ++it;
          continue;
        }
        const auto why = start_failure(it->pod, it->log_offset);
        const bool timed_out = std::chrono::steady_clock::now() >= deadline;
        if (!why && !timed_out) {
          ++it;
          continue;
        }
        if (why && why->find("listening") != std::string::npos && it->attempts < 3) {
          p.port = detail::pick_port(taken_ports(s, p.name));
          if (auto failed = launch(s, p, redis_conf_of(s, p).value_or(std::string{}), *it)) {
            failures.push_back(std::move(*failed));
            p.down_until_ms = now_ms() + crash_backoff_ms;
            it = pending.erase(it);
          } else {
            deadline = std::max(deadline, std::chrono::steady_clock::now() + start_timeout);
            ++it;
          }
          continue;
        }
        failures.push_back("pod " + it->pod + ": redis-server did not start" +
                           (why ? "" : " within 10 s") + "; the end of " + log_file(it->pod).string() + ":\n" +
                           scrub(detail::tail_lines(log_file(it->pod), 10)));
        p.down_until_ms = now_ms() + crash_backoff_ms;
        it = pending.erase(it);
      }
      if (!pending.empty()) std::this_thread::sleep_for(20ms);
    }
  }

  /// Reconciles pods with StatefulSets: records for missing pods, processes for pods down.
  [[nodiscard]] std::vector<std::string> keep_running(state& s,
                                                      const std::map<std::string, std::uint16_t>& port_hints = {}) {
    create_missing_pods(s, port_hints);
    return start_pods(s);
  }

  static void raise(const std::vector<std::string>& failures) {
    if (failures.empty()) return;
    std::string message;
    for (const std::string& f : failures) message += (message.empty() ? "" : "\n") + f;
    throw error("rcplan.local.start", message);
  }

  /// Like Kubernetes' status: the current revision catches up with the update revision once
  /// every pod runs it.
  static void refresh_revisions(state& s) {
    for (auto& [name, r] : s.statefulsets) {
      bool current = true;
      for (const auto& [pn, p] : s.pods)
        if (p.statefulset == name) current = current && p.revision == r.update_revision;
      if (current) r.current_revision = r.update_revision;
    }
  }

  // --- actions ---------------------------------------------------------------------------------

  void act(state& s, const apply_configmap& a) {
    s.configmaps[a.object.name] = a.object;
    raise(keep_running(s));  // pods waiting for it start now
  }
  void act(state& s, const apply_service& a) { s.services[a.object.name] = a.object; }
  void act(state& s, const apply_pdb& a) { s.pdbs[a.object.name] = a.object; }
  void act(state& s, const apply_statefulset& a) {
    const statefulset_description& d = a.object;
    if (d.name.empty()) throw error("rcplan.local.action", "apply_statefulset without a name");
    auto [it, created] = s.statefulsets.try_emplace(d.name);
    statefulset_record& r = it->second;
    r.object = d;
    // OnDelete: a new template changes the update revision only; pods keep theirs until deleted.
    r.update_revision = detail::template_revision(d);
    if (created) r.current_revision = r.update_revision;
    scale(s, d.name, d.replicas);
    refresh_revisions(s);
    raise(keep_running(s));
  }
  void act(state& s, const scale_statefulset& a) {
    if (s.statefulsets.count(a.name) == 0)
      throw error("rcplan.local.not_found", "scale_statefulset: no StatefulSet " + a.name);
    scale(s, a.name, a.replicas);
    refresh_revisions(s);
    raise(keep_running(s));
  }
  void act(state& s, const delete_pod& a) {
    const auto it = s.pods.find(a.name);
    if (it == s.pods.end()) return;  // already gone: the controller may have recreated nothing yet
    std::map<std::string, std::uint16_t> hints;
    if (!o.new_port_on_restart) hints[a.name] = it->second.port;
    remove_pod(s, a.name);
    refresh_revisions(s);
    raise(keep_running(s, hints));  // the controller recreates it, on its volume
  }
  void act(state& s, const delete_statefulset& a) {
    if (s.statefulsets.count(a.name) == 0) return;
    scale(s, a.name, 0);
    s.statefulsets.erase(a.name);
  }
  void act(state& s, const delete_pvc& a) {
    // PVC names are `data-<pod>` (the volumeClaimTemplate `data`), as reconcile names them.
    constexpr std::string_view prefix = "data-";
    if (a.name.compare(0, prefix.size(), prefix) != 0)
      throw error("rcplan.local.not_found", "delete_pvc: " + a.name + " is not a pod's volume (data-<pod>)");
    const std::string pod = a.name.substr(prefix.size());
    if (pod.empty() || pod.find('/') != std::string::npos || pod == "." || pod == "..")
      throw error("rcplan.local.not_found", "delete_pvc: " + a.name + " is not a pod's volume (data-<pod>)");
    if (s.pods.count(pod) != 0) s.doomed_volumes.insert(pod);  // goes with the pod, not under it
    else remove_volume(pod);
  }
  void act(state&, const update_status& a) {
    nlohmann::ordered_json j;
    to_json(j, a.status);
    detail::write_file_atomically(o.dir / "status.json", j.dump(2) + "\n");
  }
  template <typename A>
  void act(state&, const A&) {
    throw error("rcplan.local.action",
                std::string(action_type_name<A>()) + " is a Redis action; the local runtime carries out Kubernetes ones");
  }
};

// --- runtime ---------------------------------------------------------------------------------

bool holds_cluster(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::is_regular_file(detail::state_path(dir), ec);
}

runtime::runtime(runtime_options options) : impl_(std::make_unique<impl>(std::move(options))) {
  impl& i = *impl_;
  i.redis_server = find_redis_server(i.o.redis_server);
  if (i.o.dir.empty()) throw error("rcplan.local.state", "the local runtime needs a work directory");
  i.o.dir = std::filesystem::absolute(i.o.dir);
  std::error_code ec;
  std::filesystem::create_directories(i.o.dir / "pods", ec);
  if (ec) throw error("rcplan.local.state", "cannot create " + (i.o.dir / "pods").string() + ": " + ec.message());
  const state existing = detail::load_state(i.o.dir);  // a broken state file is reported now
  // A cluster made TLS-only stays so: later runtimes on its directory find its authority.
  const bool has_tls = std::filesystem::is_regular_file(i.tls_dir() / "ca.crt", ec);
  if (i.o.tls && !has_tls && !existing.pods.empty())
    throw error("rcplan.local.tls", i.o.dir.string() + " holds a cluster that runs without TLS; TLS is chosen when a "
                                    "cluster is created");
  if (i.o.tls || has_tls) {
    const dir_lock lock(i.o.dir);
    i.set_up_tls();
    i.o.tls = true;
  }
}

runtime::~runtime() = default;

void runtime::apply(const action& a) {
  impl_->with_state([&](state& s) { std::visit([&](const auto& x) { impl_->act(s, x); }, a); });
}

void runtime::keep_pods_running() {
  impl_->with_state([&](state& s) { impl::raise(impl_->keep_running(s)); });
}

void runtime::observe(topology& t) {
  impl_->with_state([&](state& s) {
    // A pod that cannot start is what a crash-looping container is: observed, not ready.
    (void)impl_->keep_running(s);
    impl::refresh_revisions(s);
    std::map<std::string, int> ready_count;
    std::vector<pod> pods;
    for (const auto& [name, p] : s.pods) {
      pod out;
      out.name = name;
      out.shard_index = p.shard_index;
      out.ordinal = p.ordinal;
      out.kube_node = p.host;
      out.zone = p.zone;
      out.ip = "127.0.0.1";
      out.port = p.port;
      out.ready = impl_->ready(p);
      out.terminating = false;
      out.revision = p.revision;
      if (out.ready) ++ready_count[p.statefulset];
      pods.push_back(std::move(out));
    }
    std::vector<statefulset> sets;
    for (const auto& [name, r] : s.statefulsets) {
      statefulset out;
      out.name = name;
      out.shard_index = r.object.shard_index;
      out.replicas = r.object.replicas;
      out.ready_replicas = ready_count[name];
      out.current_revision = r.current_revision;
      out.update_revision = r.update_revision;
      out.image = r.object.image;
      out.config_hash = template_config_hash(r.object);
      out.password_secret = r.object.password_secret;
      sets.push_back(std::move(out));
    }
    t.pods = std::move(pods);
    t.statefulsets = std::move(sets);
  });
}

std::vector<address> runtime::seeds() {
  return impl_->with_state([&](state& s) {
    std::vector<address> out;
    for (const auto& [name, p] : s.pods)
      if (impl_->running_pid(name))
        out.push_back(address{"127.0.0.1", p.port, static_cast<std::uint16_t>(p.port + 10000), ""});
    return out;
  });
}

bool runtime::pods_ready(const std::string& name) {
  return impl_->with_state([&](state& s) {
    (void)impl_->keep_running(s);
    for (const auto& [sts, r] : s.statefulsets) {
      if (!name.empty() && sts != name) continue;
      for (int ordinal = 0; ordinal < r.object.replicas; ++ordinal) {
        const auto p = s.pods.find(sts + "-" + std::to_string(ordinal));
        if (p == s.pods.end() || !impl_->ready(p->second)) return false;
      }
    }
    return true;
  });
}

void runtime::kill_pod(const std::string& pod_name, std::chrono::milliseconds down_for) {
  impl_->with_state([&](state& s) {
    const auto it = s.pods.find(pod_name);
    if (it == s.pods.end()) throw error("rcplan.local.not_found", "kill_pod: no pod " + pod_name);
    if (const auto pid = impl_->running_pid(pod_name)) detail::kill_process(*pid);
    std::error_code ec;
    std::filesystem::remove(impl_->pid_file(pod_name), ec);
    it->second.down_until_ms = now_ms() + down_for.count();
  });
}

void runtime::down(bool remove_data) {
  impl& i = *impl_;
  const std::lock_guard<std::mutex> guard(i.mu);
  {
    const dir_lock lock(i.o.dir);
    // Every pid file, not only the pods the state lists: a pod whose record was lost (a crash
    // between starting it and saving the state) must not be left running.
    std::error_code ec;
    std::vector<std::string> pods;
    for (const auto& entry : std::filesystem::directory_iterator(i.o.dir / "pods", ec))
      if (entry.is_directory(ec)) pods.push_back(entry.path().filename().string());
    std::sort(pods.begin(), pods.end());
    for (const std::string& pod : pods) i.stop_pod(pod);
  }
  if (remove_data) {
    std::error_code ec;
    std::filesystem::remove_all(i.o.dir, ec);
    if (ec) throw error("rcplan.local.state", "cannot remove " + i.o.dir.string() + ": " + ec.message());
  }
}

const std::filesystem::path& runtime::dir() const noexcept { return impl_->o.dir; }

bool runtime::tls() const noexcept { return impl_->o.tls; }

const redis::tls_options& runtime::client_tls() const noexcept { return impl_->client_tls; }

}  // namespace rcplan::local
