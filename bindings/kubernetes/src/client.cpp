#include <rcplan/error.hpp>
#include <rcplan/kubernetes/client.hpp>

#include "http.hpp"
#include "text.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <thread>
#include <string>
#include <utility>

namespace rcplan::kubernetes {

namespace {

std::string collection_path(const resource_kind& k, const std::string& ns) {
  std::string p = k.group.empty() ? "/api/" + k.version : "/apis/" + k.group + "/" + k.version;
  if (k.namespaced && !ns.empty()) p += "/namespaces/" + ns;
  return p + "/" + k.plural;
}

std::string object_path(const resource_kind& k, const std::string& ns, const std::string& name) {
  return collection_path(k, ns) + "/" + name;
}

std::string describe(const std::string& verb, const resource_kind& k, const std::string& ns, const std::string& name) {
  std::string what = verb + " " + k.kind;
  if (k.namespaced && !ns.empty()) what += " " + ns + "/" + name;
  else if (!name.empty()) what += " " + name;
  return what;
}

const char* error_id(long status) {
  switch (status) {
    case 400:
    case 422: return "rcplan.kubernetes.invalid";
    case 401: return "rcplan.kubernetes.unauthorized";
    case 403: return "rcplan.kubernetes.forbidden";
    case 404: return "rcplan.kubernetes.not_found";
    case 409: return "rcplan.kubernetes.conflict";
    case 410: return "rcplan.kubernetes.gone";
    default: return "rcplan.kubernetes.server";
  }
}

/// The API server's own message from a Status body, or the body's start when it is not one.
std::string server_message(const std::string& body) {
  const nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string()) return j["message"].get<std::string>();
  return body.substr(0, 200);
}

[[noreturn]] void fail(long status, const std::string& body, const std::string& what) {
  const std::string message = server_message(body);
  // A server-side apply whose values do not fit the schema's types is answered with 500 (the
  // patch cannot be typed), yet it is the object that is wrong, as with a 422.
  const bool untyped_patch = status == 500 && message.find("failed to create typed patch object") != std::string::npos;
  throw error(untyped_patch ? "rcplan.kubernetes.invalid" : error_id(status),
              what + ": " + message + " (HTTP " + std::to_string(status) + ")");
}

nlohmann::json parse_object(const std::string& body, const std::string& what) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
  if (j.is_discarded()) throw error("rcplan.kubernetes.server", what + ": the answer is not JSON");
  return j;
}

std::string text_field(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string query(std::initializer_list<std::pair<const char*, std::string>> params) {
  std::string q;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    q += q.empty() ? "?" : "&";
    q += std::string(key) + "=" + detail::url_encode(value);
  }
  return q;
}

}  // namespace

struct client::impl {
  cluster_access access;
  detail::http_session http;

  explicit impl(cluster_access a) : access(std::move(a)), http(access) {}

  nlohmann::json call(detail::http_request r, const std::string& what) {
    const detail::http_response resp = http.perform(r, what);
    if (resp.status < 200 || resp.status >= 300) fail(resp.status, resp.body, what);
    return parse_object(resp.body, what);
  }

  /// kind, namespace and name of an object to write, checked before anything is sent.
  struct target {
    const resource_kind* kind;
    std::string ns;
    std::string name;
  };
  target target_of(const nlohmann::json& object, const char* verb) const {
    if (!object.is_object()) throw error("rcplan.kubernetes.invalid", std::string(verb) + ": the object is not a JSON object");
    const std::string api_version = text_field(object, "apiVersion");
    const std::string kind = text_field(object, "kind");
    const resource_kind& k = kind_of(api_version, kind);
    const nlohmann::json meta = object.value("metadata", nlohmann::json::object());
    std::string name = text_field(meta, "name");
    // A POST may leave the name to the server (metadata.generateName).
    if (name.empty() && std::string_view(verb) == "create") name = text_field(meta, "generateName");
    if (name.empty()) throw error("rcplan.kubernetes.invalid", std::string(verb) + " " + kind + ": metadata.name is missing");
    std::string ns = k.namespaced ? text_field(meta, "namespace") : std::string{};
    if (k.namespaced && ns.empty()) ns = access.namespace_name;
    return {&k, std::move(ns), std::move(name)};
  }

  nlohmann::json with_namespace(nlohmann::json object, const target& t) const {
    if (t.kind->namespaced) object["metadata"]["namespace"] = t.ns;
    return object;
  }

  /// Sends `object` (its namespace filled in) with `method`: to the object's path plus `suffix`,
  /// or to its collection (create).
  nlohmann::json send(const nlohmann::json& object, const char* method, bool to_collection, const std::string& suffix,
                      const char* content_type, const char* verb) {
    const target t = target_of(object, verb);
    detail::http_request r;
    r.method = method;
    r.path = (to_collection ? collection_path(*t.kind, t.ns) : object_path(*t.kind, t.ns, t.name)) + suffix;
    r.content_type = content_type;
    r.body = with_namespace(object, t).dump();
    return call(r, describe(verb, *t.kind, t.ns, t.name));
  }

