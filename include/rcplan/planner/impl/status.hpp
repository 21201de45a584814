#pragma once

// The definitions of what rcplan/planner/status.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/status.hpp>

namespace rcplan {

RCPLAN_ENTRY cluster_status compute_status(const topology& t, const cluster_resource& resource, const plan& next) {
  const std::vector<cluster_node> merged = merged_nodes(t);
  const cluster_layout layout = map_shards(t, merged);
  const std::string& cluster = resource.metadata.name;
  cluster_status out;

  // --- nodes and counts ---
  for (const cluster_node& n : merged) {
    status_node s;
    s.id = n.id.value;
    s.role = n.is_master() ? "Master" : "Slave";
    s.ip = n.addr.host;
    s.port = std::to_string(n.addr.port);
    s.slots = n.is_master() ? slots_text(n.slots) : std::string{};
    if (!n.is_master() && n.master_id) s.master_ref = n.master_id->value;
    const auto [shard, member] = layout.find(n.id);
    if (member != nullptr && member->p != nullptr) {
      s.pod_name = member->p->name;
      s.node_name = member->p->kube_node;
      s.statefulset = shard->sts != nullptr ? shard->sts->name : statefulset_name(cluster, shard->index);
    }
    out.nodes.push_back(std::move(s));
  }
  std::sort(out.nodes.begin(), out.nodes.end(), [](const status_node& a, const status_node& b) {
    return a.pod_name != b.pod_name ? a.pod_name < b.pod_name : a.id < b.id;
  });

  std::map<node_id, int> replicas_of;
  std::map<node_id, bool> healthy_replica;
  for (const cluster_node& n : merged)
    if (n.is_master() && !n.slots.empty()) replicas_of[n.id] = 0;
  for (const cluster_node& n : merged) {
    if (n.is_master() || !n.master_id) continue;
    const auto it = replicas_of.find(*n.master_id);
    if (it == replicas_of.end()) continue;
    ++it->second;
    if (!n.failed()) healthy_replica[*n.master_id] = true;
  }
  out.number_of_master = static_cast<int>(replicas_of.size());
  if (!replicas_of.empty()) {
    out.min_replication_factor = out.max_replication_factor = replicas_of.begin()->second;
    for (const auto& [id, count] : replicas_of) {
      out.min_replication_factor = std::min(out.min_replication_factor, count);
      out.max_replication_factor = std::max(out.max_replication_factor, count);
    }
  }

  const auto set = [&](const char* status, std::string reason) {
    out.status = status;
    out.reason = std::move(reason);
    return out;
  };
  const planner_detail::plan_traits traits = planner_detail::traits_of(next);

  // 1. Failed
  if (next.status == plan_status::blocked) return set(status_failed, planner_detail::first_problem(next));
  for (const cluster_node& n : merged)
    if (n.is_master() && !n.slots.empty() && n.flags.fail && !healthy_replica[n.id])
      return set(status_failed, "master " + n.id.value + " is down and has no healthy replica to fail over to");

  // 2. Creating
  if (replicas_of.empty()) return set(status_creating, "no slots are assigned yet");

  // 3. Scaling
  const int want_masters = master_count(resource.spec);
  const int want_pods = replica_count(resource.spec) + 1;
  if (out.number_of_master != want_masters)
    return set(status_scaling, std::to_string(out.number_of_master) + " masters serve slots, the spec asks for " +
                                   std::to_string(want_masters));
  if (!t.statefulsets.empty()) {
    int shards = 0;
    for (const statefulset& s : t.statefulsets) {
      ++shards;
      if (s.replicas != want_pods)
        return set(status_scaling, s.name + " has " + std::to_string(s.replicas) + " pods, the spec asks for " +
                                       std::to_string(want_pods));
    }
    if (shards != want_masters)
      return set(status_scaling, std::to_string(shards) + " StatefulSets, the spec asks for " + std::to_string(want_masters));
  }
  if (out.min_replication_factor != want_pods - 1 || out.max_replication_factor != want_pods - 1)
    return set(status_scaling, "replicas per master range from " + std::to_string(out.min_replication_factor) +
                                   " to " + std::to_string(out.max_replication_factor) + ", the spec asks for " +
                                   std::to_string(want_pods - 1));
  if (traits.membership) return set(status_scaling, "cluster members are added or removed");

  // 4. Rebalancing
  if (traits.moves_slots) return set(status_rebalancing, "the plan moves slots between masters");

  // 5. ResetPassword
  if (traits.password) return set(status_reset_password, "the password is being changed");

  // 6. RollingUpdate
  const kube_objects desired = desired_objects(resource);
  for (const statefulset& s : t.statefulsets) {
    const auto it = std::find_if(desired.statefulsets.begin(), desired.statefulsets.end(),
                                 [&](const statefulset_description& d) { return d.name == s.name; });
    if (it != desired.statefulsets.end() && template_outdated(s, *it))
      return set(status_rolling_update, s.name + " runs an outdated pod template");
  }
  for (const shard_view& v : layout.shards) {
    if (v.sts == nullptr || v.sts->update_revision.empty()) continue;
    for (const shard_member& m : v.members)
      if (m.p != nullptr && !m.p->revision.empty() && m.p->revision != v.sts->update_revision)
        return set(status_rolling_update, m.p->name + " runs an old revision");
  }
  if (traits.rolling) return set(status_rolling_update, "pods are being replaced or reconfigured");

  // 7. Healthy, or a repair
  if (next.status == plan_status::converged && next.steps.empty()) return set(status_healthy, "");
  if (traits.touches_slots) return set(status_rebalancing, "the plan repairs slot ownership");
  if (traits.replication) return set(status_scaling, "the plan repairs replication");
  // a plan that waits has work left: Healthy (Ready) would let a caller act on a cluster
  // whose next pass still moves slots
  if (next.status == plan_status::waiting)
    return set(planner_detail::waiting_status(next), planner_detail::waiting_reason(next));
  return set(status_healthy, "");
}

}  // namespace rcplan
