// reconcile() driven by the level-triggered loop against the simulated world: every scenario
// must end in an empty, converged plan without breaking a design §6 invariant or losing a key.
//
// Bounds. One loop iteration applies one wave and ticks one second. Each bound below is the
// number of plans the scenario needs when nothing goes wrong (counted from the trace and the
// phases it runs through) plus slack for the waits that end a wave early; none is a mere "big
// number": a planner that repeats itself or stalls runs into it.

#include <rcplan/planner/reconcile.hpp>
#include <rcplan/testing/converge.hpp>

#include "support/kube_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using rcplan::testing::converge_options;
using rcplan::testing::converge_report;
using rcplan::testing::fault;

std::string trace_of(const converge_report& r) {
  std::string s;
  for (const auto& l : r.trace) s += l + "\n";
  for (const auto& d : r.last_diagnostics) s += "  diagnostic " + d.code + " " + d.subject + ": " + d.message + "\n";
  return s;
}

/// The loop with reconcile() as the planner, checking every invariant of the whole cluster at
/// each observation (the world checks only what each command touches) and, if given, `extra`
/// on the observed topology and the plan.
struct checked_loop {
  rcplan::sim::world& w;
  rcplan::cluster_resource resource;
  std::function<std::optional<std::string>(const rcplan::topology&, const rcplan::plan&)> extra;
  std::optional<std::string> problem;

  converge_report run(converge_options o) {
    const auto planner = [this](const rcplan::topology& t) {
      rcplan::plan p = rcplan::reconcile(t, resource);
      if (!problem)
        if (const auto v = w.cluster().check_all()) problem = v->invariant + ": " + v->detail;
      if (!problem && extra) problem = extra(t, p);
      return p;
    };
    return rcplan::testing::converge(w, planner, o);
  }
};

converge_options bound(std::size_t n, std::vector<fault> faults = {}) {
  converge_options o;
  o.max_iterations = n;
  o.faults = std::move(faults);
  return o;
}

/// Checks a finished run: converged, no violation, every key kept.
void require_converged(const checked_loop& l, const converge_report& r) {
  INFO(trace_of(r));
  INFO("problem: " << l.problem.value_or("none"));
  REQUIRE_FALSE(r.violation);
  REQUIRE_FALSE(l.problem);
  REQUIRE(r.converged);
  REQUIRE(r.keys_after == r.keys_before);
  REQUIRE(l.w.cluster().total_keys() == r.keys_after);
}

/// The healthy end state of `masters` × `replicas` (ready pods, agreeing views, full coverage,
/// each master with its replicas).
void require_healthy(const rcplan::sim::world& w, int masters, int replicas) {
  const auto t = w.to_topology();
  CHECK(rcplan::views_agree(t));
  CHECK(w.cluster().covered().full());
  std::size_t master_count = 0, replica_count = 0;
  for (const auto& [id, n] : w.cluster().nodes()) {
    if (!w.cluster().is_member(id)) continue;
    CHECK(n.alive);
    if (n.master && !n.claims.empty()) ++master_count;
    if (!n.master) ++replica_count;
  }
  CHECK(master_count == static_cast<std::size_t>(masters));
  CHECK(replica_count == static_cast<std::size_t>(masters * replicas));
  CHECK(w.statefulsets().size() == static_cast<std::size_t>(masters));
  for (const auto& [name, s] : w.statefulsets()) {
    CHECK(s.observed.replicas == replicas + 1);
    CHECK(s.observed.ready_replicas == replicas + 1);
  }
}

/// 1, 2 or 3 keys in every slot.
void preload(rcplan::sim::world& w) {
  for (std::size_t s = 0; s < rcplan::slot_count; ++s)
    w.cluster().add_keys(static_cast<rcplan::slot>(s), 1 + s % 3);
}

