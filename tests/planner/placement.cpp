// Placement of masters across hosts and zones: hand-built layouts for the cases an operator
// meets (failovers that piled masters onto one host, too few hosts, zones), and properties on
// generated layouts checked against a brute force over every choice of masters.

#include <rcplan/planner/placement.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace {

using rcplan::placement_mode;
using rcplan::placement_policy;
using rcplan::severity;
using rcplan::spread_domain;

/// One pod of a shard as the test sees it; `master` marks the shard's current master.
struct pod_spec {
  std::string host;
  std::string zone;
  bool master = false;
  bool healthy = true;  ///< false: its node is flagged `fail`
  bool synced = true;   ///< replication link up
  bool ready = true;
  std::uint64_t offset = 1000;
};
using shard_spec = std::vector<pod_spec>;

rcplan::node_id id_of(std::size_t shard, std::size_t ordinal) { return rcplan_test::make_id(shard * 16 + ordinal); }
std::string name_of(std::size_t shard, std::size_t ordinal) {
  return rcplan::pod_name("c", static_cast<int>(shard), static_cast<int>(ordinal));
}

/// Pods, one cluster view (from the first node) and each node's own observation.
rcplan::topology make_topology(const std::vector<shard_spec>& shards) {
  rcplan::topology t;
  rcplan::cluster_view v;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    std::size_t master = 0;
    for (std::size_t j = 0; j < shards[i].size(); ++j)
      if (shards[i][j].master) master = j;
    rcplan::statefulset sts;
    sts.name = rcplan::statefulset_name("c", static_cast<int>(i));
    sts.shard_index = static_cast<int>(i);
    sts.replicas = static_cast<int>(shards[i].size());
    t.statefulsets.push_back(sts);
    for (std::size_t j = 0; j < shards[i].size(); ++j) {
      const pod_spec& s = shards[i][j];
      rcplan::pod p;
      p.name = name_of(i, j);
      p.shard_index = static_cast<int>(i);
      p.ordinal = static_cast<int>(j);
      p.kube_node = s.host;
      p.zone = s.zone;
      p.ip = "10.0." + std::to_string(i) + "." + std::to_string(j);
      p.ready = s.ready;
      t.pods.push_back(p);

      rcplan::cluster_node n;
      n.id = id_of(i, j);
      n.addr = {p.ip, 6379, 16379, ""};
      const bool is_master = j == master;
      n.flags.master = is_master;
      n.flags.replica = !is_master;
      n.flags.fail = !s.healthy;
      if (!is_master) n.master_id = id_of(i, master);
      v.nodes.push_back(n);

      rcplan::node_observation o;
      o.id = n.id;
      o.addr = n.addr;
      rcplan::replication_info r;
      r.role = is_master ? rcplan::node_role::master : rcplan::node_role::replica;
      r.master_link_up = !is_master && s.synced;
      r.replica_repl_offset = s.offset;
      r.master_repl_offset = s.offset;
      o.replication = r;
      t.observations.push_back(o);
    }
  }
  if (!v.nodes.empty()) v.observer = v.nodes.front().id;
  t.views.push_back(v);
  return t;
}

/// A topology and the layout pointing into it; never copied or moved.
struct fixture {
  rcplan::topology t;
  std::vector<rcplan::cluster_node> merged;
  rcplan::cluster_layout layout;

  explicit fixture(rcplan::topology x) : t(std::move(x)), merged(rcplan::merged_nodes(t)), layout(rcplan::map_shards(t, merged)) {}
  fixture(const fixture&) = delete;
  fixture& operator=(const fixture&) = delete;
};

placement_policy policy(spread_domain by, placement_mode mode = placement_mode::preferred) {
  placement_policy p;
  p.spread_by = by;
  p.mode = mode;
  return p;
}

std::vector<std::string> codes(const std::vector<rcplan::diagnostic>& ds) {
  std::vector<std::string> out;
  for (const auto& d : ds) out.push_back(d.code);
  return out;
}

std::size_t count_code(const std::vector<rcplan::diagnostic>& ds, const std::string& code) {
  return static_cast<std::size_t>(std::count_if(ds.begin(), ds.end(), [&](const auto& d) { return d.code == code; }));
}

// --- an independent scorer and brute force --------------------------------------------------

struct score {
  std::int64_t host_pairs = 0;
  std::int64_t zone_pairs = 0;
  friend auto operator<=>(const score&, const score&) = default;
};

