#pragma once

// Where masters run: one master per shard, spread across Kubernetes nodes (hosts) and zones as
// far as the pods allow (design §6: no master and one of its replicas share a host, and a zone
// where zones allow it, unless a diagnostic says why).
//
// What "as far as possible" means
// -------------------------------
// Every function here compares ways of giving each shard its master by one cost, compared
// lexicographically, level by level:
//
//   1. host pairs   pairs of masters on the same host        Σ_h C(masters on h, 2)
//   2. zone pairs   pairs of masters in the same zone        Σ_z C(masters in z, 2)
//   3. switches     shards whose master changes (failover planning only; 0 at creation)
//   4. host coloc   replicas left on their master's host
//   5. zone coloc   replicas left in their master's zone
//   6. rank         lowest ordinal at creation; highest replication offset (then node id) when
//                   choosing which replica to promote
//
// Levels 1 and 4 count only when the policy spreads by host, 2 and 5 only when it spreads by
// zone. Counting pairs rather than "masters beyond the first" also balances masters when
// there are more shards than hosts or zones: 6 masters over 3 zones end 2-2-2, not 4-1-1.
// Replica co-location ranks below switches so that a failover is only ever planned to spread
// masters, never merely to move a replica away; among the replicas that spread masters equally
// well, one whose promotion leaves no replica on its host is preferred over a higher offset,
// because offsets of synced replicas differ by moments of traffic while hosts fail.
// A pod with no host (or no zone) is in no failure domain: it conflicts with nothing. A host's
// zone is the smallest zone any of its pods reports, so that a host is in one zone only.
//
// Algorithm
// ---------
// Choosing one option per shard so that the cost is minimal is an exact min-cost flow:
//
//   source ─1─► shard ─(option: levels 3..6)─► host ─(k-th unit: k host pairs)─► zone
//          ─(k-th unit: k zone pairs)─► sink
//
// Zones contain hosts, so the two spread levels nest and each is a convex cost on one edge
// bundle (the k-th master on a host adds k pairs: parallel unit edges of cost 0, 1, 2, ...).
// A pod without a host goes to a per-zone "no host" vertex with no pair cost. Costs are vectors
// of the six levels, compared lexicographically (an ordered group, so shortest paths and
// potentials work unchanged and nothing overflows). A bundle is one arc whose k-th unit costs
// k, so the graph stays O(Σ options) arcs. Successive shortest paths push one unit per shard,
// each by Dijkstra with Johnson potentials (all initial costs are non-negative), stopping at
// the sink. With S shards and E = O(Σ options) arcs: O(S · E log E) time, O(E) memory. Measured
// (-O2, host and zone, 3 pods a shard): 10 shards ≈ 0.1 ms, 50 ≈ 2–3 ms, 200 ≈ 40 ms; beyond a
// few hundred shards a cost-scaling solver would be the next step. Ties of the whole cost
// vector are broken by the fixed vertex order (shards by index, hosts and zones by name), so
// results are deterministic but not otherwise specified (two equal shards: either may move).
//
// Failover planning fixes every shard whose master is unhealthy to its current master, and
// offers a healthy master's shard its current master (cost 0) or any replica of it that is
// healthy, ready and synced (cost 1 switch). The optimum is therefore the best reachable
// spread with the fewest failovers. That can move a shard whose master shares no host, when
// freeing a host for a conflicting shard takes a chain of promotions (A → B's host, B → a free
// host); it never moves one that does not help.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <queue>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan {

/// Failovers that restore the spread of masters, and why the spread stays imperfect if it does.
struct placement_plan {
  std::vector<failover> failovers;  ///< by shard index, at most one per shard
  std::vector<diagnostic> diagnostics;

  friend bool operator==(const placement_plan&, const placement_plan&) = default;
};

