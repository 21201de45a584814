#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/kubernetes/secrets.hpp>

#include "scripts.hpp"

#include <type_traits>
#include <variant>

namespace rcplan::kubernetes {

namespace {

using nlohmann::json;

constexpr const char* data_volume = "data";
constexpr const char* conf_volume = "conf";
constexpr const char* run_volume = "run";
constexpr const char* password_volume = "password";
constexpr const char* restore_volume = "restore";
constexpr const char* zone_key = "topology.kubernetes.io/zone";
constexpr const char* password_variable = "REDIS_PASSWORD";

json string_map(const std::map<std::string, std::string>& m) {
  json out = json::object();
  for (const auto& [k, v] : m) out[k] = v;
  return out;
}

/// The description's labels plus the recommended app.kubernetes.io ones.
json labels_of(const std::map<std::string, std::string>& own, const std::string& cluster) {
  json out = string_map(own);
  out[label_app_name] = app_name;
  out[label_instance] = cluster;
  out[label_component] = "redis";
  out[label_managed_by] = "rcplan";
  return out;
}

json metadata(const std::string& name, const std::string& cluster, const std::map<std::string, std::string>& labels,
              const render_options& o) {
  json m = {{"name", name}, {"namespace", o.namespace_name}, {"labels", labels_of(labels, cluster)}};
  if (o.owned_by)
    m["ownerReferences"] = json::array({{{"apiVersion", kinds::distributed_redis_cluster.api_version()},
                                         {"kind", kinds::distributed_redis_cluster.kind},
                                         {"name", o.owned_by->name},
                                         {"uid", o.owned_by->uid},
                                         {"controller", true},
                                         {"blockOwnerDeletion", true}}});
  return m;
}

json object(const resource_kind& k, json meta) {
  return {{"apiVersion", k.api_version()}, {"kind", k.kind}, {"metadata", std::move(meta)}};
}

/// Whether an opaque spec value is set.
bool present(const value& v) { return !v.is_null(); }

json resources_of(const kube_resources& r) {
  json out = json::object();
  if (!r.requests.empty()) out["requests"] = string_map(r.requests);
  if (!r.limits.empty()) out["limits"] = string_map(r.limits);
  return out;
}

json secret_env(const std::string& variable, const std::string& secret) {
  return {{"name", variable}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", password_key}}}}}};
}

/// The description's env, with the password variable for redis-cli's probes when there is a
/// Secret (REDISCLI_AUTH: redis-cli reads it, so it is never an argument).
json redis_env(const statefulset_description& s) {
  json env = present(s.env) ? json(s.env) : json::array();
  if (!s.password_secret.empty()) {
    bool has_password = false;
    for (const json& e : env) has_password = has_password || e.value("name", "") == password_variable;
    if (!has_password) env.push_back(secret_env(password_variable, s.password_secret));
    env.push_back(secret_env("REDISCLI_AUTH", s.password_secret));
  }
  return env;
}

json exec_probe(const char* script) { return {{"exec", {{"command", json::array({"sh", "-c", script})}}}}; }

json redis_container(const statefulset_description& s) {
  json c = {{"name", "redis"}, {"image", s.image}};
  if (!s.image_pull_policy.empty()) c["imagePullPolicy"] = s.image_pull_policy;
  if (s.command.empty()) {
    c["command"] = json::array({"sh", "-c", detail::start_script});
  } else {
    c["command"] = s.command;
  }
  c["env"] = redis_env(s);
  c["ports"] = json::array({{{"name", "client"}, {"containerPort", redis_client_port}},
                            {{"name", "gossip"}, {"containerPort", redis_bus_port}}});
  c["volumeMounts"] = json::array({{{"name", data_volume}, {"mountPath", "/data"}},
                                   {{"name", conf_volume}, {"mountPath", "/conf"}, {"readOnly", true}},
                                   {{"name", run_volume}, {"mountPath", "/run/redis"}}});
  if (!s.password_secret.empty())
    c["volumeMounts"].push_back({{"name", password_volume}, {"mountPath", detail::password_dir}, {"readOnly", true}});
  json readiness = exec_probe(detail::readiness_script);
  readiness["periodSeconds"] = 5;
  readiness["timeoutSeconds"] = 5;
  c["readinessProbe"] = readiness;
  c["livenessProbe"] = {{"tcpSocket", {{"port", redis_client_port}}},
                        {"initialDelaySeconds", 30},
                        {"periodSeconds", 10},
                        {"failureThreshold", 6}};
  c["lifecycle"] = {{"preStop", exec_probe(detail::pre_stop_script)}};
  const json res = resources_of(s.resources);
  if (!res.empty()) c["resources"] = res;
  if (present(s.container_security_context)) c["securityContext"] = s.container_security_context;
  return c;
}

json exporter_container(const statefulset_description& s, const monitor_description& m) {
  json c = {{"name", "exporter"}, {"image", m.image}};
  if (!m.args.empty()) c["args"] = m.args;
  json env = present(m.env) ? json(m.env) : json::array();
  if (!s.password_secret.empty()) env.push_back(secret_env(password_variable, s.password_secret));
  if (!env.empty()) c["env"] = env;
  c["ports"] = json::array({{{"name", "prom"}, {"containerPort", m.port}}});
  const json res = resources_of(m.resources);
  if (!res.empty()) c["resources"] = res;
  if (present(m.security_context)) c["securityContext"] = m.security_context;
  return c;
}

/// Puts the pod's backup shard file on its volume while the restore ConfigMap exists (see
/// restore_config); the Secret holds the store's credentials. Both optional: once the
/// operator has removed them, the step finds nothing to do and a new volume starts empty.
json restore_container(const statefulset_description& s, const render_options& o) {
  json c = {{"name", "restore"},
            {"image", o.tools_image},
            {"command", json::array({"rcplan", "restore", "pod", "--config",
                                     std::string(restore_mount) + "/" + restore_config_key, "--pod", "$(POD_NAME)",
                                     "--data-dir", "/data"})},
            {"env", json::array({{{"name", "POD_NAME"}, {"valueFrom", {{"fieldRef", {{"fieldPath", "metadata.name"}}}}}}})},
            {"envFrom", json::array({{{"secretRef", {{"name", s.restore_config}, {"optional", true}}}}})},
            {"volumeMounts", json::array({{{"name", data_volume}, {"mountPath", "/data"}},
                                          {{"name", restore_volume}, {"mountPath", restore_mount}, {"readOnly", true}}})},
            {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (!s.image_pull_policy.empty()) c["imagePullPolicy"] = s.image_pull_policy;
  if (present(s.container_security_context)) c["securityContext"] = s.container_security_context;
  return c;
}

json volumes(const statefulset_description& s) {
  json v = json::array({{{"name", conf_volume}, {"configMap", {{"name", s.config_map}}}},
                        {{"name", run_volume}, {"emptyDir", {{"medium", "Memory"}}}}});
  // The probes' fallback after a live password change (scripts.hpp); readable by its owner only.
  if (!s.password_secret.empty())
    v.push_back({{"name", password_volume},
                 {"secret",
                  {{"secretName", s.password_secret},
                   {"items", json::array({{{"key", password_key}, {"path", password_key}}})},
                   {"defaultMode", 0400}}}});
  if (!s.restore_config.empty())
    v.push_back({{"name", restore_volume}, {"configMap", {{"name", s.restore_config}, {"optional", true}}}});
  if (s.storage.type != "persistent-claim") {
    json empty = json::object();
    if (!s.storage.size.empty()) empty["sizeLimit"] = s.storage.size;
    v.push_back({{"name", data_volume}, {"emptyDir", empty}});
  }
  return v;
}

json claim_template(const statefulset_description& s, const json& selector) {
  json spec = {{"accessModes", json::array({"ReadWriteOnce"})},
               {"resources", {{"requests", {{"storage", s.storage.size}}}}}};
  if (!s.storage.class_name.empty()) spec["storageClassName"] = s.storage.class_name;
  return {{"metadata", {{"name", data_volume}, {"labels", selector}}}, {"spec", spec}};
}

json pod_spec(const statefulset_description& s, const json& cluster_selector, const render_options& o) {
  json containers = json::array({redis_container(s)});
  if (s.monitor) containers.push_back(exporter_container(s, *s.monitor));
  json spec = {{"containers", containers}, {"volumes", volumes(s)}, {"terminationGracePeriodSeconds", 60}};
  if (!s.restore_config.empty()) spec["initContainers"] = json::array({restore_container(s, o)});
  if (s.affinity.is_object() && !s.affinity.as_object().empty()) spec["affinity"] = s.affinity;
  spec["topologySpreadConstraints"] = json::array({{{"maxSkew", 1},
                                                    {"topologyKey", zone_key},
                                                    {"whenUnsatisfiable", "ScheduleAnyway"},
                                                    {"labelSelector", {{"matchLabels", cluster_selector}}}}});
  if (present(s.tolerations)) spec["tolerations"] = s.tolerations;
  if (!s.node_selector.empty()) spec["nodeSelector"] = string_map(s.node_selector);
  if (present(s.security_context)) spec["securityContext"] = s.security_context;
  if (!s.image_pull_secrets.empty()) {
    json refs = json::array();
    for (const std::string& name : s.image_pull_secrets) refs.push_back({{"name", name}});
    spec["imagePullSecrets"] = refs;
  }
  return spec;
}

/// The pods' selector: the original operator's labels, which a StatefulSet cannot change.
json selector_of(const std::string& cluster, int shard) {
  json out = {{label_app_name, app_name}, {label_cluster_name, cluster}};
  if (shard >= 0) out[label_shard] = std::to_string(shard);
  return out;
}

}  // namespace

json render(const statefulset_description& s, const render_options& o) {
  const json selector = selector_of(s.cluster, s.shard_index);
  json pod_labels = labels_of(s.labels, s.cluster);
  json template_meta = {{"labels", pod_labels}};
  if (!s.annotations.empty()) template_meta["annotations"] = string_map(s.annotations);
  json spec = {{"replicas", s.replicas},
               {"serviceName", s.service_name},
               {"podManagementPolicy", "Parallel"},
               {"updateStrategy", {{"type", s.update_strategy}}},
               {"selector", {{"matchLabels", selector}}},
               {"persistentVolumeClaimRetentionPolicy", {{"whenDeleted", "Retain"}, {"whenScaled", "Retain"}}},
               {"template", {{"metadata", template_meta}, {"spec", pod_spec(s, selector_of(s.cluster, -1), o)}}}};
  if (s.storage.type == "persistent-claim") spec["volumeClaimTemplates"] = json::array({claim_template(s, selector)});
  json out = object(kinds::statefulset, metadata(s.name, s.cluster, s.labels, o));
  out["spec"] = std::move(spec);
  return out;
}

json render(const service_description& s, const render_options& o) {
  json ports = json::array();
  for (const service_port& p : s.ports) ports.push_back({{"name", p.name}, {"port", p.port}, {"targetPort", p.port}});
  json spec = {{"ports", ports}, {"selector", string_map(s.selector)}};
  if (s.headless) {
    spec["clusterIP"] = "None";
    spec["publishNotReadyAddresses"] = true;  // the nodes find each other before they are ready
  } else {
    spec["type"] = "ClusterIP";
  }
  json out = object(kinds::service, metadata(s.name, s.cluster, s.labels, o));
  out["spec"] = std::move(spec);
  return out;
}

json render(const pdb_description& p, const render_options& o) {
  json out = object(kinds::pdb, metadata(p.name, p.cluster, p.labels, o));
  out["spec"] = {{"maxUnavailable", p.max_unavailable}, {"selector", {{"matchLabels", string_map(p.selector)}}}};
  return out;
}

json render(const configmap_description& c, const render_options& o) {
  json out = object(kinds::configmap, metadata(c.name, c.cluster, c.labels, o));
  out["data"] = string_map(c.data);
  return out;
}

json render_status(const std::string& cluster, const cluster_status& s, const render_options& o) {
  json out = object(kinds::distributed_redis_cluster, {{"name", cluster}, {"namespace", o.namespace_name}});
  out["status"] = s;
  return out;
}

std::vector<json> render(const kube_objects& objects, const render_options& o) {
  std::vector<json> out;
  out.push_back(render(objects.configmap, o));
  for (const service_description& s : objects.services) out.push_back(render(s, o));
  for (const statefulset_description& s : objects.statefulsets) out.push_back(render(s, o));
  for (const pdb_description& p : objects.pdbs) out.push_back(render(p, o));
  return out;
}

std::optional<json> render(const action& a, const std::string& cluster, const render_options& o) {
  return std::visit(
      [&](const auto& x) -> std::optional<json> {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, apply_statefulset> || std::is_same_v<T, apply_service> ||
                      std::is_same_v<T, apply_pdb> || std::is_same_v<T, apply_configmap>) {
          return render(x.object, o);
        } else if constexpr (std::is_same_v<T, update_status>) {
          return render_status(cluster, x.status, o);
        } else {
          return std::nullopt;
        }
      },
      a);
}

}  // namespace rcplan::kubernetes