// From nothing: objects, wait for pods, create (epochs + slots), meet, replicate, converged:
// 6 plans with 1-tick waits. 12 leaves room for a wait that holds only after a second tick.
constexpr std::size_t create_bound = 12;

/// A world brought to a healthy masters × replicas cluster with keys in every slot.
rcplan::sim::world healthy_world(int masters, int replicas, std::uint64_t seed = 0) {
  rcplan::sim::world_options wo;
  wo.seed = seed;
  rcplan::sim::world w(wo);
  checked_loop l{w, rcplan_test::resource("c", masters, replicas), {}, {}};
  const auto r = l.run(bound(create_bound));
  require_converged(l, r);
  preload(w);
  return w;
}

/// Pods per shard that are down (missing, not ready) at observation.
std::map<int, int> pods_down(const rcplan::topology& t) {
  std::map<int, int> down;
  for (const auto& s : t.statefulsets) {
    int ready = 0;
    for (const auto& p : t.pods)
      if (p.shard_index == s.shard_index && p.ready && !p.terminating) ++ready;
    down[s.shard_index] = s.replicas - ready;
  }
  return down;
}

}  // namespace

TEST_CASE("converge reconcile: from nothing to a healthy 3x1 cluster", "[sim][converge]") {
  rcplan::sim::world w;
  checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
  const auto r = l.run(bound(create_bound));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  // and a second loop has nothing to do
  const auto again = l.run(bound(1));
  CHECK(again.converged);
}

// Scaling up: objects, pods, meet, replicate, slot waves (one per plan), converged. Scaling
// down: replicas of the removed shard leave, its master drains in waves, it is forgotten
// and its StatefulSet deleted. The slot plans of 4 masters move at most 4096 slots in a few
// waves of disjoint pairs; 40 plans each way is about twice what the trace shows.
TEST_CASE("converge reconcile: 3 -> 4 -> 3 masters keeps every key", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  const auto keys = w.cluster().total_keys();
  REQUIRE(keys > 0);
  {
    checked_loop l{w, rcplan_test::resource("c", 4, 1), {}, {}};
    const auto r = l.run(bound(40));
    require_converged(l, r);
    require_healthy(w, 4, 1);
  }
  {
    checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
    const auto r = l.run(bound(40));
    require_converged(l, r);
    require_healthy(w, 3, 1);
    CHECK(w.statefulsets().count("drc-c-3") == 0);
  }
  CHECK(w.cluster().total_keys() == keys);
}

// Replicas up: grow the StatefulSets, wait, meet, replicate, converged (~6). Down to 0: the
// extra pods leave (forget, reset), the StatefulSets shrink, converged (~4). 16 each.
TEST_CASE("converge reconcile: replicas 1 -> 2 -> 0", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  for (const int replicas : {2, 0}) {
    checked_loop l{w, rcplan_test::resource("c", 3, replicas), {}, {}};
    const auto r = l.run(bound(16));
    require_converged(l, r);
    require_healthy(w, 3, replicas);
  }
}

// The pod restarts on the next tick with its data; the dead master's replica may have been
// promoted by then or not. Either way: a few plans of waiting, a role fix, converged. 16.
TEST_CASE("converge reconcile: a master pod dies and comes back with its data", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  const auto master = w.node_of("drc-c-1-0");
  REQUIRE(master);
  int down_ticks = GENERATE(1, 3, 8);  // before, around and after the node timeout (5 s)
  checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
  const auto r = l.run(bound(16 + static_cast<std::size_t>(down_ticks),
                             {{fault::kind::kill_pod, 0, "drc-c-1-0", false, down_ticks, 0}}));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  // the shard has a master again, one of its own pods, and the old master found its role
  const auto n = w.cluster().find(*master);
  REQUIRE(n != nullptr);
  CHECK(n->alive);
  if (!n->master) CHECK(w.pod_of(*n->master_id)->observed.shard_index == 1);
}