namespace detail {

/// The levels of a placement cost, in the order they are compared (see the top of this file).
struct placement_level {
  static constexpr std::size_t host_pairs = 0, zone_pairs = 1, switches = 2, host_coloc = 3,
                               zone_coloc = 4, rank = 5, count = 6;
};
using placement_cost = std::array<std::int64_t, placement_level::count>;

[[nodiscard]] inline placement_cost cost_add(placement_cost a, const placement_cost& b) noexcept {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] += b[i];
  return a;
}
[[nodiscard]] inline placement_cost cost_sub(placement_cost a, const placement_cost& b) noexcept {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] -= b[i];
  return a;
}

/// The failure domains a policy keeps masters apart by, and each pod's domains under it.
struct placement_domains {
  bool by_host = false;
  bool by_zone = false;
  std::map<std::string, std::string> zone_of_host;

  /// Empty: not spread by host, or the pod is not scheduled.
  [[nodiscard]] std::string host(const pod& p) const { return by_host ? p.kube_node : std::string{}; }
  /// Empty: not spread by zone, or the zone is unknown.
  [[nodiscard]] std::string zone(const pod& p) const {
    if (!by_zone) return {};
    if (!p.kube_node.empty())
      if (const auto it = zone_of_host.find(p.kube_node); it != zone_of_host.end()) return it->second;
    return p.zone;
  }
};

[[nodiscard]] inline placement_domains domains_of(const cluster_layout& layout, const placement_policy& policy) {
  placement_domains d;
  d.by_host = policy.spread_by == spread_domain::host || policy.spread_by == spread_domain::host_and_zone;
  d.by_zone = policy.spread_by == spread_domain::zone || policy.spread_by == spread_domain::host_and_zone;
  for (const shard_view& s : layout.shards)
    for (const shard_member& m : s.members) {
      if (m.p == nullptr || m.p->kube_node.empty() || m.p->zone.empty()) continue;
      auto [it, inserted] = d.zone_of_host.try_emplace(m.p->kube_node, m.p->zone);
      if (!inserted && m.p->zone < it->second) it->second = m.p->zone;
    }
  return d;
}

/// A node that can serve as a master or take part in a failover right now.
[[nodiscard]] inline bool placement_healthy(const shard_member& m) noexcept {
  return m.p != nullptr && m.node != nullptr && !m.p->terminating && !m.node->failed() &&
         !m.node->flags.handshake && !m.node->flags.noaddr;
}

/// A replica of `master` that a default-mode `CLUSTER FAILOVER` can promote without losing
/// writes: healthy, ready, replicating from `master` with its link up, not opted out.
[[nodiscard]] inline bool promotable(const shard_member& m, const cluster_node& master) noexcept {
  return placement_healthy(m) && m.p->ready && !m.node->is_master() && !m.node->flags.nofailover &&
         m.node->master_id == master.id && m.observed != nullptr && m.observed->reachable &&
         m.observed->replication.has_value() && m.observed->replication->role == node_role::replica &&
         m.observed->replication->master_link_up;
}

/// One way to give a shard its master.
struct placement_option {
  const shard_member* member = nullptr;
  std::string host;  ///< empty: in no host domain
  std::string zone;  ///< empty: in no zone domain
  placement_cost cost{};  ///< levels switches..rank; the spread levels come from the flow
};

/// Replicas (the shard's other members running Redis) that `m` as master would share a host
/// and a zone with.
[[nodiscard]] inline std::pair<std::int64_t, std::int64_t> colocated(const shard_view& s, const shard_member& m,
                                                                      const placement_domains& d) {
  const std::string h = d.host(*m.p), z = d.zone(*m.p);
  std::int64_t hosts = 0, zones = 0;
  for (const shard_member& r : s.members) {
    if (&r == &m || r.node == nullptr || r.p == nullptr) continue;
    if (!h.empty() && d.host(*r.p) == h) ++hosts;
    if (!z.empty() && d.zone(*r.p) == z) ++zones;
  }
  return {hosts, zones};
}

