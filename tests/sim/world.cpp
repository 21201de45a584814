#include <rcplan/sim/world.hpp>

#include "sim/world_helpers.hpp"

#include <catch2/catch.hpp>

namespace {

using rcplan::action;
using rcplan::node_id;
using rcplan::slot_set;
using rcplan::sim::world;
using rcplan_test::make_sts;
using rcplan_test::node_of;

/// Three shards of two pods each, started, nodes not met.
world started(rcplan::sim::world_options o = {}) {
  world w(std::move(o));
  REQUIRE_FALSE(w.apply(action{make_sts("drc-x-0", 0, 2)}));
  REQUIRE_FALSE(w.apply(action{make_sts("drc-x-1", 1, 2)}));
  REQUIRE_FALSE(w.apply(action{make_sts("drc-x-2", 2, 2)}));
  w.tick();
  return w;
}

/// Masters drc-x-0-0 (slots 0-8191), drc-x-1-0 (8192-12287) and drc-x-2-0 (the rest), replica
/// drc-x-0-1 of the first.
world formed(rcplan::sim::world_options o = {}) {
  world w = started(std::move(o));
  const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0"), c = node_of(w, "drc-x-2-0"),
                r = node_of(w, "drc-x-0-1");
  REQUIRE_FALSE(w.apply(action{rcplan::meet{b, {}, a}}));
  REQUIRE_FALSE(w.apply(action{rcplan::meet{c, {}, a}}));
  REQUIRE_FALSE(w.apply(action{rcplan::meet{r, {}, a}}));
  REQUIRE_FALSE(w.apply(action{rcplan::add_slots{a, slot_set{{0, 8191}}}}));
  REQUIRE_FALSE(w.apply(action{rcplan::add_slots{b, slot_set{{8192, 12287}}}}));
  REQUIRE_FALSE(w.apply(action{rcplan::add_slots{c, slot_set{{12288, 16383}}}}));
  REQUIRE_FALSE(w.apply(action{rcplan::replicate{r, a}}));
  w.cluster().add_keys(10, 5);
  w.cluster().add_keys(9000, 7);
  w.tick();
  return w;
}

}  // namespace

TEST_CASE("apply_statefulset and a tick start pods whose fresh nodes are observed but not met") {
  world w;
  REQUIRE_FALSE(w.apply(action{make_sts("drc-x-0", 0, 2)}));
  CHECK(w.to_topology().pods.empty());  // the controller creates them on the next tick
  w.tick();
  const auto t = w.to_topology();
  REQUIRE(t.pods.size() == 2);
  CHECK(t.pods[0].name == "drc-x-0-0");
  CHECK(t.pods[0].ready);
  CHECK(t.pods[0].ip == "10.0.0.0");
  CHECK(t.pods[1].ip == "10.0.0.1");
  CHECK(t.pods[0].kube_node != t.pods[1].kube_node);
  CHECK(t.pods[0].zone != t.pods[1].zone);
  REQUIRE(t.statefulsets.size() == 1);
  CHECK(t.statefulsets[0].replicas == 2);
  CHECK(t.statefulsets[0].ready_replicas == 2);
  CHECK(t.statefulsets[0].image == "redis:7.0");
  CHECK(t.observed_at_ms > 0);
  // each pod runs a fresh node: observed at the pod's address, in no view
  REQUIRE(t.observations.size() == 2);
  for (const auto& o : t.observations) {
    CHECK(o.id.well_formed());
    CHECK(o.reachable);
    CHECK(o.keys_per_slot->empty());
    CHECK_FALSE(rcplan_test::in_views(t, o.id));
  }
  // deterministic ids
  world again;
  REQUIRE_FALSE(again.apply(action{make_sts("drc-x-0", 0, 2)}));
  again.tick();
  CHECK(again.to_topology() == t);
}

