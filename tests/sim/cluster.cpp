#include <rcplan/sim/cluster.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>

namespace {

using rcplan::redis_command;
using rcplan::slot_set;

struct two_masters {
  rcplan_test::topology_builder b;
  rcplan::node_id a, c;
  two_masters() {
    a = b.master(slot_set{{0, 8191}});
    c = b.master(slot_set{{8192, 16383}});
    b.keys(a, {{10, 5}, {11, 1}});
    b.keys(c, {{9000, 2}});
  }
  [[nodiscard]] rcplan::sim::cluster sim() const { return rcplan::sim::cluster::from_topology(b.build()); }
  [[nodiscard]] redis_command setslot(const rcplan::node_id& on, rcplan::slot s, const char* sub,
                                      const rcplan::node_id& peer) const {
    return {on, {"CLUSTER", "SETSLOT", std::to_string(s), sub, peer.value}};
  }
  [[nodiscard]] rcplan::move_keys move(rcplan::slot s) const { return {a, c, s, "127.0.0.1", 7001, 10, 1000, false}; }
};

}  // namespace

TEST_CASE("a lowered migration runs cleanly and moves ownership and keys") {
  two_masters x;
  auto sim = x.sim();
  REQUIRE_FALSE(sim.check_all());
  const auto v = sim.apply(rcplan::action{rcplan::migrate_slots{x.a, x.c, slot_set{{10, 11}}}});
  CHECK_FALSE(v);
  CHECK(sim.owner(10) == x.c);
  CHECK(sim.owner(11) == x.c);
  CHECK(sim.find(x.c)->keys.at(10) == 5);
  CHECK(sim.find(x.a)->keys.count(10) == 0);
  CHECK(sim.total_keys() == 8);
  CHECK(sim.slots_moved() == 2);
  CHECK_FALSE(sim.check_all());
}

TEST_CASE("the simulator refuses what Redis refuses and flags broken invariants") {
  two_masters x;
  SECTION("source told before the target claimed: the slot would be unowned") {
    auto sim = x.sim();
    REQUIRE_FALSE(sim.apply(x.setslot(x.c, 12, "IMPORTING", x.a)));
    REQUIRE_FALSE(sim.apply(x.setslot(x.a, 12, "MIGRATING", x.c)));
    const auto v = sim.apply(x.setslot(x.a, 12, "NODE", x.c));
    REQUIRE(v);
    CHECK(v->invariant == "slot_unowned");
  }
  SECTION("NODE elsewhere while keys remain") {
    auto sim = x.sim();
    REQUIRE_FALSE(sim.apply(x.setslot(x.c, 10, "IMPORTING", x.a)));
    REQUIRE_FALSE(sim.apply(x.setslot(x.a, 10, "MIGRATING", x.c)));
    REQUIRE_FALSE(sim.apply(x.setslot(x.c, 10, "NODE", x.c)));
    const auto v = sim.apply(x.setslot(x.a, 10, "NODE", x.c));
    REQUIRE(v);
    CHECK(v->invariant == "redis_refused");
    CHECK(v->detail.find("slot 10") != std::string::npos);
  }
  SECTION("MIGRATE without MIGRATING") {
    auto sim = x.sim();
    const auto v = sim.apply(x.move(10));
    REQUIRE(v);
    CHECK(v->invariant == "redis_refused");
  }
  SECTION("MIGRATING before the target imports") {
    auto sim = x.sim();
    const auto v = sim.apply(x.setslot(x.a, 10, "MIGRATING", x.c));
    REQUIRE(v);
    CHECK(v->invariant == "open_slot_unpaired");
  }
  SECTION("closing the target with keys in it strands them") {
    auto sim = x.sim();
    REQUIRE_FALSE(sim.apply(x.setslot(x.c, 10, "IMPORTING", x.a)));
    REQUIRE_FALSE(sim.apply(x.setslot(x.a, 10, "MIGRATING", x.c)));
    REQUIRE_FALSE(sim.apply_partial(x.move(10), 0.5));
    const auto v = sim.apply(redis_command{x.c, {"CLUSTER", "SETSLOT", "10", "STABLE"}});
    REQUIRE(v);
    CHECK(v->invariant == "keys_stranded");
  }
  SECTION("forgetting a node that owns slots") {
    auto sim = x.sim();
    const auto v = sim.apply(rcplan::action{rcplan::forget{x.a}});
    REQUIRE(v);
    CHECK(v->invariant == "forget_nonempty");
  }
  SECTION("REPLICATE of a master with slots") {
    auto sim = x.sim();
    const auto v = sim.apply(rcplan::action{rcplan::replicate{x.a, x.c}});
    REQUIRE(v);
    CHECK(v->invariant == "redis_refused");
  }
}