// The replica is promoted after the node timeout (5 ticks); the pod restarts as a fresh node
// which must be met and made a replica, and the dead node forgotten. 24.
TEST_CASE("converge reconcile: a master loses its PVC while it has a replica", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  const auto old = w.node_of("drc-c-2-0");
  checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
  const auto r = l.run(bound(24, {{fault::kind::kill_pod, 0, "drc-c-2-0", true, 1, 0}}));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  CHECK(w.node_of("drc-c-2-0") != old);
  CHECK_FALSE(w.cluster().is_member(*old));
}

// Per shard: the template update (once), replica restart, wait, sync, failover, wait, old
// master restart, wait: about 6 plans a shard, 3 shards, plus a last look; 40.
TEST_CASE("converge reconcile: rolling update to a new image", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  auto spec = rcplan_test::resource("c", 3, 1);
  spec.spec.image = "redis:7.2";
  checked_loop l{w, spec, {}, {}};
  l.extra = [](const rcplan::topology& t, const rcplan::plan& p) -> std::optional<std::string> {
    auto down = pods_down(t);
    int first = p.steps.empty() ? 0 : p.steps.front().wave;
    for (const auto& s : p.steps) first = std::min(first, s.wave);
    for (const auto& s : p.steps)
      if (const auto* d = std::get_if<rcplan::delete_pod>(&s.action); d != nullptr && s.wave == first)
        for (const auto& pod : t.pods)
          if (pod.name == d->name && pod.ready) ++down[pod.shard_index];
    for (const auto& [shard, n] : down)
      if (n > 1) return "shard " + std::to_string(shard) + " would have " + std::to_string(n) + " pods down";
    return std::nullopt;
  };
  const auto r = l.run(bound(40));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  for (const auto& [name, p] : w.pods()) {
    const auto& sts = w.statefulsets().at(name.substr(0, name.rfind('-')));
    CHECK(p.observed.revision == sts.observed.update_revision);
    CHECK(sts.observed.image == "redis:7.2");
  }
}

// One MEET with the new address, converged: 4.
TEST_CASE("converge reconcile: a pod gets a new IP", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  const std::string pod = GENERATE(std::string("drc-c-0-0"), std::string("drc-c-1-1"));
  checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
  const auto r = l.run(bound(4, {{fault::kind::change_pod_ip, 0, pod, false, 1, 0}}));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  const auto t = w.to_topology();
  for (const auto& v : t.views)
    for (const auto& n : v.nodes)
      if (n.id == *w.node_of(pod)) CHECK(n.addr.host == w.find_pod(pod)->observed.ip);
}

// Interrupting a wave costs at most the plans of the cut wave again: the scaling bound (40)
// plus the iterations before the cut.
TEST_CASE("converge reconcile: a wave interrupted after k commands", "[sim][converge]") {
  const std::size_t k = GENERATE(as<std::size_t>{}, 0, 1, 3, 7, 50, 400);
  const std::size_t at = GENERATE(as<std::size_t>{}, 2, 3, 5);
  auto w = healthy_world(3, 1);
  checked_loop l{w, rcplan_test::resource("c", 4, 1), {}, {}};
  const auto r = l.run(bound(40 + at, {{fault::kind::interrupt_wave, at, "", false, 1, k}}));
  require_converged(l, r);
  require_healthy(w, 4, 1);
}

