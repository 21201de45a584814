#include <rcplan/model/limits.hpp>
#include <rcplan/planner/rebalance.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

namespace {

using rcplan::plan_status;
using rcplan::slot_set;
using rcplan_test::topology_builder;

/// Ownership after running every migrate_slots/add_slots step of `p` on the masters of `t`.
std::map<rcplan::node_id, slot_set> after(const rcplan::topology& t, const rcplan::plan& p) {
  std::map<rcplan::node_id, slot_set> own;
  for (const auto& n : rcplan::merged_nodes(t))
    if (n.is_master()) own[n.id] = n.slots;
  for (const auto& s : p.steps) {
    if (const auto* m = std::get_if<rcplan::migrate_slots>(&s.action)) {
      REQUIRE(m->slots.is_subset_of(own[m->source]));
      own[m->source] -= m->slots;
      own[m->target] |= m->slots;
    } else if (const auto* a = std::get_if<rcplan::add_slots>(&s.action)) {
      own[a->node] |= a->slots;
    }
  }
  return own;
}

}  // namespace

TEST_CASE("a balanced cluster needs nothing") {
  topology_builder b;
  for (const auto& s : rcplan_test::contiguous(3)) b.master(s);
  const auto p = rcplan::plan_rebalance(b.build());
  CHECK(p.status == plan_status::converged);
  CHECK(p.steps.empty());
  CHECK(p.summary.slots_moved == 0);
}

TEST_CASE("empty masters join only when asked") {
  topology_builder b;
  for (const auto& s : rcplan_test::contiguous(3)) b.master(s);
  const auto fresh = b.master({});
  const auto t = b.build();
  CHECK(rcplan::plan_rebalance(t).status == plan_status::converged);
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  opt.max_migrations_per_node = 1;
  const auto p = rcplan::plan_rebalance(t, opt);
  REQUIRE(p.status == plan_status::actions_planned);
  CHECK(p.summary.slots_moved == p.summary.lower_bound);
  CHECK(p.summary.slots_moved == 16384 - 3 * 4096);
  const auto own = after(t, p);
  CHECK(own.at(fresh).count() == 4096);
  CHECK(rcplan::ranges_after(p.summary, fresh) == std::optional<std::size_t>{own.at(fresh).range_count()});
  CHECK(own.at(fresh).range_count() <= 2);
  // three donors, one receiver: every migration touches the receiver, so one per wave
  std::set<int> waves;
  for (const auto& s : p.steps) waves.insert(s.wave);
  CHECK(waves.size() == p.steps.size());
  for (const auto& s : p.steps) CHECK_FALSE(s.reason.empty());
}

TEST_CASE("fan-in: a joining master imports from up to max_migrations_per_node donors in one wave") {
  topology_builder b;
  std::vector<rcplan::node_id> donors;
  for (const auto& s : rcplan_test::contiguous(10)) donors.push_back(b.master(s));
  const auto fresh = b.master({});
  const auto t = b.build();
  for (const std::size_t per_node : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{10}}) {
    CAPTURE(per_node);
    rcplan::rebalance_options opt;
    opt.use_empty_masters = true;
    opt.max_migrations_per_node = per_node;
    const auto p = rcplan::plan_rebalance(t, opt);
    REQUIRE(p.status == plan_status::actions_planned);
    CHECK(p.summary.slots_moved == p.summary.lower_bound);
    std::map<int, std::size_t> per_wave;
    std::set<rcplan::node_id> sources;
    for (const auto& s : p.steps) {
      const auto& m = std::get<rcplan::migrate_slots>(s.action);
      CHECK(m.target == fresh);
      sources.insert(m.source);
      ++per_wave[s.wave];
    }
    CHECK(sources.size() == donors.size());  // every donor gives its share
    const std::size_t k = per_node == 0 ? donors.size() : per_node;
    CHECK(per_wave.size() == (donors.size() + k - 1) / k);
    for (const auto& [w, n] : per_wave) CHECK(n <= k);
    CHECK(after(t, p).at(fresh).count() == 16384 / 11);
  }
}