[[nodiscard]] inline placement_option make_option(const shard_view& s, const shard_member& m, const placement_domains& d,
                                                  std::int64_t switches, std::int64_t rank) {
  placement_option o;
  o.member = &m;
  o.host = d.host(*m.p);
  o.zone = d.zone(*m.p);
  const auto [hosts, zones] = colocated(s, m, d);
  o.cost[placement_level::switches] = switches;
  o.cost[placement_level::host_coloc] = hosts;
  o.cost[placement_level::zone_coloc] = zones;
  o.cost[placement_level::rank] = rank;
  return o;
}

/// The exact min-cost choice of one option per shard (see the top of this file); every shard
/// needs at least one option. Returns the chosen option's index for each shard.
[[nodiscard]] inline std::vector<std::size_t> solve_placement(const std::vector<std::vector<placement_option>>& shards) {
  // An arc's k-th unit costs base + k·step: a bundle of parallel unit arcs of rising cost in
  // one, of which only the cheapest unused (forward) and dearest used (backward) matter.
  struct arc {
    std::size_t to = 0;
    int cap = 0;
    int flow = 0;  // on the forward arc of the pair; arc i's twin is i ^ 1
    placement_cost base{};
    placement_cost step{};
  };
  std::vector<arc> arcs;
  std::vector<std::vector<std::size_t>> out;
  const auto vertex = [&] {
    out.emplace_back();
    return out.size() - 1;
  };
  const auto add = [&](std::size_t u, std::size_t v, int cap, const placement_cost& base, const placement_cost& step) {
    out[u].push_back(arcs.size());
    arcs.push_back({v, cap, 0, base, step});
    out[v].push_back(arcs.size());
    arcs.push_back({u, 0, 0, base, step});
    return arcs.size() - 2;
  };
  const auto residual = [&](std::size_t e) -> int {
    const arc& f = arcs[e & ~std::size_t{1}];
    return (e & 1) == 0 ? f.cap - f.flow : f.flow;
  };
  const auto unit_cost = [&](std::size_t e) {
    const arc& f = arcs[e & ~std::size_t{1}];
    placement_cost c = f.base;
    const std::int64_t k = (e & 1) == 0 ? f.flow : f.flow - 1;
    for (std::size_t i = 0; i < c.size(); ++i) c[i] += k * f.step[i];
    return (e & 1) == 0 ? c : cost_sub({}, c);
  };

  const std::size_t source = vertex(), sink = vertex();
  std::vector<std::size_t> shard_vertex;
  for (std::size_t i = 0; i < shards.size(); ++i) shard_vertex.push_back(vertex());

  // hosts keyed with their zone: a pod with no host still belongs to its zone's bundle
  std::map<std::pair<std::string, std::string>, std::set<std::size_t>> host_users;
  std::map<std::string, std::set<std::size_t>> zone_users;
  for (std::size_t i = 0; i < shards.size(); ++i)
    for (const placement_option& o : shards[i]) {
      host_users[{o.host, o.zone}].insert(i);
      zone_users[o.zone].insert(i);
    }
  const auto units = [](const std::set<std::size_t>& users) { return static_cast<int>(users.size()); };
  placement_cost host_step{}, zone_step{};
  host_step[placement_level::host_pairs] = 1;
  zone_step[placement_level::zone_pairs] = 1;
  std::map<std::string, std::size_t> zone_vertex;
  for (const auto& [z, users] : zone_users) {
    const std::size_t v = zone_vertex[z] = vertex();
    add(v, sink, units(users), {}, z.empty() ? placement_cost{} : zone_step);
  }
  std::map<std::pair<std::string, std::string>, std::size_t> host_vertex;
  for (const auto& [key, users] : host_users) {
    const std::size_t v = host_vertex[key] = vertex();
    add(v, zone_vertex.at(key.second), units(users), {}, key.first.empty() ? placement_cost{} : host_step);
  }
  // one arc per (shard, host): the cheapest option there, the lowest index among equals
  std::vector<std::map<std::size_t, std::size_t>> option_arcs(shards.size());  // arc → option
  for (std::size_t i = 0; i < shards.size(); ++i) {
    add(source, shard_vertex[i], 1, {}, {});
    std::map<std::size_t, std::size_t> best;  // host vertex → option
    for (std::size_t j = 0; j < shards[i].size(); ++j) {
      const placement_option& o = shards[i][j];
      const std::size_t h = host_vertex.at({o.host, o.zone});
      const auto it = best.find(h);
      if (it == best.end() || o.cost < shards[i][it->second].cost) best[h] = j;
    }
    for (const auto& [h, j] : best) option_arcs[i][add(shard_vertex[i], h, 1, shards[i][j].cost, {})] = j;
  }

  // successive shortest paths; all first-unit costs are non-negative, so potentials start at 0
  const std::size_t n = out.size();
  std::vector<placement_cost> potential(n, placement_cost{}), dist(n);
  std::vector<bool> reached(n), done(n);
  std::vector<std::size_t> via(n);
  using entry = std::pair<placement_cost, std::size_t>;
  for (std::size_t unit = 0; unit < shards.size(); ++unit) {
    std::fill(reached.begin(), reached.end(), false);
    std::fill(done.begin(), done.end(), false);
    std::priority_queue<entry, std::vector<entry>, std::greater<>> queue;
    dist[source] = {};
    reached[source] = true;
    queue.push({dist[source], source});
    while (!queue.empty()) {
      const auto [du, u] = queue.top();
      queue.pop();
      if (done[u]) continue;
      done[u] = true;
      if (u == sink) break;  // vertices beyond the sink's distance take it as theirs (below)
      for (const std::size_t e : out[u]) {
        const std::size_t v = arcs[e].to;
        if (done[v] || residual(e) <= 0) continue;
        const placement_cost dv = cost_sub(cost_add(cost_add(du, unit_cost(e)), potential[u]), potential[v]);
        if (!reached[v] || dv < dist[v]) {
          reached[v] = true;
          dist[v] = dv;
          via[v] = e;
          queue.push({dv, v});
        }
      }
    }
    if (!done[sink]) break;  // cannot happen: every shard has an option and room behind it
    // min(distance, sink's distance) keeps every reduced cost non-negative
    for (std::size_t v = 0; v < n; ++v) potential[v] = cost_add(potential[v], done[v] ? dist[v] : dist[sink]);
    for (std::size_t v = sink; v != source; v = arcs[via[v] ^ 1].to) {
      if ((via[v] & 1) == 0) ++arcs[via[v]].flow;
      else --arcs[via[v] ^ 1].flow;
    }
  }

  std::vector<std::size_t> chosen(shards.size(), 0);
  for (std::size_t i = 0; i < shards.size(); ++i)
    for (const auto& [e, j] : option_arcs[i])
      if (arcs[e].flow == 1) chosen[i] = j;
  return chosen;
}

