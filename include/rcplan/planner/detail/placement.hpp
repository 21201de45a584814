#pragma once

// The placement solver (the min-cost flow described in planner/placement.hpp), its cost levels
// and failure domains, and the findings about a placement, typed by what they are about.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/shards.hpp>
#include <rcplan/spec/spec.hpp>

#include <range/v3/algorithm/sort.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/addressof.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/join.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

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
  return reasons | ranges::views::join(std::string_view("; ")) | ranges::to<std::string>();
}

/// choose_masters(): among members running Redis, healthy ones first, the min-cost choice.
[[nodiscard]] inline std::map<int, const shard_member*> masters_at_creation(const cluster_layout& layout,
                                                                            const placement_policy& policy) {
  const placement_domains d = domains_of(layout, policy);
  std::vector<const shard_view*> which;
  std::vector<std::vector<placement_option>> options;
  for (const shard_view& s : layout.shards) {
    const bool any_healthy = std::any_of(s.members.begin(), s.members.end(), placement_healthy);
    std::vector<placement_option> mine;
    for (const shard_member& m : s.members)
      if (m.node != nullptr && m.p != nullptr && (!any_healthy || placement_healthy(m)))
        mine.push_back(make_option(s, m, d, 0, static_cast<std::int64_t>(mine.size())));
    if (mine.empty()) continue;
    which.push_back(&s);
    options.push_back(std::move(mine));
  }
  const std::vector<std::size_t> chosen = solve_placement(options);
  std::map<int, const shard_member*> out;
  for (std::size_t i = 0; i < which.size(); ++i) out[which[i]->index] = options[i][chosen[i]].member;
  return out;
}

/// For each current master: keeping it (no switch), or promoting one of its promotable
/// replicas (one switch), those ranked by replication offset, then node id.
[[nodiscard]] inline std::vector<std::vector<placement_option>> spread_options(
    const std::vector<std::pair<const shard_view*, const shard_member*>>& masters, const placement_domains& d) {
  std::vector<std::vector<placement_option>> options;
  for (const auto& [s, m] : masters) {
    std::vector<placement_option> mine{make_option(*s, *m, d, 0, 0)};
    if (placement_healthy(*m)) {
      auto candidates = s->members |
                        ranges::views::filter([m = m](const shard_member& r) { return &r != m && promotable(r, *m->node); }) |
                        ranges::views::addressof | ranges::to<std::vector>();
      ranges::sort(candidates, [](const shard_member* a, const shard_member* b) {
        const std::uint64_t oa = a->observed->replication->offset(), ob = b->observed->replication->offset();
        return oa != ob ? oa > ob : a->node->id < b->node->id;
      });
      for (const shard_member* r : candidates) mine.push_back(make_option(*s, *r, d, 1, static_cast<std::int64_t>(mine.size())));
    }
    options.push_back(std::move(mine));
  }
  return options;
}

/// Why masters still share a host or zone once the failovers chose `after`, and whether unhealthy
/// or unsynced replicas hold the spread back; nothing when they share none.
[[nodiscard]] inline std::optional<std::string> spread_shortfall(
    const cluster_layout& layout, const placement_domains& d,
    const std::vector<std::pair<const shard_view*, const shard_member*>>& after) {
  const placement_cost reached = placement_cost_of(after, d);
  if (reached[placement_level::host_pairs] == 0 && reached[placement_level::zone_pairs] == 0) return std::nullopt;
  std::string why = best_effort_reasons(after, d, false);
  const placement_cost possible = placement_cost_of(best_masters(layout, d), d);
  const bool held_back = std::pair{possible[placement_level::host_pairs], possible[placement_level::zone_pairs]} <
                         std::pair{reached[placement_level::host_pairs], reached[placement_level::zone_pairs]};
  why += held_back ? "; more spread needs replicas that are unhealthy, unsynced or behind an unhealthy master"
                   : "; no choice of masters with the pods where they are does better";
  return why;
}