TEST_CASE("weights, drains and the concurrency cap") {
  topology_builder b;
  std::vector<rcplan::node_id> ids;
  for (const auto& s : rcplan_test::contiguous(6)) ids.push_back(b.master(s));
  const auto t = b.build();
  rcplan::rebalance_options opt;
  opt.weights[ids[5]] = 0;
  opt.weights[ids[0]] = 2;
  opt.max_concurrent_migrations = 1;
  const auto p = rcplan::plan_rebalance(t, opt);
  const auto own = after(t, p);
  CHECK(own.at(ids[5]).empty());
  // weights 2,1,1,1,1,0: a third of the slots, rounded down
  CHECK(own.at(ids[0]).count() == 16384 * 2 / 6);
  std::map<int, int> per_wave;
  for (const auto& s : p.steps) ++per_wave[s.wave];
  for (const auto& [w, n] : per_wave) CHECK(n == 1);
}

TEST_CASE("a failed master with no replica blocks, with a replica waits") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  const auto a = b.master(sets[0]);
  b.master(sets[1]);
  b.master(sets[2]);
  b.master({});
  b.node(a).flags.fail = true;
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  auto p = rcplan::plan_rebalance(b.build(), opt);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == rcplan::rebalance_code::failed_master_no_replica);
  CHECK(p.diagnostics[0].subject == a.value);
  CHECK(p.diagnostics[0].message.find("0-5460") != std::string::npos);
  b.replica(a);
  p = rcplan::plan_rebalance(b.build(), opt);
  CHECK(p.status == plan_status::waiting);
  CHECK(p.steps.empty());
}

TEST_CASE("a failed master whose slots a promoted replica already claims: wait, not blocked") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  const auto a = b.master(sets[0]);
  b.master(sets[1]);
  b.master(sets[2]);
  b.node(a).flags.fail = true;
  b.master(sets[0]);  // the promoted replica, its own claim accepted by some views only
  const auto p = rcplan::plan_rebalance(b.build(), {});
  CHECK(p.status == plan_status::waiting);
  CHECK(p.steps.empty());
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [&](const rcplan::diagnostic& d) { return d.code == rcplan::rebalance_code::failover_settling && d.subject == a.value; }));
}

namespace {

/// `t` with `id` observed as not answering.
rcplan::topology cut_off(rcplan::topology t, const rcplan::node_id& id) {
  rcplan::node_observation o;
  o.id = id;
  o.reachable = false;
  o.error = "connect: timed out";
  t.observations.push_back(o);
  std::sort(t.observations.begin(), t.observations.end(),
            [](const rcplan::node_observation& x, const rcplan::node_observation& y) { return x.id < y.id; });
  return t;
}

bool has_code(const rcplan::plan& p, const char* code, const rcplan::node_id& subject) {
  return std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                     [&](const rcplan::diagnostic& d) { return d.code == code && d.subject == subject.value; });
}

}  // namespace

TEST_CASE("a master that does not answer although the cluster counts it as up: wait, naming it") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  b.master(sets[0]);
  const auto quiet = b.master(sets[1]);
  b.master(sets[2]);
  const auto empty = b.master({});
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  REQUIRE(rcplan::plan_rebalance(b.build(), opt).status == plan_status::actions_planned);
  for (const auto& id : {quiet, empty}) {  // a donor or the master that would take slots
    const auto p = rcplan::plan_rebalance(cut_off(b.build(), id), opt);
    CHECK(p.status == plan_status::waiting);
    CHECK(p.steps.empty());
    CHECK(has_code(p, rcplan::rebalance_code::node_unreachable, id));
  }
  // a replica that does not answer holds nothing of its own
  const auto r = b.replica(quiet);
  CHECK(rcplan::plan_rebalance(cut_off(b.build(), r), opt).status == plan_status::actions_planned);
}

