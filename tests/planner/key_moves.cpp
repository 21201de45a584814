// Balancing by observed keys per slot (key_moves.hpp through plan_rebalance): unit cases for
// hot slots, skew, weights, drains and unknown counts, then the guarantees of key_moves.hpp on
// generated clusters with skewed key counts.

#include <rcplan/planner/key_moves.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/testing/run_plan.hpp>

#include "support/gen_cluster.hpp"
#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using rcplan::node_id;
using rcplan::plan_status;
using rcplan::slot;
using rcplan::slot_set;
using rcplan_test::topology_builder;

using key_map = std::map<slot, std::uint64_t>;

rcplan::rebalance_options by_keys(double threshold = 0) {
  rcplan::rebalance_options opt;
  opt.balance = rcplan::balance_mode::keys;
  opt.threshold_percent = threshold;
  return opt;
}

/// Keys on every slot of `slots`, `per_slot(s)` each (0 leaves the slot out).
template <typename F>
key_map keys_on(const slot_set& slots, F per_slot) {
  key_map m;
  slots.for_each([&](slot s) {
    if (const std::uint64_t k = per_slot(s); k > 0) m[s] = k;
  });
  return m;
}

/// The plan run in the simulator: no violation, no key lost.
rcplan::sim::cluster run(const rcplan::topology& t, const rcplan::plan& p) {
  auto sim = rcplan::sim::cluster::from_topology(t);
  const auto before = sim.total_keys();
  const auto v = rcplan::testing::run_plan(sim, p);
  INFO((v ? v->invariant + ": " + v->detail : std::string{}));
  REQUIRE_FALSE(v);
  REQUIRE(sim.total_keys() == before);
  return sim;
}

std::uint64_t keys_of(const rcplan::sim::cluster& sim, const node_id& id) {
  std::uint64_t k = 0;
  for (const auto& [s, n] : sim.find(id)->keys) k += n;
  return k;
}

/// Key quotas as the planner computes them: weighted shares of the keys the masters hold.
std::map<node_id, std::uint64_t> key_quotas(const rcplan::topology& t, const std::vector<node_id>& masters,
                                            const rcplan::rebalance_options& opt) {
  const auto sim = rcplan::sim::cluster::from_topology(t);
  std::vector<rcplan::quota_input> in;
  std::size_t total = 0;
  for (const node_id& id : masters) {
    const auto w = opt.weights.find(id);
    const std::uint64_t held = keys_of(sim, id);
    in.push_back({id, w == opt.weights.end() ? 1.0 : w->second, 0});  // quotas by weight alone
    total += static_cast<std::size_t>(held);
  }
  std::map<node_id, std::uint64_t> out;
  for (const auto& q : rcplan::compute_quotas(in, total)) out[q.id] = q.quota;
  return out;
}

std::int64_t dev(const rcplan::sim::cluster& sim, const std::map<node_id, std::uint64_t>& quota, const node_id& id) {
  return static_cast<std::int64_t>(keys_of(sim, id)) - static_cast<std::int64_t>(quota.at(id));
}

}  // namespace

TEST_CASE("keys: a slot that cannot help never moves") {
  // every key in one slot: no move brings anyone closer to a third of them
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  std::vector<node_id> ids;
  for (const auto& s : sets) ids.push_back(b.master(s));
  b.keys(ids[0], {{100, 1000000}});
  b.all_keys_known();
  const auto p = rcplan::plan_rebalance(b.build(), by_keys());
  CHECK(p.status == plan_status::converged);
  CHECK(p.steps.empty());
  CHECK(p.summary.keys_moved == 0);
}

