#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/status.hpp>

#include <rcplan/sim/world.hpp>
#include <rcplan/testing/converge.hpp>

#include "support/plan_steps.hpp"
#include "support/kube_builder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace {

using rcplan::plan_status;
using rcplan_test::kube;
using rcplan_test::resource;
using rcplan_test::sync_statefulsets;

template <typename A>
std::vector<A> actions(const auto& p) {
  return rcplan_test::actions_of<A>(p);
}


rcplan_test::kube_cluster healthy(const rcplan::cluster_resource& r, int shards, int pods) {
  auto k = kube(r.metadata.name, shards, pods);
  sync_statefulsets(k, r);
  return k;
}

}  // namespace

TEST_CASE("reconcile: a healthy cluster that matches its spec is converged") {
  const auto r = resource("c", 3, 1);
  const auto k = healthy(r, 3, 2);
  const auto p = rcplan::reconcile(k.t, r);
  CHECK(p.status == plan_status::converged);
  CHECK(p.steps.empty());
  CHECK(rcplan::reconcile(k.t, r) == p);
}

TEST_CASE("reconcile: an invalid spec is blocked with its diagnostics and no steps") {
  auto r = resource("c", 3, 1);
  r.spec.master_size = 0;
  const auto p = rcplan::reconcile(rcplan::topology{}, r);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  REQUIRE_FALSE(p.diagnostics.empty());
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [](const rcplan::diagnostic& d) { return d.subject == "spec.masterSize"; }));
}

TEST_CASE("reconcile: create from nothing") {
  const auto r = resource("c", 3, 1);
  SECTION("first the Kubernetes objects, then wait for pods") {
    const auto p = rcplan::reconcile(rcplan::topology{}, r);
    REQUIRE(p.status == plan_status::actions_planned);
    const auto sts = actions<rcplan::apply_statefulset>(p);
    REQUIRE(sts.size() == 3);
    CHECK(sts[0].object.name == "drc-c-0");
    CHECK(sts[2].object.replicas == 2);
    CHECK(actions<rcplan::apply_configmap>(p).size() == 1);
    CHECK(actions<rcplan::apply_pdb>(p).size() == 3);
    CHECK(actions<rcplan::apply_service>(p).size() == 4);  // one headless per shard, one client
    CHECK(std::holds_alternative<rcplan::wait_until>(p.steps.back().action));
    for (const auto& s : p.steps) CHECK_FALSE(s.reason.empty());
  }
  SECTION("fresh pods: epochs and slots while alone, then MEET") {
    auto k = healthy(r, 3, 2);
    // every node fresh: its own view only, no slots, epoch 0
    rcplan::topology t = k.t;
    std::vector<rcplan::cluster_node> all = t.views.front().nodes;
    t.views.clear();
    for (auto n : all) {
      n.slots.clear();
      n.config_epoch = 0;
      n.flags = {};
      n.flags.master = true;
      n.flags.myself = true;
      n.master_id.reset();
      t.views.push_back({n.id, {n}});
    }
    const auto p = rcplan::reconcile(t, r);
    REQUIRE(p.status == plan_status::actions_planned);
    const auto add = actions<rcplan::add_slots>(p);
    REQUIRE(add.size() == 3);
    rcplan::slot_set all_slots;
    for (const auto& a : add) {
      CHECK(a.slots.range_count() == 1);
      all_slots |= a.slots;
    }
    CHECK(all_slots.full());
    CHECK(actions<rcplan::set_config_epoch>(p).size() == 3);
    CHECK(actions<rcplan::meet>(p).size() == 5);
    // epochs are set in an earlier wave than any MEET
    int last_epoch = 0, first_meet = 99;
    for (const auto& s : p.steps) {
      if (std::holds_alternative<rcplan::set_config_epoch>(s.action)) last_epoch = std::max(last_epoch, s.wave);
      if (std::holds_alternative<rcplan::meet>(s.action)) first_meet = std::min(first_meet, s.wave);
    }
    CHECK(last_epoch < first_meet);
  }
}

TEST_CASE("reconcile: scaling masters up adds a shard, then moves slots to it") {
  const auto r3 = resource("c", 3, 1);
  auto r4 = resource("c", 4, 1);
  auto k = healthy(r3, 3, 2);
  auto p = rcplan::reconcile(k.t, r4);
  const auto sts = actions<rcplan::apply_statefulset>(p);
  REQUIRE(sts.size() == 1);
  CHECK(sts[0].object.name == "drc-c-3");
  // the new shard is up, met, its replica follows its master: slots move
  auto k4 = healthy(r4, 4, 2);
  for (int s = 0; s < 3; ++s) k4.node(s, 0).slots = rcplan_test::contiguous(3)[static_cast<std::size_t>(s)];
  k4.node(3, 0).slots.clear();
  p = rcplan::reconcile(k4.t, r4);
  REQUIRE(p.status == plan_status::actions_planned);
  const auto moves = actions<rcplan::migrate_slots>(p);
  REQUIRE(moves.size() == 3);
  for (const auto& m : moves) CHECK(m.target == k4.ids[3][0]);
  CHECK(p.summary.slots_moved == p.summary.lower_bound);
}