/// Pairs of masters sharing a host / zone when shard i's master is ordinal `masters[i]`.
score score_of(const std::vector<shard_spec>& shards, const std::vector<std::size_t>& masters, spread_domain by) {
  const bool host = by == spread_domain::host || by == spread_domain::host_and_zone;
  const bool zone = by == spread_domain::zone || by == spread_domain::host_and_zone;
  std::map<std::string, std::int64_t> hosts, zones;
  score s;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const pod_spec& p = shards[i][masters[i]];
    if (host && !p.host.empty()) s.host_pairs += hosts[p.host]++;
    if (zone && !p.zone.empty()) s.zone_pairs += zones[p.zone]++;
  }
  return s;
}

std::size_t current_master(const shard_spec& s) {
  for (std::size_t j = 0; j < s.size(); ++j)
    if (s[j].master) return j;
  return 0;
}

/// Ordinals a shard may end with: its master, plus, when the master is healthy, every replica
/// that is healthy, ready and synced. `movable` limits which shards may change at all.
std::vector<std::vector<std::size_t>> choices(const std::vector<shard_spec>& shards, const std::vector<bool>& movable) {
  std::vector<std::vector<std::size_t>> out;
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const std::size_t m = current_master(shards[i]);
    std::vector<std::size_t> c{m};
    if (shards[i][m].healthy && movable[i])
      for (std::size_t j = 0; j < shards[i].size(); ++j)
        if (j != m && shards[i][j].healthy && shards[i][j].ready && shards[i][j].synced) c.push_back(j);
    out.push_back(c);
  }
  return out;
}

/// The lexicographically least (spread, switches) over every combination of choices.
std::pair<score, std::size_t> brute_force(const std::vector<shard_spec>& shards, const std::vector<std::vector<std::size_t>>& c,
                                          spread_domain by) {
  std::vector<std::size_t> pick(shards.size(), 0), masters(shards.size());
  std::pair<score, std::size_t> best{score{1 << 30, 1 << 30}, 1 << 30};
  while (true) {
    std::size_t switches = 0;
    for (std::size_t i = 0; i < shards.size(); ++i) {
      masters[i] = c[i][pick[i]];
      if (pick[i] != 0) ++switches;
    }
    best = std::min(best, std::pair{score_of(shards, masters, by), switches});
    std::size_t i = 0;
    while (i < shards.size() && ++pick[i] == c[i].size()) pick[i++] = 0;
    if (i == shards.size()) break;
  }
  return best;
}

/// Shards whose master shares a host (zone) with another master, under the policy.
std::vector<bool> conflicted(const std::vector<shard_spec>& shards, spread_domain by) {
  const bool host = by == spread_domain::host || by == spread_domain::host_and_zone;
  const bool zone = by == spread_domain::zone || by == spread_domain::host_and_zone;
  std::vector<bool> out(shards.size(), false);
  for (std::size_t i = 0; i < shards.size(); ++i)
    for (std::size_t k = 0; k < shards.size(); ++k) {
      if (i == k) continue;
      const pod_spec& a = shards[i][current_master(shards[i])];
      const pod_spec& b = shards[k][current_master(shards[k])];
      if ((host && !a.host.empty() && a.host == b.host) || (zone && !a.zone.empty() && a.zone == b.zone)) out[i] = true;
    }
  return out;
}

/// Shard i and ordinal j of the pod running `id`.
std::pair<std::size_t, std::size_t> where(const rcplan::node_id& id) {
  for (std::size_t k = 0;; ++k)
    if (rcplan_test::make_id(k) == id) return {k / 16, k % 16};
}

/// The shards once `failovers` ran: the promoted pod is master, the old one its synced replica.
std::vector<shard_spec> apply(std::vector<shard_spec> shards, const std::vector<rcplan::failover>& failovers) {
  for (const auto& f : failovers) {
    const auto [i, j] = where(f.replica);
    for (pod_spec& p : shards[i]) {
      if (p.master) p.synced = true;
      p.master = false;
    }
    shards[i][j].master = true;
  }
  return shards;
}

std::vector<std::size_t> masters_of(const std::vector<shard_spec>& shards) {
  std::vector<std::size_t> out;
  for (const auto& s : shards) out.push_back(current_master(s));
  return out;
}

// --- generated layouts ------------------------------------------------------------------------

struct generated {
  std::vector<shard_spec> shards;
  spread_domain by = spread_domain::host;
};