/// The cost of a complete choice of masters (one per listed shard) under `d`.
[[nodiscard]] inline placement_cost placement_cost_of(const std::vector<std::pair<const shard_view*, const shard_member*>>& masters,
                                                      const placement_domains& d) {
  placement_cost c{};
  std::map<std::string, std::int64_t> hosts, zones;
  for (const auto& [s, m] : masters) {
    const std::string h = d.host(*m->p), z = d.zone(*m->p);
    if (!h.empty()) c[placement_level::host_pairs] += hosts[h]++;
    if (!z.empty()) c[placement_level::zone_pairs] += zones[z]++;
    const auto [ch, cz] = colocated(*s, *m, d);
    c[placement_level::host_coloc] += ch;
    c[placement_level::zone_coloc] += cz;
  }
  return c;
}

/// The best choice of masters with the pods where they are, health aside: what placement could
/// reach at all. Shards with no member running Redis are left out.
[[nodiscard]] inline std::vector<std::pair<const shard_view*, const shard_member*>> best_masters(const cluster_layout& layout,
                                                                                                 const placement_domains& d) {
  std::vector<const shard_view*> which;
  std::vector<std::vector<placement_option>> options;
  for (const shard_view& s : layout.shards) {
    std::vector<placement_option> mine;
    for (const shard_member& m : s.members)
      if (m.node != nullptr && m.p != nullptr) mine.push_back(make_option(s, m, d, 0, static_cast<std::int64_t>(mine.size())));
    if (mine.empty()) continue;
    which.push_back(&s);
    options.push_back(std::move(mine));
  }
  const std::vector<std::size_t> chosen = solve_placement(options);
  std::vector<std::pair<const shard_view*, const shard_member*>> out;
  for (std::size_t i = 0; i < which.size(); ++i) out.emplace_back(which[i], options[i][chosen[i]].member);
  return out;
}

