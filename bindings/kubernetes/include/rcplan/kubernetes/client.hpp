#pragma once

// A client of the Kubernetes API server: get, list, watch, server-side apply, delete, the
// status subresource, and plain create (Events). Objects are JSON as the API server speaks it.
//
// Every failure is an rcplan::error whose id says what kind of failure it is and whose message
// names the verb, the kind, namespace/name and the API server's own message — never a token, a
// key or a Secret's data:
//   rcplan.kubernetes.unreachable  no answer (connection refused, TLS failure, timeout)
//   rcplan.kubernetes.unauthorized the credentials were not accepted (401)
//   rcplan.kubernetes.forbidden    RBAC refused the call (403)
//   rcplan.kubernetes.not_found    404
//   rcplan.kubernetes.conflict     409: a precondition, resourceVersion or field-manager conflict
//   rcplan.kubernetes.gone         410: a watch's resourceVersion is too old (relist)
//   rcplan.kubernetes.invalid      422 or 400: the object was rejected (schema, validation)
//   rcplan.kubernetes.server       any other status

#include <rcplan/kubernetes/config.hpp>
#include <rcplan/kubernetes/resources.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rcplan::kubernetes {

/// The field manager of every server-side apply rcplan makes.
inline constexpr const char* field_manager = "rcplan";

struct list_options {
  std::string label_selector;
  std::string field_selector;
};

struct delete_options {
  /// "Foreground", "Background" or "Orphan"; empty: the kind's default.
  std::string propagation_policy;
  /// Delete only this object: it still has this uid / resourceVersion (else `conflict`).
  std::string precondition_uid;
  std::string precondition_resource_version;
  /// Seconds the object's holder gets to stop it (pods); 0 removes it at once (what the
  /// kubelet sends once the containers have stopped); negative: the object's own setting.
  int grace_period_seconds = -1;
};

struct watch_event {
  std::string type;  ///< ADDED, MODIFIED, DELETED, BOOKMARK
  nlohmann::json object;
};

struct watch_options {
  std::string resource_version;  ///< start after this version (from a list); empty: now
  std::string label_selector;
  bool allow_bookmarks = true;
  /// How long the server keeps this watch open before ending it cleanly.
  std::chrono::seconds timeout{300};
};

/// How follow() keeps a view of a collection current.
struct follow_options {
  std::string label_selector;
  /// Waits between attempts after the API server could not be reached: doubling from
  /// `backoff` up to `backoff_max`.
  std::chrono::milliseconds backoff{100};
  std::chrono::milliseconds backoff_max{5000};
  /// How long each watch request stays open before it is renewed from the last version seen.
  std::chrono::seconds watch_timeout{60};
  /// Called after each list has been handed on (the view is complete: an informer is synced).
  std::function<void()> on_listed;
  /// Asked before each list or watch request; false ends follow() (unset: go on).
  std::function<bool()> keep_going;
};

class client {
 public:
  explicit client(cluster_access access);
  ~client();
  client(client&&) noexcept;
  client& operator=(client&&) noexcept;
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  [[nodiscard]] const cluster_access& access() const noexcept;
  /// The namespace of the kubeconfig's context (or the pod's).
  [[nodiscard]] const std::string& default_namespace() const noexcept;

  /// The object, or `not_found`.
  [[nodiscard]] nlohmann::json get(const resource_kind& kind, const std::string& ns, const std::string& name);
  /// The object, or nothing when it does not exist.
  [[nodiscard]] std::optional<nlohmann::json> find(const resource_kind& kind, const std::string& ns,
                                                   const std::string& name);
  /// The list object (`items`, `metadata.resourceVersion`); `ns` empty: every namespace.
  [[nodiscard]] nlohmann::json list(const resource_kind& kind, const std::string& ns, const list_options& o = {});
  /// Server-side apply of `object` (its apiVersion, kind, metadata.name and, for namespaced
  /// kinds, metadata.namespace or the default namespace) as field manager `rcplan`, taking
  /// over conflicting fields. Returns the object as stored.
  nlohmann::json apply(const nlohmann::json& object);
  /// Server-side apply of the object's `status` through the status subresource.
  nlohmann::json apply_status(const nlohmann::json& object);
  /// JSON merge patch of the object, or of a subresource ("status", "scale"). Returns the
  /// object as stored.
  nlohmann::json merge_patch(const resource_kind& kind, const std::string& ns, const std::string& name,
                             const nlohmann::json& patch, const std::string& subresource = {});
  /// Binds a pending pod to a node (the scheduler's call).
  void bind(const std::string& ns, const std::string& pod, const std::string& node);
  /// PUT of the whole object: with metadata.resourceVersion set, only if the stored object is
  /// still that version (else `conflict`) — the optimistic concurrency a Lease's holder needs.
  nlohmann::json replace(const nlohmann::json& object);
  /// POST of a new object (Events, Leases); its name may be left to the server
  /// (metadata.generateName).
  nlohmann::json create(const nlohmann::json& object);
  /// Deletes the object. Returns false when it did not exist.
  bool remove(const resource_kind& kind, const std::string& ns, const std::string& name, const delete_options& o = {});
  /// Watches until the server ends the watch or `on_event` returns false. Returns the last
  /// resourceVersion seen (of an event or a bookmark). Throws `gone` when the server says the
  /// start version is too old.
  std::string watch(const resource_kind& kind, const std::string& ns, const watch_options& o,
                    const std::function<bool(const watch_event&)>& on_event);

  /// Lists the collection, hands every item to `on_event` as ADDED, then watches from the
  /// list's version for as long as `on_event` returns true: a watch the server ends is renewed
  /// from the last version seen (events or bookmarks); a version too old (410 Gone: compacted,
  /// or a restarted server) is answered with a new list told as the changes since what was
  /// handed on (ADDED, MODIFIED, DELETED), so the stream stays as if no watch had been cut; an
  /// API server that cannot be reached (restarting) is tried again with backoff. Other errors
  /// (forbidden, ...) are thrown.
  void follow(const resource_kind& kind, const std::string& ns, const follow_options& o,
              const std::function<bool(const watch_event&)>& on_event);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::kubernetes