TEST_CASE("keys: one hot slot stays, the warm slots around it move") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  std::vector<node_id> ids;
  for (const auto& s : sets) ids.push_back(b.master(s));
  for (std::size_t i = 0; i < 3; ++i)
    b.keys(ids[i], keys_on(sets[i], [](slot s) -> std::uint64_t { return s == 100 ? 30000 : 10; }));
  const auto t = b.build();
  const auto p = rcplan::plan_rebalance(t, by_keys());
  REQUIRE(p.status == plan_status::actions_planned);
  CHECK(p.summary.lower_bound == 0);
  CHECK(p.summary.keys_moved == 10 * p.summary.slots_moved);  // the hot slot is not among them
  const auto sim = run(t, p);
  CHECK(sim.find(ids[0])->claims.contains(100));
  const auto quota = key_quotas(t, ids, by_keys());
  for (const auto& id : ids) CHECK(std::abs(dev(sim, quota, id)) <= 10);
  for (const auto& [id, ranges] : p.summary.ranges_after) CHECK(ranges <= 3);
  for (const auto& s : p.steps) CHECK(s.reason.find(" keys") != std::string::npos);
}

TEST_CASE("keys: a skewed distribution is evened out from the shared boundary") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(2);
  const auto a = b.master(sets[0]), c = b.master(sets[1]);
  b.keys(a, keys_on(sets[0], [](slot) -> std::uint64_t { return 10; }));
  b.keys(c, keys_on(sets[1], [](slot) -> std::uint64_t { return 1; }));
  const auto t = b.build();
  const auto p = rcplan::plan_rebalance(t, by_keys(2.0));
  REQUIRE(p.status == plan_status::actions_planned);
  // 90112 keys, 45056 each: a gives 3686 slots of 10 keys and ends 4 above, c 4 below
  CHECK(p.summary.slots_moved == 3686);
  CHECK(p.summary.keys_moved == 36860);
  REQUIRE(p.steps.size() == 1);
  CHECK(std::get<rcplan::migrate_slots>(p.steps[0].action).slots == slot_set{{4506, 8191}});
  CHECK(rcplan::ranges_after(p.summary, a) == std::optional<std::size_t>{1});
  CHECK(rcplan::ranges_after(p.summary, c) == std::optional<std::size_t>{1});
  // c holds more slots than its share, but all of them hold keys: none can go back for free
  CHECK(rcplan::plan_rebalance(run(t, p).to_topology(), by_keys()).steps.empty());
}

TEST_CASE("keys: weights share the keys, weight 0 drains keys and slots") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(4);
  std::vector<node_id> ids;
  for (const auto& s : sets) ids.push_back(b.master(s));
  // slots alternate between 4 keys and none: keyless slots exist everywhere
  for (std::size_t i = 0; i < 4; ++i)
    b.keys(ids[i], keys_on(sets[i], [](slot s) -> std::uint64_t { return s % 2 == 0 ? 4 : 0; }));
  const auto t = b.build();
  auto opt = by_keys();
  opt.weights[ids[0]] = 2;
  opt.weights[ids[3]] = 0;
  const auto p = rcplan::plan_rebalance(t, opt);
  REQUIRE(p.status == plan_status::actions_planned);
  const auto sim = run(t, p);
  CHECK(sim.find(ids[3])->claims.empty());
  CHECK(keys_of(sim, ids[3]) == 0);
  const auto quota = key_quotas(t, ids, opt);
  CHECK(quota.at(ids[0]) == 2 * quota.at(ids[1]));
  for (const auto& id : ids) CHECK(std::abs(dev(sim, quota, id)) <= 4);
  // slot counts follow the weights too: 8192, 4096, 4096
  CHECK(sim.find(ids[0])->claims.count() == 8192);
  CHECK(sim.find(ids[1])->claims.count() == 4096);
  CHECK(rcplan::plan_rebalance(sim.to_topology(), opt).steps.empty());
}

TEST_CASE("keys: without keys, slot counts are balanced as by slots") {
  topology_builder b;
  for (const auto& s : rcplan_test::contiguous(3)) b.master(s);
  const auto fresh = b.master({});
  b.all_keys_known();
  const auto t = b.build();
  auto opt = by_keys(2.0);
  opt.use_empty_masters = true;
  const auto p = rcplan::plan_rebalance(t, opt);
  REQUIRE(p.status == plan_status::actions_planned);
  CHECK(p.summary.keys_moved == 0);
  auto slots_opt = opt;
  slots_opt.balance = rcplan::balance_mode::slots;
  CHECK(p.summary.slots_moved <= rcplan::plan_rebalance(t, slots_opt).summary.slots_moved);
  const auto sim = run(t, p);
  for (const auto& [id, n] : sim.nodes()) CHECK(n.claims.count() == 4096);
  CHECK(rcplan::ranges_after(p.summary, fresh).value_or(3) <= 2);
  // a balanced cluster stays as it is
  CHECK(rcplan::plan_rebalance(sim.to_topology(), opt).status == plan_status::converged);
}

