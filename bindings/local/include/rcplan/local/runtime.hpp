#pragma once

// The local runtime: the embedded default platform. Kubernetes-level actions map to real
// redis-server processes in a work directory, so the whole loop runs on one machine:
//
//   StatefulSet  → a record in DIR/state.json; the runtime keeps its pods running
//   pod          → a redis-server process with its own DIR/pods/<pod>/ (data, nodes.conf,
//                  redis.conf, pid file, log) and a loopback port
//   delete_pod   → the process is stopped and started again on its data (optionally on a new
//                  port, to exercise a pod whose IP changed)
//   delete_pvc   → the pod's data directory is removed
//   ConfigMap    → the redis.conf every pod starts from
//
// Each pod carries a virtual Kubernetes node and zone label (round robin over `hosts` and
// `zones`), so placement can be exercised on one machine. Processes outlive the runtime
// object (they are daemons with pid files): `rcplan local up` and a later `rcplan local
// status` see the same cluster. `down()` stops them all.

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/redis/platform.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rcplan::local {

struct runtime_options {
  std::filesystem::path dir;
  /// The redis-server binary; a bare name is looked up on PATH.
  std::string redis_server = "redis-server";
  redis::secret password;  ///< started with requirepass/masterauth when the spec names a Secret
  /// During a password change, the password being replaced: a running pod that still requires
  /// it counts as ready (reconcile then gives it the new one live); pods started from now on
  /// get `password`.
  redis::secret previous_password;
  std::vector<std::string> hosts = {"local-a", "local-b", "local-c"};
  std::vector<std::string> zones = {"zone-1", "zone-2", "zone-3"};
  /// cluster-node-timeout of every pod (small, so failovers happen quickly on one machine).
  std::uint32_t node_timeout_ms = 3000;
  /// A restarted pod comes back on a new port (a new "pod IP").
  bool new_port_on_restart = false;
  /// Called with a pod's name and data directory when the pod is about to start on a new
  /// volume (the directory does not exist yet), before redis-server runs: a restore places a
  /// backup's RDB file there, as Kubernetes' init container does. What it throws fails the
  /// pod's start.
  std::function<void(const std::string& pod, const std::filesystem::path& data_dir)> prepare_volume;
  /// Run every pod TLS-only (`port 0`, `tls-port`, TLS on the cluster bus and for replication,
  /// clients authenticated by certificate), with certificates the runtime makes in DIR/tls: an
  /// authority (ca.crt), a node certificate for 127.0.0.1 and localhost, a client certificate
  /// (client.crt, client.key). Kept in the directory: a later runtime on it runs TLS whatever
  /// this says. Clients connect with client_tls().
  bool tls = false;
};

/// Whether `dir` holds a local cluster's state (a runtime opened on it would find StatefulSets
/// to keep running), without opening it.
[[nodiscard]] bool holds_cluster(const std::filesystem::path& dir);

class runtime final : public redis::platform {
 public:
  /// Opens (or creates) the work directory and loads its state. Throws rcplan::error
  /// (`rcplan.local.redis_server`) with install instructions when redis-server is missing.
  explicit runtime(runtime_options options);
  ~runtime() override;
  runtime(const runtime&) = delete;
  runtime& operator=(const runtime&) = delete;

  void apply(const action& a) override;
  void observe(topology& t) override;
  [[nodiscard]] std::vector<address> seeds() override;
  [[nodiscard]] bool pods_ready(const std::string& name) override;

  /// Starts every pod of every StatefulSet whose process is not running (the kubelet's job);
  /// called by observe() too.
  void keep_pods_running();
  /// SIGKILLs a pod's process, as a crash would. keep_pods_running() starts it again once
  /// `down_for` has passed (0: at the next call), on its data.
  void kill_pod(const std::string& pod_name, std::chrono::milliseconds down_for = std::chrono::milliseconds{0});
  /// Stops every process and, with `remove_data`, deletes the work directory.
  void down(bool remove_data = true);

  [[nodiscard]] const std::filesystem::path& dir() const noexcept;

  /// Whether the pods run TLS-only (asked for, or found in the directory).
  [[nodiscard]] bool tls() const noexcept;
  /// What a client connects to the pods with: TLS with the runtime's authority and client
  /// certificate when tls(), else TLS off. Give it to observe, execute and client options.
  [[nodiscard]] const redis::tls_options& client_tls() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::local