/// Up to 5 shards of 1–3 pods over 1–5 hosts in 1–3 zones (a host is in one zone), a random
/// current master per shard, and random health, readiness, sync and offsets.
rc::Gen<generated> gen_layout(bool all_healthy) {
  return rc::gen::exec([all_healthy] {
    generated g;
    g.by = *rc::gen::element(spread_domain::host, spread_domain::zone, spread_domain::host_and_zone);
    const auto hosts = *rc::gen::inRange(1, 6);
    const auto zones = *rc::gen::inRange(1, 4);
    const auto n = *rc::gen::inRange<std::size_t>(1, 6);
    for (std::size_t i = 0; i < n; ++i) {
      const auto size = *rc::gen::inRange<std::size_t>(1, 4);
      const auto master = *rc::gen::inRange<std::size_t>(0, size);
      shard_spec s;
      for (std::size_t j = 0; j < size; ++j) {
        pod_spec p;
        const int h = *rc::gen::inRange(0, hosts);
        p.host = 'h' + std::to_string(h);
        p.zone = 'z' + std::to_string(h % zones);
        p.master = j == master;
        if (!all_healthy) {
          p.healthy = *rc::gen::inRange(0, 8) != 0;
          p.synced = *rc::gen::inRange(0, 6) != 0;
          p.ready = *rc::gen::inRange(0, 10) != 0;
        }
        p.offset = *rc::gen::inRange<std::uint64_t>(0, 3);
        s.push_back(p);
      }
      g.shards.push_back(s);
    }
    return g;
  });
}

}  // namespace

// --- hand-built layouts -----------------------------------------------------------------------

TEST_CASE("two failovers put two masters on one host: one failover restores the spread") {
  // shard i was laid out master on h<i>, replica on h<i+1>; shards 0 failed over to h1
  const std::vector<shard_spec> shards{
      {{"h0", "", false}, {"h1", "", true}},
      {{"h1", "", true}, {"h2", "", false}},
      {{"h2", "", true}, {"h0", "", false}},
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  REQUIRE(p.failovers.size() == 1);
  CHECK(p.failovers[0].replica == id_of(0, 0));
  CHECK(p.failovers[0].mode == rcplan::failover_mode::default_mode);
  CHECK(p.diagnostics.empty());

  const auto found = rcplan::placement_findings(f.layout, policy(spread_domain::host));
  REQUIRE(found.size() == 1);
  CHECK(found[0].code == rcplan::placement_code::masters_share_host);
  CHECK(found[0].subject == name_of(1, 0));  // the later master of the two
  CHECK(found[0].severity == severity::warning);
  const auto strict = rcplan::placement_findings(f.layout, policy(spread_domain::host, placement_mode::required));
  REQUIRE(strict.size() == 1);
  CHECK(strict[0].severity == severity::error);

  // once it ran, nothing is left to do or to report
  const fixture g(make_topology(apply(shards, p.failovers)));
  CHECK(rcplan::plan_spread_failovers(g.layout, policy(spread_domain::host)).failovers.empty());
  CHECK(rcplan::placement_findings(g.layout, policy(spread_domain::host)).empty());
}

TEST_CASE("four shards on three hosts: best effort, one pair of masters at most") {
  const std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h1", "", false}},
      {{"h0", "", true}, {"h2", "", false}},
      {{"h0", "", true}, {"h1", "", false}},
      {{"h2", "", true}, {"h0", "", false}},
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  CHECK(p.failovers.size() == 1);  // h0 ×3, h2 → two of h0's masters must leave
  CHECK(codes(p.diagnostics) == std::vector<std::string>{rcplan::placement_code::best_effort});
  const auto after = apply(shards, p.failovers);
  CHECK(score_of(after, masters_of(after), spread_domain::host).host_pairs == 1);

  const auto found = rcplan::placement_findings(f.layout, policy(spread_domain::host, placement_mode::required));
  CHECK(count_code(found, rcplan::placement_code::best_effort) == 1);
  CHECK(count_code(found, rcplan::placement_code::masters_share_host) == 2);
  for (const auto& d : found)
    if (d.code == rcplan::placement_code::masters_share_host) CHECK(d.severity == severity::error);  // fixable: 3 → 1 pair

  // after the plan the one remaining pair is unavoidable: reported as a fact, not an error
  const fixture g(make_topology(after));
  const auto left = rcplan::placement_findings(g.layout, policy(spread_domain::host, placement_mode::required));
  REQUIRE(count_code(left, rcplan::placement_code::masters_share_host) == 1);
  for (const auto& d : left) {
    if (d.code == rcplan::placement_code::masters_share_host) CHECK(d.severity == severity::info);
    if (d.code == rcplan::placement_code::best_effort) CHECK(d.severity == severity::error);
  }
  CHECK(count_code(left, rcplan::placement_code::best_effort) == 1);
}

TEST_CASE("more failovers are not planned than needed: two masters on h0, one moves") {
  const std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h1", "", false}},
      {{"h0", "", true}, {"h1", "", false}},
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  REQUIRE(p.failovers.size() == 1);
  CHECK((p.failovers[0].replica == id_of(0, 1) || p.failovers[0].replica == id_of(1, 1)));
  CHECK(p.diagnostics.empty());
}

TEST_CASE("zones: masters on distinct hosts but one zone twice move to the free zone") {
  const std::vector<shard_spec> shards{
      {{"a1", "a", true}, {"b1", "b", false}},
      {{"a2", "a", true}, {"c1", "c", false}},
      {{"b2", "b", true}, {"a3", "a", false}},
  };
  const fixture f(make_topology(shards));
  const auto by_host = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  CHECK(by_host.failovers.empty());  // hosts alone are already apart
  const auto by_zone = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host_and_zone));
  REQUIRE(by_zone.failovers.size() == 1);
  CHECK(by_zone.failovers[0].replica == id_of(1, 1));
  CHECK(by_zone.diagnostics.empty());
  const auto found = rcplan::placement_findings(f.layout, policy(spread_domain::zone));
  CHECK(count_code(found, rcplan::placement_code::masters_share_zone) == 1);
  CHECK(count_code(found, rcplan::placement_code::best_effort) == 0);
}