TEST_CASE("reconcile: scaling masters down drains with the replica kept, then removes the shard") {
  const auto r = resource("c", 3, 1);
  auto k = healthy(r, 4, 2);  // shard 3 is no longer wanted
  // its master drains to the others in one plan, its replica stays meanwhile
  auto p = rcplan::reconcile(k.t, r);
  const auto moves = actions<rcplan::migrate_slots>(p);
  REQUIRE(moves.size() == 3);
  for (const auto& m : moves) CHECK(m.source == k.ids[3][0]);
  CHECK(actions<rcplan::reset>(p).empty());
  CHECK(actions<rcplan::forget>(p).empty());
  // drained: both nodes are forgotten and the StatefulSet deleted (and its claims)
  for (int s = 0; s < 3; ++s) k.node(s, 0).slots = rcplan_test::contiguous(3)[static_cast<std::size_t>(s)];
  k.node(3, 0).slots.clear();
  auto r_delete = r;
  r_delete.spec.storage = rcplan::storage_spec{};
  r_delete.spec.storage->type = "persistent-claim";
  r_delete.spec.storage->size = "1Gi";
  r_delete.spec.storage->delete_claim = true;
  sync_statefulsets(k, r_delete);
  SECTION("its replica still follows its empty master") {
    // the replica first (it would refuse to forget its own master), then the master
    p = rcplan::reconcile(k.t, r_delete);
    REQUIRE(actions<rcplan::forget>(p).size() == 1);
    CHECK(actions<rcplan::forget>(p)[0].node == k.ids[3][1]);
    CHECK(actions<rcplan::delete_statefulset>(p).empty());
    auto& view = k.t.views.front().nodes;
    view.erase(std::remove_if(view.begin(), view.end(), [&](const rcplan::cluster_node& n) { return n.id == k.ids[3][1]; }),
               view.end());
    p = rcplan::reconcile(k.t, r_delete);
    REQUIRE(actions<rcplan::forget>(p).size() == 1);
    CHECK(actions<rcplan::forget>(p)[0].node == k.ids[3][0]);
    REQUIRE(actions<rcplan::delete_statefulset>(p).size() == 1);
    CHECK(actions<rcplan::delete_statefulset>(p)[0].name == "drc-c-3");
    CHECK(actions<rcplan::delete_pvc>(p).size() == 2);
    // the volumes go in the StatefulSet's wave: once it is gone nothing observed names them
    for (const auto& st : p.steps)
      if (std::holds_alternative<rcplan::delete_pvc>(st.action))
        for (const auto& other : p.steps)
          if (std::holds_alternative<rcplan::delete_statefulset>(other.action)) CHECK(st.wave == other.wave);
  }
  SECTION("Redis moved it to the master that took the last slot: the last replica of that master stays") {
    // shard 0's own replica is elsewhere for now, so shard 3's is the only one of shard 0's master
    k.node(3, 1).master_id = k.ids[0][0];
    k.node(3, 0).flags = {};
    k.node(3, 0).flags.replica = true;
    k.node(3, 0).master_id = k.ids[0][0];
    k.node(0, 1).master_id = k.ids[1][0];
    k.t.observations[7].keys_per_slot = std::map<rcplan::slot, std::uint64_t>{{7, 3}};  // copies of a master's keys
    p = rcplan::reconcile(k.t, r_delete);
    // first shard 0's own replica comes back to its master
    REQUIRE(actions<rcplan::replicate>(p).size() == 1);
    CHECK(actions<rcplan::replicate>(p)[0].replica == k.ids[0][1]);
    CHECK(actions<rcplan::forget>(p).empty());
    // then shard 3 leaves, its replicas first
    k.node(0, 1).master_id = k.ids[0][0];
    p = rcplan::reconcile(k.t, r_delete);
    CHECK(actions<rcplan::forget>(p).size() == 2);
    CHECK(actions<rcplan::delete_statefulset>(p).empty());
  }
}