TEST_CASE("slots migrating to a master flagged down wait for it, and the plan does not throw") {
  topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  const auto source = b.master(sets[0]);
  b.master(sets[1]);
  b.master(sets[2]);
  const auto target = b.master({});
  for (rcplan::slot s = 0; s < 128; ++s)
    b.node(source).open_slots.push_back({s, rcplan::open_slot::direction::migrating, target});
  b.node(target).flags.fail = true;
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  for (const bool answers : {true, false}) {  // cut off from the cluster only, or from everyone
    const auto t = answers ? b.build() : cut_off(b.build(), target);
    rcplan::plan p;
    REQUIRE_NOTHROW(p = rcplan::plan_rebalance(t, opt));
    CHECK(p.status == plan_status::waiting);
    CHECK(p.steps.empty());
    CHECK(has_code(p, rcplan::rebalance_code::migration_peer_down, target));
  }
  // down with nothing open toward it: it stays out of the plan, the others rebalance
  b.node(source).open_slots.clear();
  const auto p = rcplan::plan_rebalance(cut_off(b.build(), target), opt);
  CHECK(p.status == plan_status::converged);
}

TEST_CASE("rebalance properties on generated clean clusters") {
  rc::prop("balanced, minimal, waves within the per-node limit, idempotent, deterministic", [] {
    const auto n = *rc::gen::inRange<std::size_t>(1, 25);
    const auto empty = *rc::gen::inRange<std::size_t>(0, 6);
    topology_builder b;
    std::vector<slot_set> sets(n);
    if (*rc::gen::arbitrary<bool>()) {
      sets = rcplan_test::contiguous(n);
    } else {
      for (std::size_t s = 0; s < rcplan::slot_count;) {
        const auto len = *rc::gen::inRange<std::size_t>(1, 2000);
        const std::size_t last = std::min(rcplan::slot_count - 1, s + len - 1);
        sets[*rc::gen::inRange<std::size_t>(0, n)].insert(
            rcplan::slot_range{static_cast<rcplan::slot>(s), static_cast<rcplan::slot>(last)});
        s = last + 1;
      }
    }
    std::vector<rcplan::node_id> ids;
    for (const auto& s : sets) ids.push_back(b.master(s));
    for (std::size_t i = 0; i < empty; ++i) ids.push_back(b.master({}));
    rcplan::rebalance_options opt;
    opt.use_empty_masters = true;
    opt.threshold_percent = 0;
    opt.max_migrations_per_node = *rc::gen::element<std::size_t>(0, 1, 1, 2, 4);
    for (const auto& id : ids)
      if (*rc::gen::inRange(0, 4) == 0) opt.weights[id] = *rc::gen::element(0.0, 0.5, 2.0, 3.0);
    bool any = false;
    for (const auto& id : ids) {
      const auto w = opt.weights.find(id);
      any = any || w == opt.weights.end() || w->second > 0;
    }
    RC_PRE(any);
    const auto t = b.build();
    const auto p = rcplan::plan_rebalance(t, opt);
    RC_ASSERT(p.status != plan_status::blocked);
    RC_ASSERT(p.summary.slots_moved == p.summary.lower_bound);
    // every master within one slot of its weighted share, all slots owned once
    const auto own = after(t, p);
    double wsum = 0;
    for (const auto& id : ids) wsum += opt.weights.count(id) ? opt.weights.at(id) : 1.0;
    slot_set all;
    for (const auto& id : ids) {
      const double w = opt.weights.count(id) ? opt.weights.at(id) : 1.0;
      const double share = 16384.0 * w / wsum;
      RC_ASSERT(std::abs(static_cast<double>(own.at(id).count()) - share) < 1.0 + 1e-9);
      RC_ASSERT(!all.intersects(own.at(id)));
      all |= own.at(id);
    }
    RC_ASSERT(all.full());
    // no master in more migrations of a wave than the limit allows, nor giving and receiving
    std::map<std::pair<int, rcplan::node_id>, std::size_t> used;
    std::set<std::pair<int, rcplan::node_id>> gives, gets;
    for (const auto& s : p.steps) {
      const auto* m = std::get_if<rcplan::migrate_slots>(&s.action);
      RC_ASSERT(m != nullptr);
      gives.insert({s.wave, m->source});
      gets.insert({s.wave, m->target});
      RC_ASSERT(gets.count({s.wave, m->source}) == 0U);
      RC_ASSERT(gives.count({s.wave, m->target}) == 0U);
      for (const rcplan::node_id& end : {m->source, m->target}) {
        const std::size_t in_wave = ++used[{s.wave, end}];
        RC_ASSERT(opt.max_migrations_per_node == 0 || in_wave <= opt.max_migrations_per_node);
      }
    }
    // deterministic
    RC_ASSERT(rcplan::plan_rebalance(t, opt) == p);
    // re-planning on the result is empty
    topology_builder b2;
    for (const auto& id : ids) b2.master(own.at(id));
    RC_ASSERT(rcplan::plan_rebalance(b2.build(), opt).steps.empty());
  });
}