TEST_CASE("MEET joins nodes - each reachable member reports its own view") {
  world w = started();
  const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0"), c = node_of(w, "drc-x-1-1");
  SECTION("addressed by node id") { REQUIRE_FALSE(w.apply(action{rcplan::meet{b, {}, a}})); }
  SECTION("addressed by pod name before the plan knew the id") {
    REQUIRE_FALSE(w.apply(action{rcplan::meet{node_id{"drc-x-1-0"}, {}, node_id{"drc-x-0-0"}}}));
  }
  const auto t = w.to_topology();
  REQUIRE(t.views.size() == 2);
  CHECK(rcplan_test::line(t, a, b) != nullptr);
  CHECK(rcplan_test::line(t, b, a) != nullptr);
  CHECK_FALSE(rcplan_test::in_views(t, c));
  CHECK(rcplan::views_agree(t));
  // gossip: meeting a third node through b teaches a about it too
  REQUIRE_FALSE(w.apply(action{rcplan::meet{c, {}, b}}));
  CHECK(rcplan_test::line(w.to_topology(), a, c) != nullptr);
  CHECK(w.holds(rcplan::wait_until{rcplan::wait_condition::node_known, c.value, 0}));
}

TEST_CASE("a replica syncs on the next tick and reports its offset") {
  world w = started();
  const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
  SECTION("unknown master is refused") {
    const auto v = w.apply(action{rcplan::replicate{r, a}});
    REQUIRE(v);
    CHECK(v->invariant == "redis_refused");
  }
  SECTION("after a MEET") {
    REQUIRE_FALSE(w.apply(action{rcplan::meet{r, {}, a}}));
    REQUIRE_FALSE(w.apply(action{rcplan::add_slots{a, slot_set{{0, 16383}}}}));
    REQUIRE_FALSE(w.apply(action{rcplan::replicate{r, a}}));
    const rcplan::wait_until synced{rcplan::wait_condition::replica_synced, r.value, 0};
    CHECK_FALSE(w.holds(synced));
    w.tick();
    CHECK(w.holds(synced));
    const auto t = w.to_topology();
    const auto* o = t.observation(r);
    REQUIRE(o->replication);
    CHECK(o->replication->role == rcplan::node_role::replica);
    CHECK(o->replication->master_link_up);
    CHECK(o->replication->master_host == "10.0.0.0");
    CHECK(o->replication->replica_repl_offset == t.observation(a)->replication->master_repl_offset);
    CHECK(t.observation(a)->replication->replicas.size() == 1);
  }
}

TEST_CASE("a killed pod comes back with its data - without its PVC it is a fresh node") {
  world w = formed();
  const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
  w.kill_pod("drc-x-0-0");
  auto t = w.to_topology();
  const auto* o = t.observation(a);
  REQUIRE(o != nullptr);
  CHECK_FALSE(o->reachable);
  CHECK_FALSE(o->keys_per_slot);
  REQUIRE(rcplan_test::line(t, b, a) != nullptr);
  CHECK(rcplan_test::line(t, b, a)->flags.fail);
  CHECK(rcplan_test::line(t, b, a)->slots.count() == 8192);  // claims stay
  const auto pong = rcplan_test::line(t, b, a)->pong_received;
  const auto killed_at = t.observed_at_ms;
  CHECK(pong == killed_at);
  CHECK(w.apply(action{rcplan::add_slots{a, slot_set{}}}) == std::nullopt);  // nothing lowered
  const auto v = w.apply(action{rcplan::set_config_epoch{a, 9}});
  REQUIRE(v);
  CHECK(v->invariant == "node_unreachable");

  SECTION("restart from the PVC") {
    w.tick();
    t = w.to_topology();
    CHECK(node_of(w, "drc-x-0-0") == a);
    REQUIRE(t.observation(a)->reachable);
    CHECK(t.observation(a)->keys_per_slot->at(10) == 5);
    CHECK_FALSE(rcplan_test::line(t, b, a)->flags.fail);
    CHECK(w.cluster().total_keys() == 12);
  }
  SECTION("down for longer: pong_received stays at the time it died") {
    w.kill_pod("drc-x-1-1", false, 1);
    w.kill_pod("drc-x-0-0", false, 3);
    w.tick();
    w.tick();
    t = w.to_topology();
    CHECK(rcplan_test::line(t, b, a)->pong_received == killed_at);
    CHECK(t.observed_at_ms == killed_at + 2000);
  }
  SECTION("the PVC is lost") {
    w.kill_pod("drc-x-0-1", true);
    const node_id old = node_of(w, "drc-x-0-1");
    w.tick();
    const node_id fresh = node_of(w, "drc-x-0-1");
    CHECK(fresh != old);
    t = w.to_topology();
    CHECK(t.observation(fresh)->reachable);
    CHECK_FALSE(rcplan_test::in_views(t, fresh));  // not met yet
    REQUIRE(rcplan_test::line(t, a, old) != nullptr);
    CHECK(rcplan_test::line(t, a, old)->flags.fail);  // the others still list the old node
    CHECK_FALSE(t.observation(old)->reachable);
    // it owns nothing, so the cluster may forget it; then it is gone
    REQUIRE_FALSE(w.apply(action{rcplan::forget{old}}));
    CHECK(w.cluster().find(old) == nullptr);
  }
}