/// Each shard's current master that runs in a pod, in shard order.
[[nodiscard]] inline std::vector<std::pair<const shard_view*, const shard_member*>> current_masters(const cluster_layout& layout) {
  std::vector<std::pair<const shard_view*, const shard_member*>> out;
  for (const shard_view& s : layout.shards)
    if (const shard_member* m = s.master(); m != nullptr && m->p != nullptr) out.emplace_back(&s, m);
  return out;
}

[[nodiscard]] inline rcplan::severity placement_severity(const placement_policy& policy) noexcept {
  return policy.mode == placement_mode::required ? severity::error : severity::warning;
}

[[nodiscard]] inline std::string plural(std::int64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

/// What keeps `best` from the ideal, for a `placement.best_effort` message; empty if nothing.
[[nodiscard]] inline std::string best_effort_reasons(const std::vector<std::pair<const shard_view*, const shard_member*>>& best,
                                                     const placement_domains& d, bool with_coloc) {
  const placement_cost c = placement_cost_of(best, d);
  std::set<std::string> hosts, zones;
  for (const auto& [s, m] : best)
    for (const shard_member& x : s->members)
      if (x.node != nullptr && x.p != nullptr) {
        if (!d.host(*x.p).empty()) hosts.insert(d.host(*x.p));
        if (!d.zone(*x.p).empty()) zones.insert(d.zone(*x.p));
      }
  std::vector<std::string> reasons;
  const auto shards = static_cast<std::int64_t>(best.size());
  if (c[placement_level::host_pairs] > 0)
    reasons.push_back("at best " + plural(c[placement_level::host_pairs], "pair", "pairs") +
                      " of masters share a host (" + plural(shards, "shard", "shards") + ", their pods on " +
                      plural(static_cast<std::int64_t>(hosts.size()), "host", "hosts") + ")");
  if (c[placement_level::zone_pairs] > 0)
    reasons.push_back("at best " + plural(c[placement_level::zone_pairs], "pair", "pairs") +
                      " of masters share a zone (" + plural(shards, "shard", "shards") + ", their pods in " +
                      plural(static_cast<std::int64_t>(zones.size()), "zone", "zones") + ")");
  if (with_coloc)
    for (const auto& [s, m] : best) {
      const auto [ch, cz] = colocated(*s, *m, d);
      if (ch > 0) reasons.push_back("shard " + std::to_string(s->index) + " keeps " + plural(ch, "replica", "replicas") +
                                    " on its master's host");
      else if (cz > 0)
        reasons.push_back("shard " + std::to_string(s->index) + " keeps " + plural(cz, "replica", "replicas") +
                          " in its master's zone");
    }
  std::string out;
  for (const std::string& r : reasons) out += (out.empty() ? "" : "; ") + r;
  return out;
}

}  // namespace detail