TEST_CASE("all weights zero is blocked, not an exception") {
  topology_builder b;
  std::vector<rcplan::node_id> ids;
  for (const auto& s : rcplan_test::contiguous(3)) ids.push_back(b.master(s));
  rcplan::rebalance_options opt;
  for (const auto& id : ids) opt.weights[id] = 0;
  const auto p = rcplan::plan_rebalance(b.build(), opt);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE(p.diagnostics.size() == 1);
  CHECK(p.diagnostics[0].code == rcplan::rebalance_code::all_weights_zero);
}

namespace {

/// The cluster a failover mid-migration leaves: source `s` (slots 0-5460) was migrating 0-127
/// to the joining master `t` when it froze; its replica `r` took over 0-5460 with a greater
/// epoch, and `s` came back as r's replica. `t` still imports 0-127 from `s`: Redis does not
/// update an importing slot from gossip, so t's table leaves them to nobody while every
/// other table gives them to `r`.
struct failover_mid_migration {
  rcplan::topology t;
  rcplan::node_id s, r, tgt;
  slot_set moving{rcplan::slot_range{0, 127}};

  explicit failover_mid_migration(bool target_has_keys) {
    topology_builder b;
    const auto sets = rcplan_test::contiguous(3);
    s = b.master({});
    b.master(sets[1]);
    b.master(sets[2]);
    tgt = b.master({});
    r = b.master(sets[0]);
    b.node(r).config_epoch = 9;
    b.node(s).flags.master = false;
    b.node(s).flags.replica = true;
    b.node(s).master_id = r;
    b.all_keys_known();
    if (target_has_keys) b.keys(tgt, {{3, 2}, {100, 1}});
    const rcplan::topology one = b.build();
    for (const auto& self : one.views.front().nodes) {
      rcplan::cluster_view v = one.views.front();
      v.observer = self.id;
      for (auto& n : v.nodes) {
        n.flags.myself = n.id == self.id;
        if (self.id != tgt) continue;
        if (n.id == r) n.slots -= moving;  // t's table: nobody owns 0-127
        if (n.id == tgt)
          moving.for_each([&](rcplan::slot x) { n.open_slots.push_back({x, rcplan::open_slot::direction::importing, s}); });
      }
      t.views.push_back(v);
    }
    t.observations = one.observations;
  }
};

}  // namespace