TEST_CASE("zones: more shards than zones balance masters, and say it is best effort") {
  std::vector<shard_spec> shards;
  for (int i = 0; i < 6; ++i) {
    // every master in zone a at first; each shard also has a pod in zone b or c
    const std::string other = i % 2 == 0 ? "b" : "c";
    shards.push_back({{'a' + std::to_string(i), "a", true}, {other + std::to_string(i), other, false}});
  }
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::zone));
  CHECK(p.failovers.size() == 4);  // 2-2-2: three pairs instead of fifteen
  const auto after = apply(shards, p.failovers);
  CHECK(score_of(after, masters_of(after), spread_domain::zone).zone_pairs == 3);
  CHECK(codes(p.diagnostics) == std::vector<std::string>{rcplan::placement_code::best_effort});
}

TEST_CASE("the replica to promote: synced, then the highest offset, then the lowest id") {
  std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h1", "", false, true, true, true, 5}, {"h2", "", false, true, true, true, 9}},
      {{"h0", "", true}, {"h0", "", false}},
  };
  {
    const fixture f(make_topology(shards));
    const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
    REQUIRE(p.failovers.size() == 1);
    CHECK(p.failovers[0].replica == id_of(0, 2));
  }
  shards[0][2].offset = 5;
  {
    const fixture f(make_topology(shards));
    const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
    REQUIRE(p.failovers.size() == 1);
    CHECK(p.failovers[0].replica == id_of(0, 1));
  }
  shards[0][1].synced = false;
  {
    const fixture f(make_topology(shards));
    const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
    REQUIRE(p.failovers.size() == 1);
    CHECK(p.failovers[0].replica == id_of(0, 2));
  }
}

TEST_CASE("a promotion that leaves no replica on the new master's host is preferred") {
  const std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h1", "", false, true, true, true, 9}, {"h1", "", false, true, true, true, 9}, {"h2", "", false, true, true, true, 1}},
      {{"h0", "", true}},
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  REQUIRE(p.failovers.size() == 1);
  CHECK(p.failovers[0].replica == id_of(0, 3));
}