TEST_CASE("reconcile: a failed master") {
  const auto r = resource("c", 3, 1);
  auto k = healthy(r, 3, 2);
  k.node(1, 0).flags.fail = true;
  SECTION("recently: wait for Redis to promote its replica") {
    const auto p = rcplan::reconcile(k.t, r);
    CHECK(p.status == plan_status::waiting);
    CHECK(actions<rcplan::failover>(p).empty());
  }
  SECTION("for longer than twice the node timeout: force the replica") {
    k.node(1, 0).pong_received = k.t.observed_at_ms - 60'000;
    const auto p = rcplan::reconcile(k.t, r);
    REQUIRE(actions<rcplan::failover>(p).size() == 1);
    CHECK(actions<rcplan::failover>(p)[0].replica == k.ids[1][1]);
    CHECK(actions<rcplan::failover>(p)[0].mode == rcplan::failover_mode::force);
  }
  SECTION("no majority: blocked unless takeover is allowed") {
    for (int s = 0; s < 2; ++s) {
      k.node(s, 0).flags.fail = true;
      k.node(s, 0).pong_received = k.t.observed_at_ms - 60'000;
    }
    auto p = rcplan::reconcile(k.t, r);
    CHECK(p.status == plan_status::blocked);
    CHECK(actions<rcplan::failover>(p).empty());
    auto allow = r;
    allow.spec.failover.allow_takeover = true;
    p = rcplan::reconcile(k.t, allow);
    REQUIRE_FALSE(actions<rcplan::failover>(p).empty());
    CHECK(actions<rcplan::failover>(p)[0].mode == rcplan::failover_mode::takeover);
  }
  SECTION("no replica: wait for the pod, never move its slots") {
    const auto r0 = resource("c", 3, 0);
    auto k0 = healthy(r0, 3, 1);
    k0.node(1, 0).flags.fail = true;
    k0.node(1, 0).pong_received = k0.t.observed_at_ms - 600'000;
    const auto p = rcplan::reconcile(k0.t, r0);
    CHECK(p.status == plan_status::waiting);
    CHECK(actions<rcplan::migrate_slots>(p).empty());
    CHECK(actions<rcplan::add_slots>(p).empty());
  }
  SECTION("no replica and spec.failover.allowDataLoss: its slots go, empty, to the least loaded master") {
    auto r0 = resource("c", 3, 0);
    r0.spec.failover.allow_data_loss = true;
    auto k0 = healthy(r0, 3, 1);
    k0.node(1, 0).flags.fail = true;
    SECTION("not before twice the node timeout") {
      k0.node(1, 0).pong_received = k0.t.observed_at_ms - 20'000;
      CHECK(rcplan::reconcile(k0.t, r0).status == plan_status::waiting);
    }
    SECTION("after it") {
      k0.node(1, 0).pong_received = k0.t.observed_at_ms - 600'000;
      // shard 2's master holds fewer slots than shard 0's: it adopts
      const auto lost = k0.node(1, 0).slots;
      const auto p = rcplan::reconcile(k0.t, r0);
      REQUIRE(p.status == plan_status::actions_planned);
      REQUIRE(p.steps.size() == 2);
      const auto* f = std::get_if<rcplan::forget>(&p.steps[0].action);
      REQUIRE(f != nullptr);
      CHECK(f->node == k0.ids[1][0]);
      const auto* add = std::get_if<rcplan::add_slots>(&p.steps[1].action);
      REQUIRE(add != nullptr);
      CHECK(add->slots == lost);
      CHECK(add->node == (k0.node(0, 0).slots.count() <= k0.node(2, 0).slots.count() ? k0.ids[0][0] : k0.ids[2][0]));
      CHECK(p.steps[1].wave > p.steps[0].wave);
      const auto loss = std::find_if(p.diagnostics.begin(), p.diagnostics.end(),
                                     [](const rcplan::diagnostic& d) { return d.code == rcplan::data_loss_code; });
      REQUIRE(loss != p.diagnostics.end());
      CHECK(loss->subject == k0.ids[1][0].value);
    }
    SECTION("never without a majority of masters") {
      k0.node(1, 0).pong_received = k0.t.observed_at_ms - 600'000;
      k0.node(2, 0).flags.fail = true;
      const auto p = rcplan::reconcile(k0.t, r0);
      CHECK(actions<rcplan::forget>(p).empty());
      CHECK(actions<rcplan::add_slots>(p).empty());
    }
  }
}