namespace {

struct generated_run {
  int masters_before = 3, replicas_before = 1;
  int masters = 3, replicas = 1;
  std::uint64_t seed = 0;
  std::vector<fault> faults;
};

/// After the last fault (hosts restored), the loop must converge within this many plans: the
/// largest change generated (1 <-> 5 masters with a replica count change) takes about 30 plans
/// on a quiet run, a fault costs at most a node timeout (5 plans) of waiting plus the plans it
/// cuts short, and at most 4 faults are generated.
constexpr std::size_t after_faults_bound = 80;

struct run_result {
  converge_report faulty;  ///< the iterations with faults
  converge_report rest;    ///< after the last fault, hosts restored
  std::optional<std::string> problem;
  std::uint64_t keys = 0;
  rcplan::topology end;
};

run_result run_generated(const generated_run& g) {
  run_result out;
  rcplan::sim::world_options wo;
  wo.seed = g.seed;
  rcplan::sim::world w(wo);
  {
    checked_loop l{w, rcplan_test::resource("c", g.masters_before, g.replicas_before), {}, {}};
    out.faulty = l.run(bound(create_bound));
    if (!out.faulty.converged || out.faulty.violation || l.problem) {
      out.problem = "the initial cluster did not converge: " + l.problem.value_or("");
      return out;
    }
  }
  preload(w);
  out.keys = w.cluster().total_keys();
  checked_loop l{w, rcplan_test::resource("c", g.masters, g.replicas), {}, {}};
  std::size_t last = 0;
  for (const fault& f : g.faults) last = std::max(last, f.at_iteration + 1);
  out.faulty = l.run(bound(last, g.faults));
  if (!out.faulty.violation && !l.problem && !(out.faulty.converged && out.faulty.iterations < last)) {
    for (const auto& h : rcplan::sim::world_options{}.hosts) w.restore_host(h.name);
    out.rest = l.run(bound(after_faults_bound));
  }
  out.problem = l.problem;
  out.end = w.to_topology();
  return out;
}

}  // namespace

TEST_CASE("converge reconcile: generated specs and faults converge, keep keys and are deterministic",
          "[sim][converge][property]") {
  rc::prop("converges within the bound, no invariant broken, no key lost, same trace twice", [] {
    generated_run g;
    g.masters_before = *rc::gen::inRange(1, 6);
    g.replicas_before = *rc::gen::inRange(0, 3);
    g.masters = *rc::gen::inRange(1, 6);
    g.replicas = *rc::gen::inRange(0, 3);
    g.seed = *rc::gen::inRange<std::uint64_t>(0, 1000);
    const int faults = *rc::gen::inRange(0, 5);
    const int shards = std::max(g.masters, g.masters_before);
    const int pods = std::max(g.replicas, g.replicas_before) + 1;
    for (int i = 0; i < faults; ++i) {
      fault f;
      f.what = static_cast<fault::kind>(*rc::gen::inRange(0, 4));
      f.at_iteration = *rc::gen::inRange<std::size_t>(0, 15);
      f.target = "drc-c-" + std::to_string(*rc::gen::inRange(0, shards)) + "-" + std::to_string(*rc::gen::inRange(0, pods));
      if (f.what == fault::kind::lose_host)
        f.target = rcplan::sim::world_options{}.hosts[*rc::gen::inRange<std::size_t>(0, 3)].name;
      f.down_ticks = *rc::gen::inRange(1, 9);
      f.after_commands = *rc::gen::inRange<std::size_t>(0, 40);
      g.faults.push_back(f);
    }
    RC_LOG() << "masters " << g.masters_before << " -> " << g.masters << ", replicas " << g.replicas_before << " -> "
             << g.replicas << ", seed " << g.seed << "\n";
    for (const fault& f : g.faults)
      RC_LOG() << "fault " << static_cast<int>(f.what) << " at " << f.at_iteration << " on '" << f.target
               << "' down " << f.down_ticks << " after " << f.after_commands << " commands\n";
    const run_result a = run_generated(g);
    std::string trace = trace_of(a.faulty) + "-- hosts restored --\n" + trace_of(a.rest);
    RC_LOG() << trace << "problem: " << a.problem.value_or("none") << "\n";
    RC_ASSERT_FALSE(a.faulty.violation);
    RC_ASSERT_FALSE(a.rest.violation);
    RC_ASSERT_FALSE(a.problem);
    RC_ASSERT(a.faulty.converged || a.rest.converged);
    const auto& last = a.rest.iterations > 0 ? a.rest : a.faulty;
    RC_ASSERT(last.keys_after == a.keys);
    const run_result b = run_generated(g);
    RC_ASSERT(b.faulty.trace == a.faulty.trace);
    RC_ASSERT(b.rest.trace == a.rest.trace);
    RC_ASSERT(b.end == a.end);
  });
}

