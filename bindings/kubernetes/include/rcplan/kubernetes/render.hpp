#pragma once

// Rendering: the objects a plan's Kubernetes actions carry (rcplan/plan/kube_objects.hpp) →
// the manifests the API server accepts. Pure functions: the same description gives the same
// JSON, byte for byte.
//
// What a rendered StatefulSet adds to its description:
// - `app.kubernetes.io/{name,instance,component,managed-by}` labels beside the shard index;
//   the selector stays the original operator's (a StatefulSet's selector cannot change);
// - an ownerReference to the DistributedRedisCluster when its uid is known, so that deleting
//   the resource deletes its objects;
// - the placement policy's pod anti-affinity (in the description) and a soft topology spread
//   of all the cluster's pods over `topology.kubernetes.io/zone`;
// - a readiness probe that understands cluster state (ready once the node serves a healthy
//   cluster, or while it is a lone node waiting to be met), a TCP liveness probe (a node still
//   loading its data is alive), and a preStop hook that asks a connected replica of a master
//   to fail over and waits for it, so a master hands over before its pod goes away;
// - the password only by reference: `REDIS_PASSWORD` comes from the Secret; the container's
//   start-up script appends `requirepass`/`masterauth` to a copy of redis.conf in a memory
//   volume (never the ConfigMap, an annotation or a process argument), and the probes
//   authenticate through `REDISCLI_AUTH`;
// - storage: a volumeClaimTemplate `data` (persistent-claim) or an emptyDir (ephemeral), PVCs
//   retained on scale-down and deletion (rcplan deletes them itself, only when deleteClaim);
// - for a cluster created from a backup, an init container `restore` running
//   `rcplan restore pod` from `tools_image`: it reads the restore ConfigMap and Secret
//   (restore_config_name(), both optional, so without them it does nothing) and puts the pod's
//   shard file, checked against its SHA-256, on a new volume before Redis starts;
// - the redis_exporter side car from `monitor`, resources, tolerations, nodeSelector,
//   security contexts and imagePullSecrets as the spec gives them.

#include <rcplan/plan/action.hpp>
#include <rcplan/plan/kube_objects.hpp>

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rcplan::kubernetes {

/// The DistributedRedisCluster that owns the rendered objects.
struct owner {
  std::string name;
  std::string uid;
};

/// The image holding the `rcplan` binary: the operator's own.
inline constexpr const char* default_tools_image = "rcplan:latest";

/// Where the restore step finds its ConfigMap's file inside the init container.
inline constexpr const char* restore_mount = "/etc/rcplan/restore";
/// The key of the restore ConfigMap (the file the init container reads).
inline constexpr const char* restore_config_key = "restore.json";

struct render_options {
  std::string namespace_name = "default";
  /// Set when the resource exists in the API server (its uid is known): every object gets an
  /// ownerReference to it.
  std::optional<owner> owned_by;
  /// The image of the restore init container (and of backup Jobs).
  std::string tools_image = default_tools_image;
};

/// Labels every rendered object carries besides its description's own.
inline constexpr const char* label_instance = "app.kubernetes.io/instance";
inline constexpr const char* label_component = "app.kubernetes.io/component";
inline constexpr const char* label_managed_by = "app.kubernetes.io/managed-by";

[[nodiscard]] nlohmann::json render(const statefulset_description& s, const render_options& o);
[[nodiscard]] nlohmann::json render(const service_description& s, const render_options& o);
[[nodiscard]] nlohmann::json render(const pdb_description& p, const render_options& o);
[[nodiscard]] nlohmann::json render(const configmap_description& c, const render_options& o);
/// The resource with only its status, for the status subresource.
[[nodiscard]] nlohmann::json render_status(const std::string& cluster, const cluster_status& s, const render_options& o);

/// Every object of `objects`: the ConfigMap, the Services, the StatefulSets, the PDBs.
[[nodiscard]] std::vector<nlohmann::json> render(const kube_objects& objects, const render_options& o);

/// The object a plan's action applies (apply_*, and update_status as the resource with its
/// status); nothing for the others (Redis actions, scaling, deletions, waits).
[[nodiscard]] std::optional<nlohmann::json> render(const action& a, const std::string& cluster, const render_options& o);

}  // namespace rcplan::kubernetes
