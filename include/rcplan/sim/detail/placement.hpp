#pragma once

// The placement invariant of design §6: a master and its replica must not share a host, nor
// a zone where the hosts span several, unless the plan's diagnostics say why it must.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/sim/detail/kube.hpp>
#include <rcplan/sim/violation.hpp>

#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::sim::detail {

using node_pair = std::pair<node_id, node_id>;

/// (master, replica) pairs that share a host, or a zone when the live hosts span several.
[[nodiscard]] inline std::set<node_pair> colocated_pairs(const cluster& c, const kube_controller& k) {
  std::set<node_pair> out;
  std::set<std::string> zones;
  for (const kube_host& h : k.hosts)
    if (k.lost_hosts.count(h.name) == 0 && !h.zone.empty()) zones.insert(h.zone);
  for (const auto& [id, n] : c.nodes()) {
    if (n.master || !n.master_id) continue;
    const pod_state* r = k.pod_of(id);
    const pod_state* m = k.pod_of(*n.master_id);
    if (r == nullptr || m == nullptr) continue;
    const bool same_host = r->observed.kube_node == m->observed.kube_node;
    const bool same_zone = zones.size() > 1 && !r->observed.zone.empty() && r->observed.zone == m->observed.zone;
    if (same_host || same_zone) out.emplace(*n.master_id, id);
  }
  return out;
}

/// A diagnostic explains a co-location when it is about placement or names either node or pod.
[[nodiscard]] inline bool explained(const std::vector<diagnostic>& diagnostics, const node_pair& pair,
                                    const pod_state& mp, const pod_state& rp) {
  for (const diagnostic& d : diagnostics)
    if (d.code.find("placement") != std::string::npos || d.subject == pair.first.value ||
        d.subject == pair.second.value || d.subject == rp.observed.name || d.subject == mp.observed.name)
      return true;
  return false;
}

[[nodiscard]] inline std::string describe(const node_pair& pair, const pod_state& mp, const pod_state& rp) {
  return "master " + short_id(pair.first) + " (" + mp.observed.name + " on " + mp.observed.kube_node + "/" +
         mp.observed.zone + ") and its replica " + short_id(pair.second) + " (" + rp.observed.name + " on " +
         rp.observed.kube_node + "/" + rp.observed.zone + ") share a host or zone";
}

/// Co-locations an action created (not in `before`): unexplained ones are a violation,
/// explained ones are added to `findings`.
[[nodiscard]] inline std::optional<violation> check_placement(const cluster& c, const kube_controller& k,
                                                              const std::set<node_pair>& before,
                                                              const std::vector<diagnostic>& diagnostics,
                                                              std::vector<violation>& findings) {
  for (const node_pair& pair : colocated_pairs(c, k)) {
    if (before.count(pair) != 0) continue;  // not this action's doing
    const pod_state& mp = *k.pod_of(pair.first);
    const pod_state& rp = *k.pod_of(pair.second);
    violation v{invariant::replica_colocated, describe(pair, mp, rp)};
    if (!explained(diagnostics, pair, mp, rp)) return v;
    findings.push_back(std::move(v));
  }
  return std::nullopt;
}

}  // namespace rcplan::sim::detail