TEST_CASE("no failover to an unsynced, unready or failed replica, nor away from a failed master") {
  const auto check_none = [](const std::vector<shard_spec>& shards, bool held_back) {
    const fixture f(make_topology(shards));
    const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
    CHECK(p.failovers.empty());
    REQUIRE(codes(p.diagnostics) == std::vector<std::string>{rcplan::placement_code::best_effort});
    CHECK((p.diagnostics[0].message.find("unhealthy, unsynced") != std::string::npos) == held_back);
  };
  pod_spec replica{"h1", "", false};
  std::vector<shard_spec> shards{{{"h0", "", true}, replica}, {{"h0", "", true}}};
  shards[0][1].synced = false;
  check_none(shards, true);
  shards[0][1].synced = true;
  shards[0][1].ready = false;
  check_none(shards, true);
  shards[0][1].ready = true;
  shards[0][1].healthy = false;
  check_none(shards, true);
  shards[0][1].healthy = true;
  shards[0][0].healthy = false;
  check_none(shards, true);
  // nowhere to go at all
  check_none({{{"h0", "", true}, {"h0", "", false}}, {{"h0", "", true}}}, false);
}

TEST_CASE("a failed master's shard stays - another shard moves instead") {
  const std::vector<shard_spec> shards{
      {{"h0", "", true, false}, {"h1", "", false}},
      {{"h0", "", true}, {"h2", "", false}},
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  REQUIRE(p.failovers.size() == 1);
  CHECK(p.failovers[0].replica == id_of(1, 1));
}

TEST_CASE("a chain of promotions when the only free host is reached through other shards") {
  // B and C share h0; C cannot move; B can only go to h1 (A1's), A1 only to h2 (A2's), A2 to
  // h3. Spreading all four needs three failovers, more than the two shards in conflict.
  const std::vector<shard_spec> shards{
      {{"h1", "", true}, {"h2", "", false}},  // A1
      {{"h2", "", true}, {"h3", "", false}},  // A2
      {{"h0", "", true}, {"h1", "", false}},  // B
      {{"h0", "", true}},                     // C
  };
  const fixture f(make_topology(shards));
  const auto p = rcplan::plan_spread_failovers(f.layout, policy(spread_domain::host));
  CHECK(p.failovers == std::vector<rcplan::failover>{{id_of(0, 1)}, {id_of(1, 1)}, {id_of(2, 1)}});
  CHECK(p.diagnostics.empty());
}

TEST_CASE("choose_masters: a matching where the lowest ordinals would collide") {
  // lowest ordinals: h0, h0, h1. A spread exists: shard 0 on h2, shard 1 on h0, shard 2 on h1.
  const std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h2", "", false}},
      {{"h0", "", true}, {"h1", "", false}},
      {{"h1", "", true}, {"h0", "", false}},
  };
  const fixture f(make_topology(shards));
  const auto m = rcplan::choose_masters(f.layout, policy(spread_domain::host));
  REQUIRE(m.size() == 3);
  CHECK(m.at(0)->p->name == name_of(0, 1));
  CHECK(m.at(1)->p->name == name_of(1, 0));
  CHECK(m.at(2)->p->name == name_of(2, 0));
}