/// At creation: the member of each shard (among members running Redis, healthy ones first)
/// to make its master so that masters spread as far as the policy and the pods allow, then
/// replicas away from their master, then the lowest ordinal. Keyed by shard index; shards with
/// no member running Redis are absent. Pointers point into `layout`.
[[nodiscard]] inline std::map<int, const shard_member*> choose_masters(const cluster_layout& layout,
                                                                       const placement_policy& policy) {
  const detail::placement_domains d = detail::domains_of(layout, policy);
  std::vector<const shard_view*> which;
  std::vector<std::vector<detail::placement_option>> options;
  for (const shard_view& s : layout.shards) {
    const bool any_healthy = std::any_of(s.members.begin(), s.members.end(), detail::placement_healthy);
    std::vector<detail::placement_option> mine;
    for (const shard_member& m : s.members)
      if (m.node != nullptr && m.p != nullptr && (!any_healthy || detail::placement_healthy(m)))
        mine.push_back(detail::make_option(s, m, d, 0, static_cast<std::int64_t>(mine.size())));
    if (mine.empty()) continue;
    which.push_back(&s);
    options.push_back(std::move(mine));
  }
  const std::vector<std::size_t> chosen = detail::solve_placement(options);
  std::map<int, const shard_member*> out;
  for (std::size_t i = 0; i < which.size(); ++i) out[which[i]->index] = options[i][chosen[i]].member;
  return out;
}

/// Where the current masters break the spread: masters sharing a host or zone
/// (`placement.masters_share_host`, `placement.masters_share_zone`, subject the later master's
/// pod), replicas on their master's host or zone (`placement.replica_on_master_host`,
/// `placement.replica_on_master_zone`, subject the replica's pod). Error under a required
/// policy, warning under a preferred one; info when no choice of masters with the pods where
/// they are could avoid it, in which case one `placement.best_effort` (subject
/// `spec.placement`, the policy's severity) says what keeps the placement from the ideal.
[[nodiscard]] inline std::vector<diagnostic> placement_findings(const cluster_layout& layout,
                                                                const placement_policy& policy) {
  std::vector<diagnostic> out;
  const detail::placement_domains d = detail::domains_of(layout, policy);
  if (!d.by_host && !d.by_zone) return out;
  const rcplan::severity sev = detail::placement_severity(policy);
  const auto masters = detail::current_masters(layout);
  const detail::placement_cost now = detail::placement_cost_of(masters, d);

  const auto share = [&](bool host) {
    // fixable when masters could share less in this domain alone, whatever the other says
    detail::placement_domains only = d;
    (host ? only.by_zone : only.by_host) = false;
    const std::size_t level = host ? detail::placement_level::host_pairs : detail::placement_level::zone_pairs;
    const bool fixable = now[level] > detail::placement_cost_of(detail::best_masters(layout, only), only)[level];
    std::map<std::string, std::string> seen;  // domain → pods of the masters there so far
    for (const auto& [s, m] : masters) {
      const std::string where = host ? d.host(*m->p) : d.zone(*m->p);
      if (where.empty()) continue;
      auto [it, first] = seen.try_emplace(where, m->p->name);
      if (first) continue;
      out.push_back({fixable ? sev : severity::info,
                     host ? "placement.masters_share_host" : "placement.masters_share_zone", m->p->name,
                     "master pod " + m->p->name + " shares " + (host ? "host " : "zone ") + where + " with master pod " +
                         it->second});
      it->second += ", " + m->p->name;
    }
  };
  if (d.by_host) share(true);
  if (d.by_zone) share(false);

  for (const auto& [s, m] : masters) {
    const std::string h = d.host(*m->p), z = d.zone(*m->p);
    const auto [ch, cz] = detail::colocated(*s, *m, d);
    // fixable when another member of the shard would have fewer replicas beside it
    bool host_fixable = false, zone_fixable = false;
    for (const shard_member& x : s->members) {
      if (x.node == nullptr || x.p == nullptr) continue;
      const auto [xh, xz] = detail::colocated(*s, x, d);
      host_fixable = host_fixable || xh < ch;
      zone_fixable = zone_fixable || xz < cz;
    }
    for (const shard_member& r : s->members) {
      if (&r == m || r.node == nullptr || r.p == nullptr) continue;
      if (!h.empty() && d.host(*r.p) == h)
        out.push_back({host_fixable ? sev : severity::info, "placement.replica_on_master_host", r.p->name,
                       "replica pod " + r.p->name + " is on host " + h + " with its master pod " + m->p->name});
      else if (!z.empty() && d.zone(*r.p) == z)
        out.push_back({zone_fixable ? sev : severity::info, "placement.replica_on_master_zone", r.p->name,
                       "replica pod " + r.p->name + " is in zone " + z + " with its master pod " + m->p->name});
    }
  }

  const std::string why = detail::best_effort_reasons(detail::best_masters(layout, d), d, true);
  if (!why.empty())
    out.push_back({sev, "placement.best_effort", "spec.placement",
                   "no placement of masters with the pods where they are keeps every failure domain apart: " + why});
  return out;
}