  /// Server-side apply of `object`, or of one of its subresources ("/status").
  nlohmann::json apply(const nlohmann::json& object, const std::string& subresource, const char* verb) {
    return send(object, "PATCH", false, subresource + query({{"fieldManager", field_manager}, {"force", "true"}}),
                "application/apply-patch+yaml", verb);
  }
};

client::client(cluster_access access) : impl_(std::make_unique<impl>(std::move(access))) {}
client::~client() = default;
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;

const cluster_access& client::access() const noexcept { return impl_->access; }
const std::string& client::default_namespace() const noexcept { return impl_->access.namespace_name; }

nlohmann::json client::get(const resource_kind& kind, const std::string& ns, const std::string& name) {
  detail::http_request r;
  r.path = object_path(kind, ns, name);
  return impl_->call(r, describe("get", kind, ns, name));
}

std::optional<nlohmann::json> client::find(const resource_kind& kind, const std::string& ns, const std::string& name) {
  try {
    return get(kind, ns, name);
  } catch (const error& e) {
    if (e.id() == "rcplan.kubernetes.not_found") return std::nullopt;
    throw;
  }
}

nlohmann::json client::list(const resource_kind& kind, const std::string& ns, const list_options& o) {
  detail::http_request r;
  r.path = collection_path(kind, ns) + query({{"labelSelector", o.label_selector}, {"fieldSelector", o.field_selector}});
  std::string what = "list " + kind.kind;
  if (kind.namespaced) what += ns.empty() ? " in every namespace" : " in " + ns;
  return impl_->call(r, what);
}

nlohmann::json client::apply(const nlohmann::json& object) { return impl_->apply(object, "", "apply"); }

nlohmann::json client::apply_status(const nlohmann::json& object) {
  return impl_->apply(object, "/status", "apply status of");
}

nlohmann::json client::replace(const nlohmann::json& object) {
  return impl_->send(object, "PUT", false, "", "application/json", "replace");
}

nlohmann::json client::create(const nlohmann::json& object) {
  return impl_->send(object, "POST", true, "", "application/json", "create");
}

nlohmann::json client::merge_patch(const resource_kind& kind, const std::string& ns, const std::string& name,
                                   const nlohmann::json& patch, const std::string& subresource) {
  detail::http_request r;
  r.method = "PATCH";
  r.path = object_path(kind, ns, name) + (subresource.empty() ? std::string{} : "/" + subresource);
  r.content_type = "application/merge-patch+json";
  r.body = patch.dump();
  return impl_->call(r, describe(subresource.empty() ? "patch" : "patch " + subresource + " of", kind, ns, name));
}

void client::bind(const std::string& ns, const std::string& pod, const std::string& node) {
  detail::http_request r;
  r.method = "POST";
  r.path = object_path(kinds::pod, ns, pod) + "/binding";
  r.content_type = "application/json";
  r.body = nlohmann::json{{"apiVersion", "v1"},
                          {"kind", "Binding"},
                          {"metadata", {{"name", pod}, {"namespace", ns}}},
                          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}}
               .dump();
  (void)impl_->call(r, describe("bind", kinds::pod, ns, pod) + " to node " + node);
}