TEST_CASE("a pod's new IP: same node id, the others keep the old address until a MEET") {
  world w = formed();
  const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
  w.change_pod_ip("drc-x-1-0");
  auto t = w.to_topology();
  CHECK(w.find_pod("drc-x-1-0")->observed.ip == "10.1.1.0");
  CHECK(t.observation(b)->addr.host == "10.1.1.0");
  CHECK(rcplan_test::line(t, b, b)->addr.host == "10.1.1.0");
  CHECK(rcplan_test::line(t, a, b)->addr.host == "10.0.1.0");
  REQUIRE_FALSE(w.apply(action{rcplan::meet{b, {}, a}}));
  t = w.to_topology();
  CHECK(rcplan_test::line(t, a, b)->addr.host == "10.1.1.0");
  // and a restart keeps the new address
  w.kill_pod("drc-x-1-0");
  w.tick();
  CHECK(w.to_topology().observation(b)->addr.host == "10.1.1.0");
}

TEST_CASE("scaling a StatefulSet removes the highest ordinals - their PVCs stay") {
  world w = started();
  const node_id r = node_of(w, "drc-x-1-1");
  REQUIRE_FALSE(w.apply(action{rcplan::scale_statefulset{"drc-x-1", 1}}));
  CHECK(w.find_pod("drc-x-1-1") == nullptr);
  CHECK(w.pvcs().count("data-drc-x-1-1") == 1);
  REQUIRE_FALSE(w.apply(action{rcplan::scale_statefulset{"drc-x-1", 2}}));
  w.tick();
  CHECK(node_of(w, "drc-x-1-1") == r);  // back with its nodes.conf
  REQUIRE_FALSE(w.apply(action{rcplan::delete_pod{"drc-x-1-1"}}));
  REQUIRE_FALSE(w.apply(action{rcplan::delete_pvc{"data-drc-x-1-1"}}));
  w.tick();
  CHECK(node_of(w, "drc-x-1-1") != r);
  REQUIRE_FALSE(w.apply(action{rcplan::delete_statefulset{"drc-x-1"}}));
  w.tick();
  CHECK(w.find_pod("drc-x-1-0") == nullptr);
  CHECK(w.to_topology().statefulsets.size() == 2);
}

