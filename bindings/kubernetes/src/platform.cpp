#include <rcplan/error.hpp>
#include <rcplan/kubernetes/platform.hpp>
#include <rcplan/kubernetes/resources.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <type_traits>
#include <variant>

namespace rcplan::kubernetes {

namespace {

using nlohmann::json;

std::string selector_of(const cluster_ref& cluster) {
  return std::string(label_app_name) + "=" + app_name + "," + label_cluster_name + "=" + cluster.name;
}

std::string text_at(const json& j, const json::json_pointer& at) {
  return j.contains(at) && j[at].is_string() ? j[at].get<std::string>() : std::string{};
}

int int_at(const json& j, const json::json_pointer& at) {
  return j.contains(at) && j[at].is_number_integer() ? j[at].get<int>() : 0;
}

/// The trailing number of `name` after its last '-' (a StatefulSet pod's ordinal), or -1.
int trailing_number(const std::string& name) {
  const auto dash = name.rfind('-');
  if (dash == std::string::npos || dash + 1 == name.size()) return -1;
  int n = 0;
  for (std::size_t i = dash + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return -1;
    n = n * 10 + (name[i] - '0');
  }
  return n;
}

/// The shard label, else the number the name ends with.
int shard_of(const json& object) {
  const std::string label = text_at(object, json::json_pointer("/metadata/labels/shard"));
  if (!label.empty() && std::all_of(label.begin(), label.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return std::stoi(label);
  return trailing_number(object["metadata"]["name"].get<std::string>());
}

bool pod_ready(const json& p) {
  for (const json& c : p.value("status", json::object()).value("conditions", json::array()))
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  return false;
}

const json* redis_container(const json& sts) {
  const json::json_pointer at("/spec/template/spec/containers");
  if (!sts.contains(at)) return nullptr;
  for (const json& c : sts[at])
    if (c.value("name", "") == "redis") return &c;
  return nullptr;
}

statefulset statefulset_of(const json& s) {
  statefulset out;
  out.name = s["metadata"]["name"].get<std::string>();
  out.shard_index = shard_of(s);
  out.replicas = int_at(s, json::json_pointer("/spec/replicas"));
  out.ready_replicas = int_at(s, json::json_pointer("/status/readyReplicas"));
  out.current_revision = text_at(s, json::json_pointer("/status/currentRevision"));
  out.update_revision = text_at(s, json::json_pointer("/status/updateRevision"));
  if (const json* redis = redis_container(s)) {
    out.image = redis->value("image", "");
    for (const json& e : redis->value("env", json::array()))
      if (e.value("name", "") == "REDIS_PASSWORD")
        out.password_secret = text_at(e, json::json_pointer("/valueFrom/secretKeyRef/name"));
  }
  out.config_hash = text_at(
      s, json::json_pointer("/spec/template/metadata/annotations/" + std::string("rcplan.io~1config-hash")));
  return out;
}

pod pod_of(const json& p, const std::map<std::string, std::string>& zones) {
  pod out;
  out.name = p["metadata"]["name"].get<std::string>();
  out.shard_index = shard_of(p);
  out.ordinal = std::max(0, trailing_number(out.name));
  out.kube_node = text_at(p, json::json_pointer("/spec/nodeName"));
  if (const auto z = zones.find(out.kube_node); z != zones.end()) out.zone = z->second;
  out.ip = text_at(p, json::json_pointer("/status/podIP"));
  out.port = static_cast<std::uint16_t>(redis_client_port);
  out.ready = pod_ready(p);
  out.terminating = p["metadata"].contains("deletionTimestamp");
  out.revision = text_at(p, json::json_pointer("/metadata/labels/controller-revision-hash"));
  return out;
}

}  // namespace

namespace {

/// The StatefulSets, pods and their nodes: what observation needs, read on every wait.
cluster_objects read_workload(client& c, const cluster_ref& cluster) {
  cluster_objects out;
  list_options o;
  o.label_selector = selector_of(cluster);
  const json sets = c.list(kinds::statefulset, cluster.namespace_name, o);
  const json pods = c.list(kinds::pod, cluster.namespace_name, o);
  std::set<std::string> bound_to;
  for (const json& p : pods["items"]) {
    const std::string node = text_at(p, json::json_pointer("/spec/nodeName"));
    if (!node.empty()) bound_to.insert(node);
  }
  const json nodes = bound_to.empty() ? json::object() : c.list(kinds::node, "");
  std::map<std::string, std::string> zones;
  for (const json& n : nodes.value("items", json::array())) {
    observed_node on;
    on.name = n["metadata"]["name"].get<std::string>();
    if (bound_to.count(on.name) == 0) continue;
    on.zone = text_at(n, json::json_pointer("/metadata/labels/topology.kubernetes.io~1zone"));
    on.hostname = text_at(n, json::json_pointer("/metadata/labels/kubernetes.io~1hostname"));
    zones[on.name] = on.zone;
    out.nodes.push_back(std::move(on));
  }
  for (const json& s : sets["items"]) out.statefulsets.push_back(statefulset_of(s));
  for (const json& p : pods["items"]) {
    observed_pod op;
    op.summary = pod_of(p, zones);
    op.phase = text_at(p, json::json_pointer("/status/phase"));
    const json labels = p["metadata"].value("labels", json::object());
    for (const auto& [k, v] : labels.items())
      if (v.is_string()) op.labels[k] = v.get<std::string>();
    out.pods.push_back(std::move(op));
  }
  const auto by_name = [](const auto& a, const auto& b) { return a.name < b.name; };
  std::sort(out.statefulsets.begin(), out.statefulsets.end(), by_name);
  std::sort(out.pods.begin(), out.pods.end(),
            [](const observed_pod& a, const observed_pod& b) { return a.summary.name < b.summary.name; });
  std::sort(out.nodes.begin(), out.nodes.end(), by_name);
  return out;
}

}  // namespace

cluster_objects read_cluster(client& c, const cluster_ref& cluster) {
  cluster_objects out = read_workload(c, cluster);
  out.resource = c.find(kinds::distributed_redis_cluster, cluster.namespace_name, cluster.name);
  list_options o;
  o.label_selector = selector_of(cluster);
  const json claims = c.list(kinds::pvc, cluster.namespace_name, o);
  for (const json& pvc : claims["items"]) {
    observed_claim oc;
    oc.name = pvc["metadata"]["name"].get<std::string>();
    oc.phase = text_at(pvc, json::json_pointer("/status/phase"));
    oc.storage = text_at(pvc, json::json_pointer("/spec/resources/requests/storage"));
    oc.storage_class = text_at(pvc, json::json_pointer("/spec/storageClassName"));
    oc.terminating = pvc["metadata"].contains("deletionTimestamp");
    out.claims.push_back(std::move(oc));
  }
  std::sort(out.claims.begin(), out.claims.end(),
            [](const observed_claim& a, const observed_claim& b) { return a.name < b.name; });
  return out;
}

void observe_kubernetes(client& c, const cluster_ref& cluster, topology& t) {
  cluster_objects o = read_workload(c, cluster);
  t.statefulsets = std::move(o.statefulsets);
  t.pods.clear();
  for (observed_pod& p : o.pods) t.pods.push_back(std::move(p.summary));
}

std::optional<owner> owner_of(client& c, const cluster_ref& cluster) {
  const auto r = c.find(kinds::distributed_redis_cluster, cluster.namespace_name, cluster.name);
  if (!r) return std::nullopt;
  return owner{cluster.name, (*r)["metadata"]["uid"].get<std::string>()};
}

platform::platform(client& c, cluster_ref cluster, std::string tools_image) : c_(c), cluster_(std::move(cluster)) {
  render_.namespace_name = cluster_.namespace_name;
  render_.tools_image = std::move(tools_image);
  render_.owned_by = owner_of(c_, cluster_);
}

void platform::apply(const action& a) {
  const std::string& ns = cluster_.namespace_name;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, apply_statefulset> || std::is_same_v<T, apply_service> ||
                      std::is_same_v<T, apply_pdb> || std::is_same_v<T, apply_configmap>) {
          (void)c_.apply(render(x.object, render_));
        } else if constexpr (std::is_same_v<T, scale_statefulset>) {
          (void)c_.merge_patch(kinds::statefulset, ns, x.name, {{"spec", {{"replicas", x.replicas}}}}, "scale");
        } else if constexpr (std::is_same_v<T, delete_pod>) {
          (void)c_.remove(kinds::pod, ns, x.name);
        } else if constexpr (std::is_same_v<T, delete_statefulset>) {
          delete_options o;
          o.propagation_policy = "Background";
          (void)c_.remove(kinds::statefulset, ns, x.name, o);
        } else if constexpr (std::is_same_v<T, delete_pvc>) {
          (void)c_.remove(kinds::pvc, ns, x.name);
        } else if constexpr (std::is_same_v<T, update_status>) {
          (void)c_.apply_status(render_status(cluster_.name, x.status, render_));
        } else {
          throw error("rcplan.kubernetes.action", std::string("not a Kubernetes action: ") + std::string(action_type_name(a)));
        }
      },
      a);
}

void platform::observe(topology& t) { observe_kubernetes(c_, cluster_, t); }

std::vector<address> platform::seeds() {
  topology t;
  observe(t);
  std::vector<address> out;
  for (const pod& p : t.pods)
    if (!p.ip.empty() && !p.terminating)
      out.push_back(address{p.ip, p.port, static_cast<std::uint16_t>(redis_bus_port), ""});
  return out;
}

bool platform::pods_ready(const std::string& name) {
  topology t;
  observe(t);
  for (const statefulset& s : t.statefulsets) {
    if (!name.empty() && s.name != name) continue;
    int ready = 0;
    for (const pod& p : t.pods) {
      if (p.shard_index != s.shard_index) continue;
      if (!p.ready || p.terminating) return false;
      ++ready;
    }
    // An update revision not reported yet is a StatefulSet controller that has not caught up.
    // Pods on an older revision count: with OnDelete, rcplan restarts them one at a time and
    // waits for each to be back while the others still run the old one.
    if (s.update_revision.empty()) return false;
    if (ready != s.replicas) return false;
  }
  return true;
}

}  // namespace rcplan::kubernetes