TEST_CASE("reconcile: a node claiming slots the cluster serves elsewhere is not met") {
  const auto r = resource("c", 2, 0);
  auto k = healthy(r, 2, 1);
  // shard 1's pod runs a node the cluster does not know that claims part of shard 0's slots,
  // as a master given up under allowDataLoss would after coming back with its nodes.conf
  rcplan::cluster_node back;
  back.id = {std::string(40, 'e')};
  back.addr = {"10.9.9.9", 6379, 16379, ""};
  back.flags.master = true;
  back.flags.myself = true;
  back.slots = rcplan::slot_set{{0, 100}};
  k.t.views.push_back({back.id, {back}});
  rcplan::node_observation o;
  o.id = back.id;
  o.addr = back.addr;
  k.t.observations.push_back(o);
  rcplan::pod extra = k.t.pods.front();
  extra.name = "drc-c-0-1";
  extra.ordinal = 1;
  extra.ip = "10.9.9.9";
  k.t.pods.push_back(extra);
  // and shard 1 grows a fresh, empty node, which alone would simply be met
  rcplan::cluster_node fresh = back;
  fresh.id = {std::string(40, 'f')};
  fresh.addr.host = "10.9.9.8";
  fresh.slots = {};
  k.t.views.push_back({fresh.id, {fresh}});
  o.id = fresh.id;
  o.addr = fresh.addr;
  k.t.observations.push_back(o);
  extra.name = "drc-c-1-1";
  extra.shard_index = 1;
  extra.ip = "10.9.9.8";
  k.t.pods.push_back(extra);
  auto grown = r;
  grown.spec.cluster_replicas = 1;
  for (auto& s : k.t.statefulsets) s.replicas = s.ready_replicas = 2;
  const auto p = rcplan::reconcile(k.t, grown);
  for (const auto& d : p.diagnostics) INFO(d.code << " " << d.subject << ": " << d.message);
  for (const auto& st : p.steps) INFO(st.reason);
  CHECK(p.status == plan_status::blocked);
  CHECK(actions<rcplan::meet>(p).empty());
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [&](const rcplan::diagnostic& d) { return d.code == rcplan::reconcile_code::conflicting_claims && d.subject == back.id.value; }));
  // without the conflicting claim, both are met
  k.t.views[k.t.views.size() - 2].nodes.front().slots = {};
  CHECK(actions<rcplan::meet>(rcplan::reconcile(k.t, grown)).size() == 2);
}

TEST_CASE("reconcile: ghosts are forgotten, moved pods met again") {
  const auto r = resource("c", 3, 1);
  auto k = healthy(r, 3, 2);
  rcplan::cluster_node ghost;
  ghost.id = rcplan_test::make_id(99);
  ghost.addr = {"10.9.9.9", 6379, 16379, ""};
  ghost.flags.replica = true;
  ghost.flags.fail = true;
  ghost.master_id = k.ids[0][0];
  k.t.views.front().nodes.push_back(ghost);
  auto p = rcplan::reconcile(k.t, r);
  REQUIRE(actions<rcplan::forget>(p).size() == 1);
  CHECK(actions<rcplan::forget>(p)[0].node == ghost.id);
  // a MEET in progress (a handshake entry under a temporary id) is left to Redis
  k.t.views.front().nodes.back().flags = {};
  k.t.views.front().nodes.back().flags.master = true;
  k.t.views.front().nodes.back().flags.handshake = true;
  k.t.views.front().nodes.back().master_id.reset();
  CHECK(actions<rcplan::forget>(rcplan::reconcile(k.t, r)).empty());
  k.t.views.front().nodes.pop_back();
  // pod 2-1 restarted at a new IP and kept its id
  k.pod(2, 1).ip = "10.0.2.99";
  k.observed(k.ids[2][1]).addr.host = "10.0.2.99";
  p = rcplan::reconcile(k.t, r);
  REQUIRE(actions<rcplan::meet>(p).size() == 1);
  CHECK(actions<rcplan::meet>(p)[0].node == k.ids[2][1]);
  CHECK(actions<rcplan::meet>(p)[0].addr.host == "10.0.2.99");
}

TEST_CASE("reconcile: rolling update, replicas first, master after a handover") {
  const auto r = resource("c", 2, 1);
  auto k = healthy(r, 2, 2);
  for (auto& sts : k.t.statefulsets) sts.update_revision = "rev2";
  auto p = rcplan::reconcile(k.t, r);
  REQUIRE(actions<rcplan::delete_pod>(p).size() == 1);
  CHECK(actions<rcplan::delete_pod>(p)[0].name == "drc-c-0-1");  // shard 0's replica
  k.pod(0, 1).revision = "rev2";
  p = rcplan::reconcile(k.t, r);
  REQUIRE(actions<rcplan::failover>(p).size() == 1);
  CHECK(actions<rcplan::failover>(p)[0].replica == k.ids[0][1]);
  CHECK(actions<rcplan::failover>(p)[0].mode == rcplan::failover_mode::default_mode);
  CHECK(actions<rcplan::delete_pod>(p).empty());
}