TEST_CASE("round trip through a topology keeps open slots and keys") {
  two_masters x;
  auto sim = x.sim();
  REQUIRE_FALSE(sim.apply(x.setslot(x.c, 10, "IMPORTING", x.a)));
  REQUIRE_FALSE(sim.apply(x.setslot(x.a, 10, "MIGRATING", x.c)));
  REQUIRE_FALSE(sim.apply_partial(x.move(10), 0.4));
  const auto again = rcplan::sim::cluster::from_topology(sim.to_topology());
  CHECK(again.find(x.a)->migrating.at(10) == x.c);
  CHECK(again.find(x.c)->importing.at(10) == x.a);
  CHECK(again.find(x.a)->keys.at(10) + again.find(x.c)->keys.at(10) == 5);
  CHECK(again.total_keys() == sim.total_keys());
}

TEST_CASE("a replica the masters forgot cannot win the election when its master dies") {
  rcplan_test::topology_builder b;
  const auto m0 = b.master(slot_set{{0, 5460}});
  const auto m1 = b.master(slot_set{{5461, 10922}});
  const auto m2 = b.master(slot_set{{10923, 16383}});
  const auto r1 = b.replica(m1);
  auto sim = rcplan::sim::cluster::from_topology(b.build());
  SECTION("known: promoted") {
    sim.kill(m1);
    CHECK(sim.auto_failover() == std::vector<rcplan::node_id>{r1});
  }
  SECTION("forgotten by the voting masters: not promoted") {
    for (const auto& on : {m0, m2}) REQUIRE_FALSE(sim.apply(redis_command{on, {"CLUSTER", "FORGET", r1.value}}));
    sim.kill(m1);
    CHECK(sim.auto_failover().empty());
    CHECK(sim.owner(5461) == m1);
  }
}

TEST_CASE("a master requiring the new password before its replica knows it breaks replication") {
  rcplan_test::topology_builder b;
  const auto m = b.master(slot_set{{0, 16383}});
  const auto r = b.replica(m);
  auto sim = rcplan::sim::cluster::from_topology(b.build());
  CHECK_FALSE(sim.to_topology().observations.front().password);  // not tracked before a change
  sim.rotate_password();
  const auto require = redis_command{m, {"CONFIG", "SET", "requirepass", "<secret>"}};
  const auto learn = redis_command{r, {"CONFIG", "SET", "masterauth", "<secret>"}};
  SECTION("requirepass first: refused") {
    const auto v = sim.apply(require);
    REQUIRE(v);
    CHECK(v->invariant == "replica_auth_broken");
  }
  SECTION("masterauth first: fine, and the observations say so") {
    REQUIRE_FALSE(sim.apply(learn));
    REQUIRE_FALSE(sim.apply(require));
    for (const auto& o : sim.to_topology().observations) {
      REQUIRE(o.password);
      CHECK(o.password->requirepass_current == (o.id == m));
      CHECK(o.password->masterauth_current == (o.id == r));
    }
  }
  SECTION("a restarted node starts with the current password") {
    sim.kill(r);
    sim.revive(r);
    const auto t = sim.to_topology();
    const auto* o = t.observation(r);
    REQUIRE(o != nullptr);
    REQUIRE(o->password);
    CHECK(o->password->masterauth_current);
  }
}
