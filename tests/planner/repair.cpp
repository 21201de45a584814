#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/repair.hpp>

#include "support/plan_steps.hpp"
#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>

namespace {

using rcplan::open_slot;
using rcplan::slot_set;
using rcplan_test::topology_builder;

struct three {
  topology_builder b;
  rcplan::node_id a, c, d;
  three() {
    const auto s = rcplan_test::contiguous(3);
    a = b.master(s[0]);
    c = b.master(s[1]);
    d = b.master(s[2]);
  }
  void migrating(const rcplan::node_id& on, rcplan::slot s, const rcplan::node_id& to) {
    b.node(on).open_slots.push_back({s, open_slot::direction::migrating, to});
  }
  void importing(const rcplan::node_id& on, rcplan::slot s, const rcplan::node_id& from) {
    b.node(on).open_slots.push_back({s, open_slot::direction::importing, from});
  }
  [[nodiscard]] rcplan::repair_result repair() const {
    const auto t = b.build();
    return rcplan::plan_repair(t, rcplan::merged_nodes(t));
  }
};

template <typename A>
std::vector<A> actions(const auto& p) {
  return rcplan_test::actions_of<A>(p);
}

}  // namespace

TEST_CASE("a clean cluster needs no repair") {
  three x;
  const auto r = x.repair();
  CHECK(r.steps.empty());
  CHECK_FALSE(r.blocked);
  CHECK(r.slots_repaired == 0);
}

TEST_CASE("migrating with matching importing: finish the migration") {
  three x;
  x.migrating(x.a, 100, x.c);
  x.importing(x.c, 100, x.a);
  const auto r = x.repair();
  const auto m = actions<rcplan::migrate_slots>(r);
  REQUIRE(m.size() == 1);
  CHECK(m[0].source == x.a);
  CHECK(m[0].target == x.c);
  CHECK(m[0].slots == slot_set{{100, 100}});
  CHECK(r.ownership.at(x.c).contains(100));
  CHECK_FALSE(r.ownership.at(x.a).contains(100));
}

TEST_CASE("importing only: close when empty, finish when it may hold keys") {
  three x;
  x.importing(x.c, 7, x.a);
  SECTION("keys unknown: finish, so nothing is stranded") {
    const auto r = x.repair();
    REQUIRE(actions<rcplan::migrate_slots>(r).size() == 1);
    CHECK(actions<rcplan::set_slot_stable>(r).empty());
  }
  SECTION("importer known empty: just close it") {
    x.b.all_keys_known();
    const auto r = x.repair();
    const auto st = actions<rcplan::set_slot_stable>(r);
    REQUIRE(st.size() == 1);
    CHECK(st[0].node == x.c);
    CHECK(st[0].slots == slot_set{{7, 7}});
    CHECK(actions<rcplan::migrate_slots>(r).empty());
    CHECK(r.ownership.at(x.a).contains(7));
  }
}

TEST_CASE("a replica importing a slot blocks the slot: it cannot own it, nor take SETSLOT") {
  three x;
  const rcplan::node_id r = x.b.replica(x.c);
  x.importing(r, 7, x.a);
  const auto repaired = x.repair();
  CHECK(repaired.blocked);
  REQUIRE(repaired.diagnostics.size() == 1);
  CHECK(repaired.diagnostics[0].code == rcplan::repair_code::importer_not_master);
  CHECK(repaired.diagnostics[0].subject == "7");
  CHECK(actions<rcplan::migrate_slots>(repaired).empty());
  CHECK(repaired.ownership.at(x.a).contains(7));
  // the rebalance says so too, instead of failing on slots owned by no master that takes part
  // (found by fuzzing CLUSTER NODES: "quotas must add up to the slots held")
  const auto t = x.b.build();
  for (const bool empty_masters : {false, true}) {
    rcplan::rebalance_options o;
    o.use_empty_masters = empty_masters;
    const auto p = rcplan::plan_rebalance(t, o);
    CHECK(p.status == rcplan::plan_status::blocked);
    CHECK(p.steps.empty());
  }
}

TEST_CASE("migrating only") {
  three x;
  x.migrating(x.a, 8, x.d);
  SECTION("target known to hold none of its keys: close on the owner") {
    x.b.all_keys_known();
    const auto r = x.repair();
    const auto st = actions<rcplan::set_slot_stable>(r);
    REQUIRE(st.size() == 1);
    CHECK(st[0].node == x.a);
    CHECK(actions<rcplan::migrate_slots>(r).empty());
    CHECK(r.ownership.at(x.a).contains(8));
  }
  SECTION("target unobserved, it may be importing with keys: finish the migration") {
    const auto r = x.repair();
    CHECK(actions<rcplan::set_slot_stable>(r).empty());
    const auto m = actions<rcplan::migrate_slots>(r);
    REQUIRE(m.size() == 1);
    CHECK(m[0].source == x.a);
    CHECK(m[0].target == x.d);
    CHECK(r.ownership.at(x.d).contains(8));
  }
}

TEST_CASE("several importers: empty ones closed, the one with keys finished") {
  three x;
  x.migrating(x.a, 9, x.c);
  x.importing(x.c, 9, x.a);
  x.importing(x.d, 9, x.a);
  x.b.all_keys_known();
  x.b.keys(x.c, {{9, 3}});
  const auto r = x.repair();
  const auto st = actions<rcplan::set_slot_stable>(r);
  REQUIRE(st.size() == 1);
  CHECK(st[0].node == x.d);
  REQUIRE(actions<rcplan::migrate_slots>(r).size() == 1);
  SECTION("two importers with keys: blocked") {
    x.b.keys(x.d, {{9, 1}});
    const auto r2 = x.repair();
    CHECK(r2.blocked);
    REQUIRE(r2.diagnostics.size() == 1);
    CHECK(r2.diagnostics[0].code == rcplan::repair_code::several_importers);
    CHECK(r2.diagnostics[0].subject == "9");
  }
}