TEST_CASE("reconcile: a redis.conf change updates the ConfigMap with the templates, an image change does not") {
  const auto r = resource("c", 2, 1);
  auto k = healthy(r, 2, 2);
  auto changed = r;
  changed.spec.config["appendonly"] = "yes";  // needs a restart: comes with the template
  auto p = rcplan::reconcile(k.t, changed);
  REQUIRE(actions<rcplan::apply_configmap>(p).size() == 1);
  CHECK(actions<rcplan::apply_configmap>(p)[0].object.data.at(rcplan::redis_conf_key).find("appendonly yes") !=
        std::string::npos);
  CHECK(actions<rcplan::apply_statefulset>(p).size() == 2);
  auto image = r;
  image.spec.image = "redis:7.2";
  p = rcplan::reconcile(k.t, image);
  CHECK(actions<rcplan::apply_configmap>(p).empty());
  CHECK(actions<rcplan::apply_statefulset>(p).size() == 2);
}

TEST_CASE("reconcile: runtime configuration is set live") {
  auto r = resource("c", 3, 1);
  r.spec.config["maxmemory-policy"] = "allkeys-lru";
  auto k = healthy(r, 3, 2);
  k.observed(k.ids[0][0]).config["maxmemory-policy"] = "noeviction";
  k.observed(k.ids[1][0]).config["maxmemory-policy"] = "allkeys-lru";
  const auto p = rcplan::reconcile(k.t, r);
  const auto set = actions<rcplan::config_set>(p);
  REQUIRE(set.size() == 1);
  CHECK(set[0].node == k.ids[0][0]);
  CHECK(set[0].value == "allkeys-lru");
}

TEST_CASE("reconcile: a new password is learnt as masterauth everywhere before any node requires it") {
  const auto r = resource("c", 2, 1);
  auto k = healthy(r, 2, 2);
  for (const auto& shard : k.ids)
    for (const auto& id : shard) k.observed(id).password = rcplan::password_state{false, false};
  // one node already took both: it gets neither again
  k.observed(k.ids[1][1]).password = rcplan::password_state{true, true};
  const auto first = rcplan::reconcile(k.t, r);
  REQUIRE(first.status == plan_status::actions_planned);
  const auto learn = actions<rcplan::config_set>(first);
  REQUIRE(learn.size() == 3);
  REQUIRE(first.steps.size() == 3);
  for (const auto& c : learn) {
    CHECK(c.parameter == "masterauth");
    CHECK(c.secret);
    CHECK(c.value == rcplan::secret_placeholder);
    CHECK(c.node != k.ids[1][1]);
  }
  CHECK(rcplan::compute_status(k.t, r, first).status == rcplan::status_reset_password);

  for (const auto& shard : k.ids)
    for (const auto& id : shard) k.observed(id).password->masterauth_current = true;
  const auto second = rcplan::reconcile(k.t, r);
  const auto require = actions<rcplan::config_set>(second);
  REQUIRE(require.size() == 3);
  for (const auto& c : require) CHECK(c.parameter == "requirepass");

  for (const auto& shard : k.ids)
    for (const auto& id : shard) k.observed(id).password->requirepass_current = true;
  CHECK(rcplan::reconcile(k.t, r).status == plan_status::converged);
}

TEST_CASE("reconcile: a new password of an ACL user blocks, naming the user, and the same password converges") {
  auto r = resource("c", 2, 1);
  r.spec.password_secret.emplace();
  r.spec.password_secret->name = "redis-password";
  r.spec.username = "app-admin";
  auto k = healthy(r, 2, 2);
  for (const auto& shard : k.ids)
    for (const auto& id : shard) k.observed(id).password = rcplan::password_state{true, true};
  CHECK(rcplan::reconcile(k.t, r).status == plan_status::converged);

  // one node does not hold it: CONFIG SET would reach the default user, not the ACL user
  k.observed(k.ids[0][1]).password = rcplan::password_state{false, false};
  const auto p = rcplan::reconcile(k.t, r);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  const auto d = std::find_if(p.diagnostics.begin(), p.diagnostics.end(), [](const rcplan::diagnostic& x) {
    return x.code == rcplan::reconcile_code::acl_password_change;
  });
  REQUIRE(d != p.diagnostics.end());
  CHECK(d->subject == "spec.username");
  CHECK(d->message.find("app-admin") != std::string::npos);

  // the same cluster without an ACL user: the default user's password takes the two-step change
  auto plain = r;
  plain.spec.username.clear();
  auto d2 = healthy(plain, 2, 2);
  for (const auto& shard : d2.ids)
    for (const auto& id : shard) d2.observed(id).password = rcplan::password_state{true, true};
  d2.observed(d2.ids[0][1]).password = rcplan::password_state{false, false};
  const auto learn = actions<rcplan::config_set>(rcplan::reconcile(d2.t, plain));
  REQUIRE(learn.size() == 1);
  CHECK(learn[0].parameter == "masterauth");
}