/// What a placement finding is about: phases act on the kind, never on a diagnostic's text.
enum class placement_issue : std::uint8_t {
  masters_share_host,
  masters_share_zone,
  replica_on_master_host,
  replica_on_master_zone,
  best_effort,
};

struct placement_finding {
  placement_issue issue = placement_issue::best_effort;
  rcplan::diagnostic diagnostic;

  [[nodiscard]] bool replica_beside_master() const noexcept {
    return issue == placement_issue::replica_on_master_host || issue == placement_issue::replica_on_master_zone;
  }
};

/// placement_findings(), typed (see there).
[[nodiscard]] inline std::vector<placement_finding> placement_issues(const cluster_layout& layout,
                                                                     const placement_policy& policy) {
  std::vector<placement_finding> out;
  const placement_domains d = domains_of(layout, policy);
  if (!d.by_host && !d.by_zone) return out;
  const rcplan::severity sev = placement_severity(policy);
  const auto masters = current_masters(layout);
  const placement_cost now = placement_cost_of(masters, d);

  const auto share = [&](bool host) {
    // fixable when masters could share less in this domain alone, whatever the other says
    placement_domains only = d;
    (host ? only.by_zone : only.by_host) = false;
    const std::size_t level = host ? placement_level::host_pairs : placement_level::zone_pairs;
    const bool fixable = now[level] > placement_cost_of(best_masters(layout, only), only)[level];
    std::map<std::string, std::string> seen;  // domain → pods of the masters there so far
    for (const auto& [s, m] : masters) {
      const std::string where = host ? d.host(*m->p) : d.zone(*m->p);
      if (where.empty()) continue;
      auto [it, first] = seen.try_emplace(where, m->p->name);
      if (first) continue;
      out.push_back({host ? placement_issue::masters_share_host : placement_issue::masters_share_zone,
                     {fixable ? sev : severity::info,
                      host ? placement_code::masters_share_host : placement_code::masters_share_zone, m->p->name,
                      "master pod " + m->p->name + " shares " + (host ? "host " : "zone ") + where + " with master pod " +
                          it->second}});
      it->second += ", " + m->p->name;
    }
  };
  if (d.by_host) share(true);
  if (d.by_zone) share(false);

  for (const auto& [s, m] : masters) {
    const std::string h = d.host(*m->p), z = d.zone(*m->p);
    const auto [ch, cz] = colocated(*s, *m, d);
    // fixable when another member of the shard would have fewer replicas beside it
    bool host_fixable = false, zone_fixable = false;
    for (const shard_member& x : s->members) {
      if (x.node == nullptr || x.p == nullptr) continue;
      const auto [xh, xz] = colocated(*s, x, d);
      host_fixable = host_fixable || xh < ch;
      zone_fixable = zone_fixable || xz < cz;
    }
    for (const shard_member& r : s->members) {
      if (&r == m || r.node == nullptr || r.p == nullptr) continue;
      if (!h.empty() && d.host(*r.p) == h)
        out.push_back({placement_issue::replica_on_master_host,
                       {host_fixable ? sev : severity::info, placement_code::replica_on_master_host, r.p->name,
                        "replica pod " + r.p->name + " is on host " + h + " with its master pod " + m->p->name}});
      else if (!z.empty() && d.zone(*r.p) == z)
        out.push_back({placement_issue::replica_on_master_zone,
                       {zone_fixable ? sev : severity::info, placement_code::replica_on_master_zone, r.p->name,
                        "replica pod " + r.p->name + " is in zone " + z + " with its master pod " + m->p->name}});
    }
  }

  const std::string why = best_effort_reasons(best_masters(layout, d), d, true);
  if (!why.empty())
    out.push_back({placement_issue::best_effort,
                   {sev, placement_code::best_effort, "spec.placement",
                    "no placement of masters with the pods where they are keeps every failure domain apart: " + why}});
  return out;
}

}  // namespace rcplan::planner_detail
