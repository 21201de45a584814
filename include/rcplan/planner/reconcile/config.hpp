#pragma once

// Configuration of running nodes without restarts: a changed password (masterauth first, then
// requirepass) and redis.conf parameters Redis accepts with CONFIG SET.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/shards.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace rcplan::planner_detail {

/// A new password reaches running nodes without restarts. Every node first learns it as
/// `masterauth` (what it authenticates to its master with), and only once all have it does
/// any node require it: the other order cuts replicas off their masters until they catch up,
/// and a failover in that window promotes a stale copy. Pods that restart read the new
/// password from the Secret at start. The password of an ACL user (spec.username) is not
/// changed live: that blocks.
[[nodiscard]] inline phase_result change_password(const reconcile_context& c) {
  phase_result r;
  std::vector<const cluster_node*> no_auth, no_require;
  for (const cluster_node& n : c.nodes) {
    const node_observation* o = c.t.observation(n.id);
    if (o == nullptr || !o->reachable || !o->password) continue;
    if (!o->password->masterauth_current) no_auth.push_back(&n);
    if (!o->password->requirepass_current) no_require.push_back(&n);
  }
  if (no_auth.empty() && no_require.empty()) return r;
  if (const std::string& user = c.desired.spec.username; !user.empty()) {
    // CONFIG SET requirepass would give the default user the password, and masterauth would
    // make every replica authenticate as `user` with a password `user` does not have
    r.status = plan_status::blocked;
    r.note(severity::error, reconcile_code::acl_password_change, "spec.username",
           std::to_string(std::max(no_auth.size(), no_require.size())) + " nodes do not hold the password of ACL user " +
               user +
               ": rcplan changes a password live with CONFIG SET, which does not reach an ACL user (that needs ACL "
               "SETUSER on every node); put the previous password back");
    return r;
  }
  const bool first_step = !no_auth.empty();
  for (const cluster_node* n : first_step ? no_auth : no_require) {
    const std::string who = short_id(n->id);
    if (first_step)
      r.add(0, who + ": authenticate to masters with the new password before any node requires it",
            config_set{n->id, "masterauth", std::string(secret_placeholder), true});
    else
      r.add(0, who + ": require the new password (every node already authenticates with it)",
            config_set{n->id, "requirepass", std::string(secret_placeholder), true});
  }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

/// redis.conf parameters that differ from the spec on a running node and that Redis accepts
/// at runtime. The others come with the pod-template update and its rolling restart.
[[nodiscard]] inline phase_result set_live_config(const reconcile_context& c) {
  phase_result r;
  for (const shard_view& s : c.layout.shards)
    for (const shard_member& m : s.members) {
      if (m.observed == nullptr || m.node == nullptr) continue;
      for (const auto& [key, want] : c.desired.spec.config) {
        const auto have = m.observed->config.find(key);
        if (have == m.observed->config.end() || have->second == want || needs_restart(key)) continue;
        r.add(0, m.p->name + ": " + key + " " + have->second + " -> " + want + " (settable at runtime)",
              config_set{m.node->id, key, want, false});
      }
    }
  if (!r.steps.empty()) r.status = plan_status::actions_planned;
  return r;
}

}  // namespace rcplan::planner_detail