TEST_CASE("reconcile: masters that ended up on one host are spread again with one failover") {
  const auto r = resource("c", 3, 1);
  // 6 pods over 3 hosts: shard s ordinal o on host (2s + o) % 3
  auto k = kube("c", 3, 2, 3);
  sync_statefulsets(k, r);
  // masters of shards 0 and 1 on host-0 and host-2; make shard 1's master share host-0
  k.pod(1, 0).kube_node = "host-0";
  k.pod(1, 1).kube_node = "host-1";
  k.pod(0, 1).kube_node = "host-1";
  k.pod(2, 0).kube_node = "host-2";
  k.pod(2, 1).kube_node = "host-0";
  const auto p = rcplan::reconcile(k.t, r);
  REQUIRE(actions<rcplan::failover>(p).size() == 1);
  const auto f = actions<rcplan::failover>(p)[0];
  CHECK((f.replica == k.ids[0][1] || f.replica == k.ids[1][1]));
  CHECK(f.mode == rcplan::failover_mode::default_mode);
  CHECK(rcplan::reconcile(k.t, r) == p);
}

TEST_CASE("reconcile: a spread that cannot be met is converged with a best-effort finding") {
  const auto r = resource("c", 3, 1);
  auto k = kube("c", 3, 2, 1);  // every pod on one host
  sync_statefulsets(k, r);
  const auto p = rcplan::reconcile(k.t, r);
  CHECK(p.status == plan_status::converged);
  CHECK(p.steps.empty());
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [](const rcplan::diagnostic& d) { return d.code == rcplan::placement_code::best_effort; }));
}

namespace {

/// A simulated world brought to a converged `masters` x `replicas` cluster by reconcile().
rcplan::sim::world converged_world(int masters, int replicas, rcplan::sim::world_options o = {}) {
  rcplan::sim::world w(std::move(o));
  const auto r = resource("c", masters, replicas);
  const auto rep = rcplan::testing::converge(w, [&](const rcplan::topology& t) { return rcplan::reconcile(t, r); });
  REQUIRE(rep.converged);
  return w;
}

}  // namespace

// Regression: the seed itself moved, so no MEET was planned (the moved node was skipped as
// `via`) and the others kept its old address; and only the merged line (the node's own,
// already right) was compared.
TEST_CASE("reconcile: the cluster learns a moved node's address even when it is the seed") {
  const auto r = resource("c", 3, 1);
  for (const std::string pod : {"drc-c-0-0", "drc-c-1-1"}) {
    auto w = converged_world(3, 1);
    w.change_pod_ip(pod);
    const auto moved = *w.node_of(pod);
    const auto p = rcplan::reconcile(w.to_topology(), r);
    const auto meets = actions<rcplan::meet>(p);
    REQUIRE(meets.size() == 1);
    CHECK(meets[0].node == moved);
    CHECK(meets[0].via != moved);
    CHECK(meets[0].addr.host == w.find_pod(pod)->observed.ip);
  }
}

// Regression: a replica leaving whose FORGET ran but whose RESET (the next wave) did not was no
// member any more and was never reset; it kept following its master, and it was made a
// replica again by the roles phase once reset elsewhere.
TEST_CASE("reconcile: a leaving replica forgotten by the cluster still forgets the cluster") {
  auto w = converged_world(1, 1);
  const auto r = resource("c", 1, 0);
  const auto leaving = *w.node_of("drc-c-0-1");
  auto p = rcplan::reconcile(w.to_topology(), r);
  REQUIRE(actions<rcplan::forget>(p).size() == 1);
  for (const auto& s : p.steps)
    if (s.wave == 0) REQUIRE_FALSE(w.apply(s.action));
  p = rcplan::reconcile(w.to_topology(), r);
  const auto resets = actions<rcplan::reset>(p);
  REQUIRE(resets.size() == 1);
  CHECK(resets[0].node == leaving);
  CHECK(actions<rcplan::replicate>(p).empty());
}