TEST_CASE("keys: a master of tiny weight still gets a slot") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(2);
  const auto a = b.master(sets[0]), c = b.master(sets[1]);
  const auto fresh = b.master({});
  // a's slots are all keyed; c has keyless slots, the newcomer's share of keys is met by none
  b.keys(a, keys_on(sets[0], [](slot) -> std::uint64_t { return 1; }));
  b.keys(c, keys_on(sets[1], [](slot s) -> std::uint64_t { return s == 9000 ? 1 : 0; }));
  b.keys(fresh, {});
  const auto t = b.build();
  auto opt = by_keys();
  opt.use_empty_masters = true;
  opt.weights[fresh] = 0.0001;
  const auto p = rcplan::plan_rebalance(t, opt);
  const auto sim = run(t, p);
  CHECK_FALSE(sim.find(fresh)->claims.empty());
  CHECK(rcplan::plan_rebalance(sim.to_topology(), opt).steps.empty());
}

TEST_CASE("keys: unknown key counts block the plan, naming the master") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  const auto a = b.master(sets[0]);
  const auto c = b.master(sets[1]);
  const auto unseen = b.master(sets[2]);
  b.keys(a, {{5, 1000}});
  b.keys(c, {});
  const auto t = b.build();
  const auto p = rcplan::plan_rebalance(t, by_keys());
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == rcplan::rebalance_code::keys_unknown);
  CHECK(p.diagnostics[0].subject == unseen.value);
  CHECK(p.diagnostics[0].severity == rcplan::severity::error);
  // balancing by slots does not need them
  CHECK(rcplan::plan_rebalance(t).status == plan_status::converged);
}

TEST_CASE("plan_key_transfers checks its input") {
  std::vector<std::uint64_t> keys(rcplan::slot_count, 0);
  keys[0] = 5;
  const node_id a = rcplan_test::make_id(0), c = rcplan_test::make_id(1);
  CHECK_THROWS_AS(rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 4}, {c, slot_set{{10, 19}}, 1.0, 0}}, keys),
                  std::invalid_argument);
  CHECK_THROWS_AS(rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 5}, {c, slot_set{{9, 19}}, 1.0, 0}}, keys),
                  std::invalid_argument);
  CHECK_THROWS_AS(rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 5}}, std::vector<std::uint64_t>(3)),
                  std::invalid_argument);
  CHECK(rcplan::plan_key_transfers({}, keys).empty());
  // a master of weight > 0 without slots takes a keyless range end from whoever can spare one
  std::vector<std::uint64_t> nine(rcplan::slot_count, 0);
  for (std::size_t s = 0; s < 9; ++s) nine[s] = 1;
  const auto fixed = rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 9}, {c, slot_set{}, 1e-6, 0}}, nine);
  REQUIRE(fixed.size() == 1);
  CHECK(fixed[0] == rcplan::slot_transfer{a, c, slot_set{{9, 9}}});
  // 5 keys in one slot, quotas 3 and 2: moving it would leave a 3 below and c 3 above
  CHECK(rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 3}, {c, slot_set{{10, 19}}, 1.0, 2}}, keys).empty());
  // quotas 2 and 3: it overshoots, but 2 below and 2 above is closer than 3 above and 3 below;
  // c then holds 11 of 20 slots and gives back the keyless slot next to a
  CHECK(rcplan::plan_key_transfers({{a, slot_set{{0, 9}}, 1.0, 2}, {c, slot_set{{10, 19}}, 1.0, 3}}, keys) ==
        std::vector<rcplan::slot_transfer>{{a, c, slot_set{{0, 0}}}, {c, a, slot_set{{10, 10}}}});
}

