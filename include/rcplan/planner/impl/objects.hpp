#pragma once

// The definitions of what rcplan/planner/objects.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/objects.hpp>

namespace rcplan {

RCPLAN_ENTRY std::map<std::string, std::string> effective_config(const cluster_spec& spec) {
  return planner_detail::config_entries(spec);
}

RCPLAN_ENTRY kube_objects desired_objects(const cluster_resource& resource) {
  cluster_resource r = resource;
  apply_defaults(r);
  const cluster_spec& spec = r.spec;
  const std::string& cluster = r.metadata.name;
  const int masters = master_count(spec);
  const int replicas = replica_count(spec);

  kube_objects out;
  out.configmap.name = planner_detail::configmap_name(cluster);
  out.configmap.cluster = cluster;
  out.configmap.labels = planner_detail::pod_selector(cluster, -1);
  out.configmap.data[redis_conf_key] = planner_detail::render_redis_conf(spec);
  const std::string hash = config_hash(out.configmap.data[redis_conf_key]);

  service_description client;
  client.name = spec.service_name;
  client.cluster = cluster;
  client.headless = false;
  client.shard_index = -1;
  client.ports = {{"client", redis_client_port}};
  client.selector = planner_detail::pod_selector(cluster, -1);
  client.labels = client.selector;
  out.services.push_back(std::move(client));

  for (int i = 0; i < masters; ++i) {
    const std::string name = statefulset_name(cluster, i);
    auto labels = r.metadata.labels;
    for (const auto& [k, v] : planner_detail::pod_selector(cluster, i)) labels[k] = v;

    statefulset_description s;
    s.name = name;
    s.cluster = cluster;
    s.shard_index = i;
    s.replicas = replicas + 1;
    s.service_name = name;
    s.image = spec.image;
    s.image_pull_policy = spec.image_pull_policy;
    for (const local_object_reference& ref : spec.image_pull_secrets) s.image_pull_secrets.push_back(ref.name);
    s.command = spec.command;
    s.env = spec.env;
    s.resources = planner_detail::to_kube(spec.resources);
    if (spec.storage) {
      s.storage.type = spec.storage->type.empty() ? storage_ephemeral : spec.storage->type;
      s.storage.size = spec.storage->size;
      s.storage.class_name = spec.storage->class_name;
      s.storage.delete_claim = spec.storage->delete_claim;
    }
    s.affinity = planner_detail::pod_affinity(spec, cluster, i);
    s.tolerations = spec.tolerations;
    s.node_selector = spec.node_selector;
    s.labels = labels;
    s.annotations = spec.annotations;
    s.annotations[config_hash_annotation] = hash;
    s.security_context = spec.security_context;
    s.container_security_context = spec.container_security_context;
    if (spec.password_secret && !spec.password_secret->name.empty()) {
      s.password_secret = spec.password_secret->name;
      s.env = planner_detail::password_env(s.env, s.password_secret);
      if (!spec.username.empty()) s.env = planner_detail::user_env(s.env, spec.username);
    }
    if (spec.monitor) {
      monitor_description m;
      m.image = spec.monitor->image;
      m.args = spec.monitor->args;
      m.env = spec.monitor->env;
      m.resources = planner_detail::to_kube(spec.monitor->resources);
      m.security_context = spec.monitor->security_context;
      m.port = spec.monitor->prometheus && spec.monitor->prometheus->port ? *spec.monitor->prometheus->port
                                                                          : default_prometheus_port;
      s.monitor = std::move(m);
    }
    s.update_strategy = update_strategy_on_delete;
    s.config_map = out.configmap.name;
    if (spec.init && spec.init->backup_source) s.restore_config = restore_config_name(cluster);
    out.statefulsets.push_back(std::move(s));

    service_description headless;
    headless.name = name;
    headless.cluster = cluster;
    headless.headless = true;
    headless.shard_index = i;
    headless.ports = {{"client", redis_client_port}, {"gossip", redis_bus_port}};
    headless.selector = planner_detail::pod_selector(cluster, i);
    headless.labels = labels;
    out.services.push_back(std::move(headless));

    pdb_description pdb;
    pdb.name = name;
    pdb.cluster = cluster;
    pdb.shard_index = i;
    pdb.max_unavailable = 1;
    pdb.selector = planner_detail::pod_selector(cluster, i);
    pdb.labels = labels;
    out.pdbs.push_back(std::move(pdb));
  }
  return out;
}

RCPLAN_ENTRY bool template_outdated(const statefulset& observed, const statefulset_description& desired) {
  return observed.image != desired.image || observed.config_hash != template_config_hash(desired) ||
         observed.password_secret != desired.password_secret;
}

}  // namespace rcplan