TEST_CASE("choose_masters: lowest ordinals when they already spread - replicas kept away") {
  const std::vector<shard_spec> shards{
      {{"h0", "", true}, {"h1", "", false}},
      {{"h1", "", true}, {"h2", "", false}},
      {{"h2", "", true}, {"h0", "", false}},
  };
  const fixture f(make_topology(shards));
  for (const auto by : {spread_domain::none, spread_domain::host}) {
    const auto m = rcplan::choose_masters(f.layout, policy(by));
    REQUIRE(m.size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(m.at(i)->p->ordinal == 0);
  }
  // two pods on h0 and one on h1: a master on h1 leaves no replica beside it
  const fixture g(make_topology({{{"h0", "", true}, {"h0", "", false}, {"h1", "", false}}}));
  CHECK(rcplan::choose_masters(g.layout, policy(spread_domain::host)).at(0)->p->ordinal == 2);
}

TEST_CASE("findings: replicas on their master's host or zone") {
  const std::vector<shard_spec> shards{
      {{"h0", "a", true}, {"h0", "a", false}, {"h1", "a", false}},
      {{"h2", "b", true}, {"h2", "b", false}},
  };
  const fixture f(make_topology(shards));
  const auto found = rcplan::placement_findings(f.layout, policy(spread_domain::host_and_zone, placement_mode::required));
  std::vector<std::tuple<std::string, std::string, severity>> got;
  for (const auto& d : found) got.emplace_back(d.code, d.subject, d.severity);
  CHECK(got == std::vector<std::tuple<std::string, std::string, severity>>{
                   {rcplan::placement_code::replica_on_master_host, name_of(0, 1), severity::error},  // h1 would avoid it
                   {rcplan::placement_code::replica_on_master_zone, name_of(0, 2), severity::info},   // one zone only
                   {rcplan::placement_code::replica_on_master_host, name_of(1, 1), severity::info},   // one host only
                   {rcplan::placement_code::best_effort, "spec.placement", severity::error},
               });
  CHECK(rcplan::placement_findings(f.layout, policy(spread_domain::none)).empty());
  CHECK(rcplan::plan_spread_failovers(f.layout, policy(spread_domain::none)) == rcplan::placement_plan{});
}

// --- properties -------------------------------------------------------------------------------

TEST_CASE("spread failovers on generated layouts") {
  rc::prop("fewest failovers for the best reachable spread; only healthy synced replicas", [] {
    const generated g = *gen_layout(false);
    const fixture f(make_topology(g.shards));
    const auto p = rcplan::plan_spread_failovers(f.layout, policy(g.by));

    std::set<std::size_t> touched;
    for (const auto& fo : p.failovers) {
      const auto [i, j] = where(fo.replica);
      RC_ASSERT(touched.insert(i).second);  // one per shard
      const shard_spec& s = g.shards[i];
      RC_ASSERT(!s[j].master);
      RC_ASSERT(s[j].healthy && s[j].ready && s[j].synced);
      RC_ASSERT(s[current_master(s)].healthy);
      RC_ASSERT(fo.mode == rcplan::failover_mode::default_mode);
    }

    const auto after = apply(g.shards, p.failovers);
    const score reached = score_of(after, masters_of(after), g.by);
    const std::vector<bool> all(g.shards.size(), true);
    const auto best = brute_force(g.shards, choices(g.shards, all), g.by);
    RC_ASSERT(reached == best.first);
    RC_ASSERT(p.failovers.size() == best.second);
    RC_ASSERT((count_code(p.diagnostics, rcplan::placement_code::best_effort) == 1) == (reached != score{}));

    // moving only the shards in conflict gets as far? then no more failovers than those shards
    const auto in_conflict = conflicted(g.shards, g.by);
    const auto narrow = brute_force(g.shards, choices(g.shards, in_conflict), g.by);
    if (narrow.first == best.first)
      RC_ASSERT(p.failovers.size() <= static_cast<std::size_t>(std::count(in_conflict.begin(), in_conflict.end(), true)));

    // deterministic, whatever order pods and observations were listed in
    RC_ASSERT(rcplan::plan_spread_failovers(f.layout, policy(g.by)) == p);
    auto shuffled = make_topology(g.shards);
    std::reverse(shuffled.pods.begin(), shuffled.pods.end());
    std::reverse(shuffled.observations.begin(), shuffled.observations.end());
    const fixture h(std::move(shuffled));
    RC_ASSERT(rcplan::plan_spread_failovers(h.layout, policy(g.by)) == p);

    // converged once run: nothing more to fail over
    const fixture done(make_topology(after));
    RC_ASSERT(rcplan::plan_spread_failovers(done.layout, policy(g.by)).failovers.empty());
  });
}

TEST_CASE("chosen masters on generated layouts") {
  rc::prop("the best spread any choice of members gives, ties by lowest ordinals", [] {
    const generated g = *gen_layout(true);
    const fixture f(make_topology(g.shards));
    const auto m = rcplan::choose_masters(f.layout, policy(g.by));
    RC_ASSERT(m.size() == g.shards.size());
    std::vector<std::size_t> picked;
    for (const auto& [i, member] : m) {
      RC_ASSERT(member->p->shard_index == i);
      picked.push_back(static_cast<std::size_t>(member->p->ordinal));
    }
    // any member may be chosen: pretend every pod is a synced replica of a movable master
    auto open = g.shards;
    for (auto& s : open)
      for (auto& p : s) p.synced = p.ready = p.healthy = true;
    const std::vector<bool> all(g.shards.size(), true);
    RC_ASSERT(score_of(g.shards, picked, g.by) == brute_force(open, choices(open, all), g.by).first);
    RC_ASSERT(rcplan::choose_masters(f.layout, policy(g.by)) == m);

    // findings: best effort exactly when even the best choice leaves masters together
    const auto found = rcplan::placement_findings(f.layout, policy(g.by));
    if (brute_force(open, choices(open, all), g.by).first != score{})
      RC_ASSERT(count_code(found, rcplan::placement_code::best_effort) == 1);
  });
}