/// The fewest default-mode failovers that bring masters back to the best spread reachable now:
/// only shards whose current master is healthy are touched, each at most once, each promoting a
/// healthy, ready replica of that master whose replication link is up; among equally good
/// replicas the one leaving no replica on its host, then the highest replication offset, then
/// the lowest node id. When masters still share a host or zone afterwards, one
/// `placement.best_effort` (subject `spec.placement`, the policy's severity) says how far the
/// plan gets and whether unhealthy or unsynced replicas are what holds it back.
[[nodiscard]] inline placement_plan plan_spread_failovers(const cluster_layout& layout, const placement_policy& policy) {
  placement_plan out;
  const detail::placement_domains d = detail::domains_of(layout, policy);
  if (!d.by_host && !d.by_zone) return out;
  const auto masters = detail::current_masters(layout);
  std::vector<std::vector<detail::placement_option>> options;
  for (const auto& [s, m] : masters) {
    std::vector<detail::placement_option> mine{detail::make_option(*s, *m, d, 0, 0)};
    if (detail::placement_healthy(*m)) {
      std::vector<const shard_member*> candidates;
      for (const shard_member& r : s->members)
        if (&r != m && detail::promotable(r, *m->node)) candidates.push_back(&r);
      std::sort(candidates.begin(), candidates.end(), [](const shard_member* a, const shard_member* b) {
        const std::uint64_t oa = a->observed->replication->offset(), ob = b->observed->replication->offset();
        return oa != ob ? oa > ob : a->node->id < b->node->id;
      });
      for (const shard_member* r : candidates)
        mine.push_back(detail::make_option(*s, *r, d, 1, static_cast<std::int64_t>(mine.size())));
    }
    options.push_back(std::move(mine));
  }
  const std::vector<std::size_t> chosen = detail::solve_placement(options);

  auto after = masters;
  for (std::size_t i = 0; i < masters.size(); ++i) {
    if (chosen[i] == 0) continue;
    after[i].second = options[i][chosen[i]].member;
    out.failovers.push_back({after[i].second->node->id, failover_mode::default_mode});
  }
  const detail::placement_cost reached = detail::placement_cost_of(after, d);
  if (reached[detail::placement_level::host_pairs] > 0 || reached[detail::placement_level::zone_pairs] > 0) {
    std::string why = detail::best_effort_reasons(after, d, false);
    const auto possible = detail::placement_cost_of(detail::best_masters(layout, d), d);
    const bool held_back = std::pair{possible[detail::placement_level::host_pairs], possible[detail::placement_level::zone_pairs]} <
                           std::pair{reached[detail::placement_level::host_pairs], reached[detail::placement_level::zone_pairs]};
    why += held_back ? "; more spread needs replicas that are unhealthy, unsynced or behind an unhealthy master"
                     : "; no choice of masters with the pods where they are does better";
    out.diagnostics.push_back({detail::placement_severity(policy), "placement.best_effort", "spec.placement",
                               "masters cannot all be kept apart by failovers now: " + why});
  }
  return out;
}

}  // namespace rcplan