TEST_CASE("reconcile: spec.rebalance.balanceBy keys evens out keys, not slots") {
  auto r = resource("c", 2, 0);
  auto k = healthy(r, 2, 1);
  // shard 0 holds ten times the keys of shard 1, spread over its slots
  std::map<rcplan::slot, std::uint64_t> heavy, light;
  for (rcplan::slot s = 0; s < 8192; s += 8) heavy[s] = 10;
  for (rcplan::slot s = 8192; s < 16384 - 7; s += 8) light[static_cast<rcplan::slot>(s)] = 1;
  k.observed(k.ids[0][0]).keys_per_slot = heavy;
  k.observed(k.ids[1][0]).keys_per_slot = light;
  CHECK(rcplan::reconcile(k.t, r).status == plan_status::converged);  // slots are even
  r.spec.rebalance.balance_by = rcplan::balance_metric::keys;
  const auto p = rcplan::reconcile(k.t, r);
  REQUIRE(p.status == plan_status::actions_planned);
  const auto moves = actions<rcplan::migrate_slots>(p);
  REQUIRE_FALSE(moves.empty());
  // keyed slots leave the heavy shard (keyless ones may come back to even slot counts)
  CHECK(std::any_of(moves.begin(), moves.end(), [&](const rcplan::migrate_slots& m) { return m.source == k.ids[0][0]; }));
  CHECK(p.summary.keys_moved > 0);
  CHECK(p.summary.keys_moved < 10 * 1024);
}

namespace {

/// The masters of `drained` shards of a converged 4 x 1 world give their slots to the others by
/// hand, and then, as Redis does, they and their replicas follow another master (Redis picks
/// the one that took the last slot; here the master two shards on). Each pod has a host of its
/// own, so any node may follow any other.
rcplan::sim::world drained_by_hand(const std::vector<int>& drained) {
  rcplan::sim::world_options wo;
  wo.hosts.clear();
  for (const char h : std::string("abcdefgh")) wo.hosts.push_back({std::string("node-") + h, std::string("zone-") + h});
  auto w = converged_world(4, 1, std::move(wo));
  rcplan::rebalance_options o;
  for (const int s : drained) o.weights[*w.node_of(rcplan::pod_name("c", s, 0))] = 0;
  const auto rep = rcplan::testing::converge(w, [&](const rcplan::topology& t) { return rcplan::plan_rebalance(t, o); });
  REQUIRE(rep.converged);
  for (const int s : drained)
    for (int ordinal = 0; ordinal < 2; ++ordinal)
      REQUIRE_FALSE(w.apply(rcplan::replicate{*w.node_of(rcplan::pod_name("c", s, ordinal)),
                                              *w.node_of(rcplan::pod_name("c", (s + 2) % 4, 0))}));
  return w;
}

/// The loop converged, broke no invariant and kept every key; the trace says how when not.
void check_converged_safely(const rcplan::testing::converge_report& rep) {
  std::string trace;
  for (const auto& l : rep.trace) trace += l + "\n";
  INFO(trace);
  CHECK(rep.converged);
  CHECK_FALSE(rep.violation);
  CHECK(rep.keys_after == rep.keys_before);
}

/// Masters holding slots that no live replica follows.
std::string masters_alone(const rcplan::topology& t) {
  std::string out;
  const auto nodes = rcplan::merged_nodes(t);
  for (const auto& m : nodes) {
    if (!m.is_master() || m.slots.empty() || m.failed()) continue;
    if (std::none_of(nodes.begin(), nodes.end(), [&](const auto& x) { return !x.is_master() && x.master_id == m.id && !x.failed(); }))
      out += rcplan::short_id(m.id) + " ";
  }
  return out;
}

}  // namespace

TEST_CASE("reconcile: a scale-down after masters were drained by hand converges, never leaving a master alone") {
  const auto r = resource("c", 2, 1);
  for (const std::vector<int>& drained : {std::vector<int>{2, 3}, std::vector<int>{0, 1}}) {
    INFO("drained by hand: shards " << drained[0] << " and " << drained[1]);
    auto w = drained_by_hand(drained);
    std::string alone;
    std::size_t resets = 0;
    const auto rep = rcplan::testing::converge(w, [&](const rcplan::topology& t) {
      alone += masters_alone(t);
      auto p = rcplan::reconcile(t, r);
      resets += actions<rcplan::reset>(p).size();
      return p;
    });
    check_converged_safely(rep);
    CHECK(alone == "");
    CHECK(resets > 0);  // the removed shards' nodes leave (and, when drained, shards 0 and 1 come back)
    const auto nodes = rcplan::merged_nodes(w.to_topology());
    for (int s = 0; s < 2; ++s) {
      const auto m = rcplan::find_node(nodes, *w.node_of(rcplan::pod_name("c", s, 0)));
      const auto x = rcplan::find_node(nodes, *w.node_of(rcplan::pod_name("c", s, 1)));
      REQUIRE(m != nullptr);
      REQUIRE(x != nullptr);
      // one of the shard's two pods serves it, the other follows that one
      CHECK(m->is_master() != x->is_master());
      CHECK((m->is_master() ? x->master_id == m->id : m->master_id == x->id));
    }
  }
}