namespace {

struct keyed_cluster {
  rcplan::topology topo;
  std::vector<node_id> masters;
  rcplan::rebalance_options options;
  std::uint64_t max_keys = 0;  ///< most keys in one slot
};

/// Masters with contiguous or fragmented slots, some empty, replicas, random weights and a
/// skewed key distribution: uniform, sparse, heavy-tailed, one hot slot, per-master skew, none.
rc::Gen<keyed_cluster> gen_keyed_cluster() {
  return rc::gen::exec([] {
    keyed_cluster g;
    topology_builder b;
    const auto n = *rc::gen::inRange<std::size_t>(1, 9);
    std::vector<slot_set> sets(n);
    if (*rc::gen::arbitrary<bool>()) {
      sets = rcplan_test::contiguous(n);
    } else {
      for (std::size_t s = 0; s < rcplan::slot_count;) {
        const auto len = *rc::gen::inRange<std::size_t>(1, 4000);
        const std::size_t last = std::min(rcplan::slot_count - 1, s + len - 1);
        sets[*rc::gen::inRange<std::size_t>(0, n)].insert(
            rcplan::slot_range{static_cast<slot>(s), static_cast<slot>(last)});
        s = last + 1;
      }
    }
    for (const auto& s : sets) g.masters.push_back(b.master(s));
    const auto empty = *rc::gen::inRange<std::size_t>(0, 3);
    for (std::size_t i = 0; i < empty; ++i) g.masters.push_back(b.master({}));
    for (std::size_t i = 0; i < n; ++i)
      if (*rc::gen::inRange(0, 3) == 0) b.replica(g.masters[i]);
    const int shape = *rc::gen::inRange(0, 6);
    RC_TAG(shape);
    std::mt19937_64 rng(*rc::gen::arbitrary<std::uint32_t>());
    const auto roll = [&](std::uint64_t bound) { return rng() % bound; };
    for (std::size_t i = 0; i < g.masters.size(); ++i) {
      const std::uint64_t scale = 1 + roll(100);
      const slot_set mine = i < n ? sets[i] : slot_set{};
      b.keys(g.masters[i], keys_on(mine, [&](slot) -> std::uint64_t {
               switch (shape) {
                 case 0: return 50 + roll(21);                                           // uniform
                 case 1: return roll(40) == 0 ? 1 + roll(7) : 0;                         // sparse
                 case 2: return roll(200) == 0 ? 10000 + roll(90000) : roll(11);         // heavy tail
                 case 3: return roll(16384) == 0 ? 1000000 : 1;                          // hot slot
                 case 4: return scale * (1 + roll(3));                                   // per master
                 default: return 0;                                                      // none
               }
             }));
    }
    g.options.balance = rcplan::balance_mode::keys;
    g.options.use_empty_masters = true;
    g.options.threshold_percent = *rc::gen::element(0.0, 2.0);
    g.options.max_concurrent_migrations = *rc::gen::element<std::size_t>(0, 1, 2);
    for (const auto& id : g.masters)
      if (*rc::gen::inRange(0, 4) == 0) g.options.weights[id] = *rc::gen::element(0.0, 0.5, 2.0, 3.0);
    bool any = false;
    for (const auto& id : g.masters) any = any || !g.options.weights.count(id) || g.options.weights.at(id) > 0;
    if (!any) g.options.weights.erase(g.masters.front());
    g.topo = b.build();
    for (const auto& o : g.topo.observations)
      for (const auto& [s, k] : *o.keys_per_slot) g.max_keys = std::max(g.max_keys, k);
    return g;
  });
}

double weight_of(const rcplan::rebalance_options& opt, const node_id& id) {
  const auto w = opt.weights.find(id);
  return w == opt.weights.end() ? 1.0 : w->second;
}

}  // namespace

