#pragma once

// What the local runtime remembers between calls and between processes: the objects applied
// (as the Kubernetes API server would hold them) and, per pod, what the kubelet and the
// network would know (port, host, zone, the revision it was created from, when a killed pod may
// come back). Never a secret: the password stays in memory and in the pods' redis.conf.

#include <rcplan/plan/kube_objects.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace rcplan::local::detail {

struct statefulset_record {
  statefulset_description object;
  std::string update_revision;
  std::string current_revision;
  friend bool operator==(const statefulset_record&, const statefulset_record&) = default;
};

struct pod_record {
  std::string name;
  std::string statefulset;
  int shard_index = 0;
  int ordinal = 0;
  std::uint16_t port = 0;
  std::string host;
  std::string zone;
  std::string revision;        ///< the StatefulSet's update revision when the pod was created
  bool auth = false;           ///< started with requirepass (the readiness check must AUTH)
  std::int64_t down_until_ms = 0;  ///< a killed pod is not restarted before (Unix ms)
  friend bool operator==(const pod_record&, const pod_record&) = default;
};

struct state {
  std::map<std::string, configmap_description> configmaps;
  std::map<std::string, statefulset_record> statefulsets;
  std::map<std::string, service_description> services;
  std::map<std::string, pdb_description> pdbs;
  std::map<std::string, pod_record> pods;
  /// Pods whose volume was deleted while they ran: it goes once the pod is gone, as a PVC
  /// protected by its pod does.
  std::set<std::string> doomed_volumes;
  friend bool operator==(const state&, const state&) = default;
};

/// The state as JSON text (sorted keys, so the file is the same for the same state).
[[nodiscard]] std::string state_to_json(const state& s);
/// Throws rcplan::error (`rcplan.local.state`) naming `origin` when the text is not a state.
[[nodiscard]] state state_from_json(const std::string& text, const std::string& origin);

/// DIR/state.json: where a work directory keeps its state.
[[nodiscard]] std::filesystem::path state_path(const std::filesystem::path& dir);
/// DIR/state.json, or an empty state when there is none yet.
[[nodiscard]] state load_state(const std::filesystem::path& dir);
void save_state(const std::filesystem::path& dir, const state& s);

/// Replaces `path` by `content` so that a reader (or a crash) sees the old file or the new one,
/// never a torn one: a temporary file in the same directory, fsync, rename.
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

/// The revision a StatefulSet's pods are created from: like Kubernetes' controller revision,
/// `<name>-<hash>` of the template fields that restart pods (planner/objects.hpp's
/// template_outdated: image, config hash, password Secret), so the same template gives the same
/// revision and any change to those fields a new one.
[[nodiscard]] std::string template_revision(const statefulset_description& s);

}  // namespace rcplan::local::detail