TEST_CASE("uncovered slots") {
  three x;
  x.b.node(x.a).slots.erase(rcplan::slot_range{0, 9});
  SECTION("key counts unknown: blocked") {
    const auto r = x.repair();
    CHECK(r.blocked);
    CHECK(r.diagnostics.at(0).code == rcplan::repair_code::uncovered_unknown_keys);
    CHECK(r.diagnostics.at(0).subject == "0-9");
  }
  SECTION("no keys anywhere: left to the balancer, which hands them out") {
    x.b.all_keys_known();
    const auto r = x.repair();
    CHECK_FALSE(r.blocked);
    CHECK(r.unassigned == slot_set{{0, 9}});
    const auto p = rcplan::plan_rebalance(x.b.build());
    REQUIRE_FALSE(p.steps.empty());
    slot_set added;
    for (const auto& s : p.steps)
      if (const auto* a = std::get_if<rcplan::add_slots>(&s.action)) added |= a->slots;
    CHECK(added == slot_set{{0, 9}});
  }
  SECTION("keys on one node: that node claims them") {
    x.b.all_keys_known();
    x.b.keys(x.d, {{3, 5}});
    const auto r = x.repair();
    const auto add = actions<rcplan::add_slots>(r);
    REQUIRE(add.size() == 1);
    CHECK(add[0].node == x.d);
    CHECK(add[0].slots == slot_set{{3, 3}});
  }
}

TEST_CASE("uncovered slots: a node in handshake is not asked for its keys") {
  three x;
  x.b.node(x.a).slots.erase(rcplan::slot_range{0, 9});
  x.b.all_keys_known();
  x.b.keys(x.d, {{3, 5}});
  // a known node met again by its address shows up as a stranger in handshake for a moment
  const rcplan::node_id h = x.b.master({});
  x.b.node(h).flags = {};
  x.b.node(h).flags.handshake = true;
  x.b.node(h).addr = x.b.node(x.c).addr;
  const auto r = x.repair();
  CHECK_FALSE(r.blocked);
  const auto add = actions<rcplan::add_slots>(r);
  REQUIRE(add.size() == 1);
  CHECK(add[0].node == x.d);
  // a master whose keys were not counted still blocks it
  x.b.node(h).flags = {};
  x.b.node(h).flags.master = true;
  const auto blocked = x.repair();
  CHECK(blocked.blocked);
  CHECK(blocked.diagnostics.at(0).code == rcplan::repair_code::uncovered_unknown_keys);
}

TEST_CASE("a slot claimed by two masters") {
  three x;
  x.b.node(x.c).slots.insert(rcplan::slot{5});  // a owns 0-5460
  SECTION("loser may hold keys: blocked") {
    const auto r = x.repair();
    CHECK(r.blocked);
    CHECK(r.diagnostics.at(0).code == rcplan::repair_code::contested_slot);
  }
  SECTION("loser known empty: told who owns it") {
    x.b.all_keys_known();
    x.b.keys(x.a, {{5, 2}});
    const auto r = x.repair();
    const auto sn = actions<rcplan::set_slot_node>(r);
    REQUIRE(sn.size() == 1);
    CHECK(sn[0].node == x.c);
    CHECK(sn[0].owner == x.a);
    CHECK(r.ownership.at(x.a).contains(5));
    CHECK_FALSE(r.ownership.at(x.c).contains(5));
  }
  SECTION("half-finished migration: the target took it, the source is empty") {
    x.migrating(x.a, 5, x.c);
    x.b.all_keys_known();
    x.b.keys(x.c, {{5, 4}});
    const auto r = x.repair();
    const auto sn = actions<rcplan::set_slot_node>(r);
    REQUIRE(sn.size() == 1);
    CHECK(sn[0].node == x.a);
    CHECK(sn[0].owner == x.c);
    CHECK(actions<rcplan::set_slot_stable>(r).empty());
  }
}

TEST_CASE("the source died mid-migration and its replica took over: the new owner finishes it") {
  topology_builder b;
  const auto s = rcplan_test::contiguous(2);
  const auto dead = b.master(s[0]);
  const auto target = b.master(s[1]);
  const auto promoted = b.replica(dead);
  // after the failover: the promoted replica owns the slots, the target still imports slot 9
  // from the dead source and holds some of its keys; the promoted replica holds the rest
  b.node(promoted).flags = {};
  b.node(promoted).flags.master = true;
  b.node(promoted).master_id.reset();
  b.node(promoted).slots = s[0];
  b.node(dead).slots = {};
  b.node(dead).flags.fail = true;
  b.node(target).open_slots.push_back({9, open_slot::direction::importing, dead});
  b.keys(target, {{9, 4}});
  b.keys(promoted, {{9, 6}});
  SECTION("dead source: finished from the new owner") {
    const auto t = b.build();
    const auto r = rcplan::plan_repair(t, rcplan::merged_nodes(t));
    CHECK_FALSE(r.blocked);
    const auto m = actions<rcplan::migrate_slots>(r);
    REQUIRE(m.size() == 1);
    CHECK(m[0].source == promoted);
    CHECK(m[0].target == target);
    CHECK(m[0].slots == slot_set{{9, 9}});
  }
  SECTION("the source is a live master: not replaced, still refused") {
    b.node(dead).flags.fail = false;
    const auto t = b.build();
    const auto r = rcplan::plan_repair(t, rcplan::merged_nodes(t));
    CHECK(r.blocked);
    CHECK(actions<rcplan::migrate_slots>(r).empty());
  }
}