TEST_CASE("an import whose source failed over is repaired at once, not waited out") {
  for (const bool keys : {false, true}) {
    INFO((keys ? "the target holds some of the slots' keys" : "the target holds none"));
    const failover_mid_migration x(keys);
    REQUIRE_FALSE(rcplan::views_agree(x.t));
    rcplan::rebalance_options opt;
    opt.use_empty_masters = true;
    const rcplan::plan p = rcplan::plan_rebalance(x.t, opt);
    CHECK(p.status == plan_status::actions_planned);
    CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(), [&](const rcplan::diagnostic& d) {
      return d.code == rcplan::rebalance_code::stuck_imports && d.subject == "0-127";
    }));
    // the repair only: the balancing waits until the views agree
    REQUIRE(p.steps.size() >= 2);
    CHECK(std::holds_alternative<rcplan::wait_until>(p.steps.back().action));
    slot_set finished, closed, pointed;
    int point_wave = -1, finish_wave = -1;
    for (const auto& st : p.steps) {
      if (const auto* m = std::get_if<rcplan::migrate_slots>(&st.action)) {
        // slots whose keys the target holds: the new owner finishes the migration in the
        // source's place
        CHECK(m->source == x.r);
        CHECK(m->target == x.tgt);
        finished |= m->slots;
        finish_wave = st.wave;
      } else if (const auto* n = std::get_if<rcplan::set_slot_node>(&st.action)) {
        // before that, the target's table must name the new owner: it names nobody, and
        // refuses the keys MIGRATE brings it
        CHECK(n->node == x.tgt);
        CHECK(n->owner == x.r);
        pointed |= n->slots;
        point_wave = st.wave;
      } else if (const auto* c = std::get_if<rcplan::set_slot_stable>(&st.action)) {
        CHECK(c->node == x.tgt);  // empty ones are closed, and gossip gives them to r
        closed |= c->slots;
      } else {
        CHECK(std::holds_alternative<rcplan::wait_until>(st.action));
      }
    }
    const slot_set held = keys ? slot_set{{3, 3}, {100, 100}} : slot_set{};
    CHECK(finished == held);
    CHECK(pointed == held);
    if (keys) CHECK(point_wave < finish_wave);
    CHECK(closed == (x.moving - held));
  }
}

TEST_CASE("an import from a master that is not migrating the slot is repaired, one from an unobserved master waits") {
  failover_mid_migration x(false);
  // the source stays a master owning the slots (no failover) but closed its side
  for (auto& v : x.t.views)
    for (auto& n : v.nodes)
      if (n.id == x.s) {
        n.flags.replica = false;
        n.flags.master = true;
        n.master_id = {};
      }
  rcplan::rebalance_options opt;
  opt.use_empty_masters = true;
  const rcplan::plan p = rcplan::plan_rebalance(x.t, opt);
  CHECK(p.status == plan_status::actions_planned);
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [](const rcplan::diagnostic& d) { return d.code == rcplan::rebalance_code::stuck_imports; }));
  // unobserved, the source may well be migrating: nothing to repair, wait for gossip
  for (auto& o : x.t.observations)
    if (o.id == x.s) o.reachable = false;
  const rcplan::plan q = rcplan::plan_rebalance(x.t, opt);
  CHECK(std::none_of(q.diagnostics.begin(), q.diagnostics.end(),
                     [](const rcplan::diagnostic& d) { return d.code == rcplan::rebalance_code::stuck_imports; }));
}

TEST_CASE("a weight that is not a number from 0 to max_weight blocks the plan, naming the master") {
  topology_builder b;
  std::vector<rcplan::node_id> ids;
  for (const auto& s : rcplan_test::contiguous(3)) ids.push_back(b.master(s));
  for (const double bad : {1.7e308, -1.0, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN(),
                           rcplan::max_weight * 2}) {
    CAPTURE(bad);
    rcplan::rebalance_options opt;
    opt.weights[ids[0]] = bad;
    opt.weights[ids[1]] = 0;
    const auto p = rcplan::plan_rebalance(b.build(), opt);
    CHECK(p.status == plan_status::blocked);
    CHECK(p.steps.empty());
    REQUIRE(p.diagnostics.size() == 1);
    CHECK(p.diagnostics[0].code == rcplan::rebalance_code::weight_invalid);
    CHECK(p.diagnostics[0].subject == ids[0].value);
  }
  rcplan::rebalance_options opt;  // the bound itself is a weight like any other
  opt.weights[ids[0]] = rcplan::max_weight;
  const auto p = rcplan::plan_rebalance(b.build(), opt);
  CHECK(p.status == plan_status::actions_planned);
  const auto own = after(b.build(), p);
  CHECK(own.at(ids[0]).count() > 16000);
}