TEST_CASE("ephemeral storage: a deleted pod starts empty, a container restart keeps its data") {
  world w;
  REQUIRE_FALSE(w.apply(action{make_sts("drc-x-0", 0, 1, "redis:7.0", true)}));
  w.tick();
  const node_id a = node_of(w, "drc-x-0-0");
  CHECK(w.pvcs().empty());
  w.kill_pod("drc-x-0-0");
  w.tick();
  CHECK(node_of(w, "drc-x-0-0") == a);
  REQUIRE_FALSE(w.apply(action{rcplan::delete_pod{"drc-x-0-0"}}));
  w.tick();
  CHECK(node_of(w, "drc-x-0-0") != a);
}

TEST_CASE("Redis fails a dead master over to its replica when a majority of masters votes") {
  SECTION("after the node timeout") {
    world w = formed();
    const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
    w.kill_pod("drc-x-0-0", false, 10);
    for (int i = 0; i < 4; ++i) w.tick();
    CHECK(w.cluster().find(a)->master);  // 4 s < node timeout
    w.tick();
    const auto* promoted = w.cluster().find(r);
    CHECK(promoted->master);
    CHECK(promoted->claims.count() == 8192);
    CHECK(promoted->keys.at(10) == 5);
    CHECK_FALSE(w.cluster().check_all());
    for (int i = 0; i < 5; ++i) w.tick();
    // the old master came back as a replica of the new one
    const auto* old = w.cluster().find(a);
    CHECK(old->alive);
    CHECK_FALSE(old->master);
    CHECK(old->master_id == r);
    CHECK(w.cluster().total_keys() == 12);
  }
  SECTION("no majority: a lost host with two of three masters") {
    rcplan::sim::world_options o;
    o.hosts = {{"h1", "z1"}, {"h2", "z2"}};
    world w = formed(o);
    // shards 0 and 2 put their masters on h1
    REQUIRE(w.find_pod("drc-x-0-0")->observed.kube_node == w.find_pod("drc-x-2-0")->observed.kube_node);
    const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
    w.lose_host(w.find_pod("drc-x-0-0")->observed.kube_node);
    for (int i = 0; i < 10; ++i) w.tick();
    CHECK_FALSE(w.cluster().find(a)->alive);
    CHECK(w.cluster().find(r)->alive);
    CHECK_FALSE(w.cluster().find(r)->master);  // 1 of 3 owners alive is no majority
    SECTION("TAKEOVER needs no votes") {
      REQUIRE_FALSE(w.apply(action{rcplan::failover{r, rcplan::failover_mode::takeover}}));
      CHECK(w.cluster().find(r)->master);
    }
    SECTION("FORCE does") {
      const auto v = w.apply(action{rcplan::failover{r, rcplan::failover_mode::force}});
      REQUIRE(v);
      CHECK(v->invariant == "redis_refused");
    }
  }
}

TEST_CASE("manual failover modes") {
  world w = formed();
  const node_id r = node_of(w, "drc-x-0-1");
  SECTION("default with the master alive") {
    REQUIRE_FALSE(w.apply(action{rcplan::failover{r}}));
    CHECK(w.cluster().find(r)->master);
    CHECK(w.holds(rcplan::wait_until{rcplan::wait_condition::failover_done, r.value, 0}));
  }
  SECTION("default with the master down is refused; FORCE is not") {
    w.kill_pod("drc-x-0-0");
    const auto v = w.apply(action{rcplan::failover{r}});
    REQUIRE(v);
    CHECK(v->invariant == "redis_refused");
    REQUIRE_FALSE(w.apply(action{rcplan::failover{r, rcplan::failover_mode::force}}));
    CHECK(w.cluster().find(r)->keys.at(10) == 5);
  }
}