// A changed password: masterauth on every node, then requirepass on every node, converged: 3.
// The world refuses a master requiring the new password before its replicas know it.
TEST_CASE("converge reconcile: a password change reaches every node without restarts", "[sim][converge]") {
  auto w = healthy_world(3, 1);
  w.cluster().rotate_password();
  checked_loop l{w, rcplan_test::resource("c", 3, 1), {}, {}};
  std::vector<std::string> parameters;
  l.extra = [&parameters](const rcplan::topology&, const rcplan::plan& p) -> std::optional<std::string> {
    for (const auto& s : p.steps) {
      const auto* c = std::get_if<rcplan::config_set>(&s.action);
      if (c == nullptr) return "unexpected step: " + s.reason;
      if (!c->secret || c->value != rcplan::secret_placeholder) return "a password step without the placeholder";
      parameters.push_back(c->parameter);
    }
    return std::nullopt;
  };
  const auto r = l.run(bound(3));
  require_converged(l, r);
  require_healthy(w, 3, 1);
  REQUIRE(parameters.size() == 12);  // 6 nodes, two parameters each
  for (std::size_t i = 0; i < 6; ++i) CHECK(parameters[i] == "masterauth");
  for (std::size_t i = 6; i < 12; ++i) CHECK(parameters[i] == "requirepass");
  for (const auto& o : w.to_topology().observations) {
    REQUIRE(o.password);
    CHECK(o.password->requirepass_current);
    CHECK(o.password->masterauth_current);
  }
}

// spec.failover.allowDataLoss and a master without replica that loses its volume: waiting
// until twice the node timeout (30 one-second ticks), then its slots are written off to the
// least loaded master, the fresh pod joins, and the rebalance gives it its share: about 30
// waits + 8 plans; 48. Without the policy the plan keeps waiting and the slots stay put.
TEST_CASE("converge reconcile: a lost master without replica is written off only when the spec allows",
          "[sim][converge]") {
  auto w = healthy_world(3, 0);
  const auto old = w.node_of("drc-c-1-0");
  REQUIRE(old);
  std::uint64_t held = 0;
  for (const auto& [s, k] : w.cluster().find(*old)->keys) held += k;
  auto spec = rcplan_test::resource("c", 3, 0);
  SECTION("allowed") {
    spec.spec.failover.allow_data_loss = true;
    checked_loop l{w, spec, {}, {}};
    const auto r = l.run(bound(48, {{fault::kind::kill_pod, 0, "drc-c-1-0", true, 3, 0}}));
    INFO(trace_of(r));
    REQUIRE_FALSE(r.violation);
    REQUIRE_FALSE(l.problem);
    REQUIRE(r.converged);
    CHECK(w.cluster().lost_keys() == held);
    CHECK(r.keys_after == r.keys_before - held);
    require_healthy(w, 3, 0);
    CHECK(w.node_of("drc-c-1-0") != old);
  }
  SECTION("not allowed") {
    checked_loop l{w, spec, {}, {}};
    const auto r = l.run(bound(48, {{fault::kind::kill_pod, 0, "drc-c-1-0", true, 3, 0}}));
    INFO(trace_of(r));
    REQUIRE_FALSE(r.violation);
    CHECK_FALSE(r.converged);
    CHECK(r.last_status == rcplan::plan_status::waiting);
    CHECK(w.cluster().lost_keys() == 0);
    CHECK(w.cluster().find(*old) != nullptr);
    CHECK_FALSE(w.cluster().find(*old)->claims.empty());
  }
}