bool client::remove(const resource_kind& kind, const std::string& ns, const std::string& name, const delete_options& o) {
  nlohmann::json body = {{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
  if (!o.propagation_policy.empty()) body["propagationPolicy"] = o.propagation_policy;
  if (!o.precondition_uid.empty()) body["preconditions"]["uid"] = o.precondition_uid;
  if (!o.precondition_resource_version.empty()) body["preconditions"]["resourceVersion"] = o.precondition_resource_version;
  if (o.grace_period_seconds >= 0) body["gracePeriodSeconds"] = o.grace_period_seconds;
  detail::http_request r;
  r.method = "DELETE";
  r.path = object_path(kind, ns, name);
  r.content_type = "application/json";
  r.body = body.dump();
  try {
    (void)impl_->call(r, describe("delete", kind, ns, name));
    return true;
  } catch (const error& e) {
    if (e.id() == "rcplan.kubernetes.not_found") return false;
    throw;
  }
}

std::string client::watch(const resource_kind& kind, const std::string& ns, const watch_options& o,
                          const std::function<bool(const watch_event&)>& on_event) {
  detail::http_request r;
  r.path = collection_path(kind, ns) +
           query({{"watch", "1"},
                  {"resourceVersion", o.resource_version},
                  {"labelSelector", o.label_selector},
                  {"allowWatchBookmarks", o.allow_bookmarks ? "true" : ""},
                  {"timeoutSeconds", std::to_string(o.timeout.count())}});
  r.timeout = o.timeout + std::chrono::seconds(30);
  const std::string what = "watch " + kind.kind + (kind.namespaced && !ns.empty() ? " in " + ns : std::string{});
  std::string pending;
  std::string last_version = o.resource_version;
  std::string error_body;
  bool failed = false;
  long event_error_code = 0;
  std::exception_ptr handler_error;
  std::string event_error;
  const long status = impl_->http.stream(r, what, [&](std::string_view chunk) {
    pending.append(chunk);
    std::size_t end = 0;
    while ((end = pending.find('\n')) != std::string::npos) {
      const std::string line = pending.substr(0, end);
      pending.erase(0, end + 1);
      if (line.empty()) continue;
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("type")) {
        error_body += line;
        failed = true;
        return false;
      }
      watch_event ev{text_field(j, "type"), std::move(j["object"])};
      if (ev.type == "ERROR") {  // thrown after the transfer: never through libcurl's frames
        event_error_code = ev.object.value("code", 500L);
        event_error = ev.object.dump();
        return false;
      }
      const std::string v = text_field(ev.object.value("metadata", nlohmann::json::object()), "resourceVersion");
      if (!v.empty()) last_version = v;
      if (ev.type == "BOOKMARK") continue;
      try {
        if (!on_event(ev)) return false;
      } catch (...) {
        handler_error = std::current_exception();
        return false;
      }
    }
    return true;
  });
  if (status < 200 || status >= 300) fail(status, error_body + pending, what);
  if (handler_error) std::rethrow_exception(handler_error);
  if (event_error_code != 0) fail(event_error_code, event_error, what);
  if (failed) throw error("rcplan.kubernetes.server", what + ": a watch line is not an event");
  return last_version;
}

namespace {

/// What follow() has handed on: each object by namespace/name, so that a relist can be told
/// as the changes it brings (ADDED, MODIFIED, DELETED), as if no watch had been cut.
class followed_state {
 public:
  /// Hands on the differences between what is known and `items`; false when told to stop.
  bool replace(nlohmann::json& items, const std::function<bool(const watch_event&)>& on_event) {
    std::map<std::string, nlohmann::json> now;
    for (nlohmann::json& item : items) now.emplace(key_of(item), std::move(item));
    for (auto& [key, object] : now) {
      const auto it = known_.find(key);
      if (it == known_.end()) {
        if (!on_event(watch_event{"ADDED", object})) return false;
      } else if (version_of(it->second) != version_of(object)) {
        if (!on_event(watch_event{"MODIFIED", object})) return false;
      }
    }
    for (auto& [key, object] : known_)
      if (now.count(key) == 0 && !on_event(watch_event{"DELETED", object})) return false;
    known_ = std::move(now);
    return true;
  }
  void record(const watch_event& e) {
    if (e.type == "DELETED") known_.erase(key_of(e.object));
    else known_[key_of(e.object)] = e.object;
  }

 private:
  static std::string key_of(const nlohmann::json& o) {
    const nlohmann::json& meta = o["metadata"];
    return text_field(meta, "namespace") + "/" + text_field(meta, "name");
  }
  static std::string version_of(const nlohmann::json& o) { return text_field(o["metadata"], "resourceVersion"); }
  std::map<std::string, nlohmann::json> known_;
};

}  // namespace

void client::follow(const resource_kind& kind, const std::string& ns, const follow_options& o,
                    const std::function<bool(const watch_event&)>& on_event) {
  std::chrono::milliseconds wait = o.backoff;
  std::string version;
  followed_state state;
  bool go_on = true;
  while (go_on && (!o.keep_going || o.keep_going())) {
    try {
      if (version.empty()) {
        list_options lo;
        lo.label_selector = o.label_selector;
        nlohmann::json l = list(kind, ns, lo);
        version = text_field(l["metadata"], "resourceVersion");
        if (!(go_on = state.replace(l["items"], on_event))) break;
        if (o.on_listed) o.on_listed();
      }
      watch_options wo;
      wo.resource_version = version;
      wo.label_selector = o.label_selector;
      wo.timeout = o.watch_timeout;
      version = watch(kind, ns, wo, [&](const watch_event& e) {
        state.record(e);
        return go_on = on_event(e);
      });
      wait = o.backoff;
    } catch (const error& e) {
      if (e.id() == "rcplan.kubernetes.gone") {
        version.clear();  // too old (compacted, or a restarted server's cache): list again
      } else if (e.id() == "rcplan.kubernetes.unreachable" || e.id() == "rcplan.kubernetes.server") {
        std::this_thread::sleep_for(wait);  // restarting, or a connection cut mid-stream
        wait = std::min(wait * 2, o.backoff_max);
      } else {
        throw;
      }
    }
  }
}

const resource_kind& kind_of(const std::string& api_version, const std::string& kind) {
  static const resource_kind* const all[] = {
      &kinds::namespace_kind, &kinds::pod, &kinds::service, &kinds::configmap, &kinds::secret, &kinds::pvc, &kinds::persistent_volume,
      &kinds::node, &kinds::event, &kinds::service_account, &kinds::statefulset, &kinds::controller_revision,
      &kinds::deployment, &kinds::job, &kinds::pdb, &kinds::lease, &kinds::crd, &kinds::cluster_role,
      &kinds::cluster_role_binding, &kinds::role, &kinds::role_binding, &kinds::distributed_redis_cluster,
      &kinds::redis_cluster_backup};
  for (const resource_kind* k : all)
    if (k->api_version() == api_version && k->kind == kind) return *k;
  throw error("rcplan.kubernetes.kind", "unknown kind \"" + kind + "\" of apiVersion \"" + api_version + "\"");
}

}  // namespace rcplan::kubernetes