TEST_CASE("each invariant of design section 6 is caught") {
  SECTION("a master and its replica on one host") {
    rcplan::sim::world_options o;
    o.hosts = {{"only", "z1"}};
    world w = started(o);
    const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
    REQUIRE_FALSE(w.apply(action{rcplan::meet{r, {}, a}}));
    const auto v = w.apply(action{rcplan::replicate{r, a}});
    REQUIRE(v);
    CHECK(v->invariant == "replica_colocated");
    CHECK(w.findings().empty());
  }
  SECTION("... explained by the plan: a finding") {
    rcplan::sim::world_options o;
    o.hosts = {{"only", "z1"}};
    world w = started(o);
    const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
    REQUIRE_FALSE(w.apply(action{rcplan::meet{r, {}, a}}));
    const rcplan::diagnostic why{rcplan::severity::warning, "placement_single_host", "", "one host only"};
    REQUIRE_FALSE(w.apply(action{rcplan::replicate{r, a}}, {why}));
    REQUIRE(w.findings().size() == 1);
    CHECK(w.findings()[0].invariant == "replica_colocated");
  }
  SECTION("... in one zone when zones allow otherwise") {
    rcplan::sim::world_options o;
    o.hosts = {{"h1", "z1"}, {"h2", "z1"}, {"h3", "z2"}};
    world w = started(o);
    // shard 0: ordinals 0 and 1 land on h1 and h2, both in z1
    const node_id a = node_of(w, "drc-x-0-0"), r = node_of(w, "drc-x-0-1");
    REQUIRE_FALSE(w.apply(action{rcplan::meet{r, {}, a}}));
    const auto v = w.apply(action{rcplan::replicate{r, a}});
    REQUIRE(v);
    CHECK(v->invariant == "replica_colocated");
  }
  SECTION("forgetting a node that owns slots") {
    world w = formed();
    const auto v = w.apply(action{rcplan::forget{node_of(w, "drc-x-1-0")}});
    REQUIRE(v);
    CHECK(v->invariant == "forget_nonempty");
  }
  SECTION("a slot left unowned") {
    world w = formed();
    const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
    REQUIRE_FALSE(w.apply(action{rcplan::set_slot_stable{a, slot_set{{1, 1}}}}));
    const auto v = w.apply(action{rcplan::set_slot_node{a, b, slot_set{{1, 1}}}});
    REQUIRE(v);
    CHECK(v->invariant == "slot_unowned");
  }
  SECTION("a slot claimed by two masters") {
    world w = formed();
    const node_id b = node_of(w, "drc-x-1-0");
    const auto v = w.apply(action{rcplan::set_slot_node{b, b, slot_set{{10, 10}}}});
    REQUIRE(v);
    CHECK(v->invariant == "slot_contested");
  }
  SECTION("keys stranded on a target closed too early") {
    world w = formed();
    const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
    REQUIRE_FALSE(w.cluster().apply(rcplan::redis_command{b, {"CLUSTER", "SETSLOT", "10", "IMPORTING", a.value}}));
    REQUIRE_FALSE(w.cluster().apply(rcplan::redis_command{a, {"CLUSTER", "SETSLOT", "10", "MIGRATING", b.value}}));
    REQUIRE_FALSE(w.cluster().apply_partial(rcplan::move_keys{a, b, 10, "", 0, 10, 1000, false}, 0.5));
    const auto v = w.apply(action{rcplan::set_slot_stable{b, slot_set{{10, 10}}}});
    REQUIRE(v);
    CHECK(v->invariant == "keys_stranded");
  }
  SECTION("an unpaired open slot") {
    world w = formed();
    const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
    const auto v = w.cluster().apply(rcplan::redis_command{a, {"CLUSTER", "SETSLOT", "10", "MIGRATING", b.value}});
    REQUIRE(v);
    CHECK(v->invariant == "open_slot_unpaired");
  }
  SECTION("a migration interrupted mid-way keeps every key") {
    world w = formed();
    const node_id a = node_of(w, "drc-x-0-0"), b = node_of(w, "drc-x-1-0");
    std::size_t done = 0;
    REQUIRE_FALSE(w.apply(action{rcplan::migrate_slots{a, b, slot_set{{10, 11}}}}, {}, 4, &done));
    CHECK(done == 4);
    CHECK(w.cluster().total_keys() == 12);
    CHECK_FALSE(w.cluster().check_all());
  }
}