TEST_CASE("keys: plans on skewed clusters are safe and meet the guarantees of key_moves.hpp") {
  rc::prop("safe, deterministic, within the bound, idempotent", [] {
    const auto g = *gen_keyed_cluster();
    const auto p = rcplan::plan_rebalance(g.topo, g.options);
    RC_ASSERT(p.status != plan_status::blocked);
    RC_ASSERT(rcplan::plan_rebalance(g.topo, g.options) == p);
    RC_ASSERT(p.summary.lower_bound == 0u);
    if (const auto problem = rcplan::testing::check_plan_safe(g.topo, p)) RC_FAIL(*problem);

    auto sim = rcplan::sim::cluster::from_topology(g.topo);
    const auto before = rcplan::sim::cluster::from_topology(g.topo);
    RC_ASSERT(!rcplan::testing::run_plan(sim, p));
    RC_ASSERT(sim.total_keys() == before.total_keys());
    RC_ASSERT(sim.covered().full());
    for (const auto& [id, n] : sim.nodes()) RC_ASSERT(n.migrating.empty() && n.importing.empty());

    // keys_moved: the keys of the slots whose owner changed
    std::uint64_t moved = 0;
    for (const auto& st : p.steps)
      if (const auto* m = std::get_if<rcplan::migrate_slots>(&st.action))
        m->slots.for_each([&](slot s) {
          for (const auto& [id, n] : before.nodes())
            if (const auto k = n.keys.find(s); k != n.keys.end()) moved += k->second;
        });
    RC_ASSERT(p.summary.keys_moved == moved);

    if (g.options.threshold_percent == 0) {
      // keys: the spread of deviations is at most the keys of one slot
      const auto quota = key_quotas(g.topo, g.masters, g.options);
      std::int64_t lo = 0, hi = 0;
      for (const auto& id : g.masters) {
        lo = std::min(lo, dev(sim, quota, id));
        hi = std::max(hi, dev(sim, quota, id));
      }
      RC_ASSERT(hi - lo <= static_cast<std::int64_t>(g.max_keys));

      // slot counts: nobody above ⌈share⌉ keeps a keyless slot; nobody of weight > 0 is left
      // without a slot while someone holds a keyless slot and at least two slots
      double wsum = 0;
      for (const auto& id : g.masters) wsum += std::max(weight_of(g.options, id), 0.0);
      bool spare = false;
      for (const auto& id : g.masters) {
        const auto& n = *sim.find(id);
        const std::size_t count = n.claims.count();
        std::size_t keyed = 0;
        n.claims.for_each([&](slot s) { keyed += n.keys.count(s); });
        const double share = 16384.0 * std::max(weight_of(g.options, id), 0.0) / wsum;
        const auto ceil_share = static_cast<std::size_t>(std::ceil(share - 1e-9));
        if (count > ceil_share) RC_ASSERT(keyed == count);
        spare = spare || (count >= 2 && keyed < count);
      }
      if (spare)
        for (const auto& id : g.masters)
          if (weight_of(g.options, id) > 0) RC_ASSERT(!sim.find(id)->claims.empty());
    }

    const auto again = rcplan::plan_rebalance(sim.to_topology(), g.options);
    RC_ASSERT(again.steps.empty());
    RC_ASSERT(again.status == plan_status::converged);
  });
}

TEST_CASE("keys: plans on clusters caught mid-migration run safely and converge") {
  rc::prop("the slot generator's clusters, balanced by keys", [](bool broken) {
    auto g = *rcplan_test::gen_cluster(broken);
    g.options.balance = rcplan::balance_mode::keys;
    const auto p = rcplan::plan_rebalance(g.topo, g.options);
    RC_ASSERT(p.status != plan_status::blocked);
    RC_ASSERT(rcplan::plan_rebalance(g.topo, g.options) == p);
    auto sim = rcplan::sim::cluster::from_topology(g.topo);
    const auto keys = sim.total_keys();
    if (const auto v = rcplan::testing::run_plan(sim, p)) RC_FAIL(v->invariant + ": " + v->detail);
    RC_ASSERT(sim.total_keys() == keys);
    RC_ASSERT(!sim.check_all());
    RC_ASSERT(sim.covered().full());
    RC_ASSERT(rcplan::plan_rebalance(sim.to_topology(), g.options).steps.empty());
  });
}