TEST_CASE("reconcile: a shard without a master takes a replica only from a master that keeps another") {
  const auto r = resource("c", 2, 1);
  auto w = drained_by_hand({0, 1});
  auto t = w.to_topology();
  // shard 0's pods and shard 2's own replica follow shard 2's master: one of shard 0's leaves it
  auto p = rcplan::reconcile(t, r);
  auto resets = actions<rcplan::reset>(p);
  REQUIRE(resets.size() == 2);  // one for each shard without a master
  CHECK(resets[0].mode == rcplan::reset_mode::soft);
  CHECK(resets[0].node == *w.node_of("drc-c-0-0"));
  CHECK(resets[1].node == *w.node_of("drc-c-1-0"));
  const auto meets = actions<rcplan::meet>(p);
  REQUIRE(meets.size() == 2);
  CHECK(meets[0].node == resets[0].node);
  CHECK(meets[0].via != meets[0].node);
  // shard 0's first pod is the last replica of shard 2's master: its second pod leaves instead
  const auto m3 = *w.node_of("drc-c-3-0");
  const auto follow = [](rcplan::topology& topo, const rcplan::node_id& who, const rcplan::node_id& master) {
    for (auto& v : topo.views)
      for (auto& n : v.nodes)
        if (n.id == who) n.master_id = master;
  };
  t = w.to_topology();
  follow(t, *w.node_of("drc-c-2-1"), m3);
  follow(t, *w.node_of("drc-c-0-1"), m3);
  p = rcplan::reconcile(t, r);
  resets = actions<rcplan::reset>(p);
  REQUIRE(resets.size() == 2);
  CHECK(resets[0].node == *w.node_of("drc-c-0-1"));
  // once that one is the shard's empty master, the first pod stays with shard 2's master until
  // the slot phase has given the shard slots
  {
    auto u = t;
    for (auto& v : u.views)
      for (auto& n : v.nodes)
        if (n.id == *w.node_of("drc-c-0-1")) n.flags = {}, n.flags.master = true, n.master_id.reset();
    p = rcplan::reconcile(u, r);
    for (const auto& x : actions<rcplan::replicate>(p)) CHECK(x.replica != *w.node_of("drc-c-0-0"));
    CHECK_FALSE(p.steps.empty());
  }
  // and when every pod of the shard is the last replica of its master, the plan waits and says so
  for (auto& v : t.views)
    for (auto& n : v.nodes)
      if (!n.is_master() && n.master_id == m3 && n.id != *w.node_of("drc-c-0-1")) n.master_id = *w.node_of("drc-c-1-0");
  for (auto& v : t.views)
    for (auto& n : v.nodes)
      if (n.id == *w.node_of("drc-c-1-0")) n.flags = {}, n.flags.master = true, n.master_id.reset();
  p = rcplan::reconcile(t, r);
  for (const auto& d : p.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  CHECK(actions<rcplan::reset>(p).empty());
  CHECK(p.status == plan_status::waiting);
  CHECK(std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                    [](const auto& d) { return d.code == rcplan::reconcile_code::shard_without_master; }));
}

// Regression (found by the converge property): a removed shard's replica whose FORGET reached
// only some tables left views disagreeing, and the slot phase waited on them for ever.
TEST_CASE("reconcile: a removed shard's replica forgotten by only some nodes is forgotten by all") {
  const auto r = resource("c", 1, 1);
  // the iteration whose first wave forgets a replica of the removed shard
  std::size_t at = 0;
  {
    auto w = converged_world(2, 1);
    const auto replica = *w.node_of("drc-c-1-1");
    std::size_t iteration = 0;
    const auto rep = rcplan::testing::converge(w, [&](const rcplan::topology& t) {
      auto p = rcplan::reconcile(t, r);
      for (const auto& st : p.steps)
        if (const auto* f = std::get_if<rcplan::forget>(&st.action); f != nullptr && f->node == replica && at == 0)
          at = iteration;
      ++iteration;
      return p;
    });
    REQUIRE(rep.converged);
    REQUIRE(at > 0);
  }
  auto w = converged_world(2, 1);
  rcplan::testing::converge_options o;
  rcplan::testing::fault cut;
  cut.what = rcplan::testing::fault::kind::interrupt_wave;
  cut.at_iteration = at;
  cut.after_commands = 1;  // one node forgets it, the others still list it
  o.faults.push_back(cut);
  const auto rep = rcplan::testing::converge(w, [&](const rcplan::topology& t) { return rcplan::reconcile(t, r); }, o);
  check_converged_safely(rep);
}
