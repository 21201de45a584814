#include "support/topology_builder.hpp"

#include <rcplan/json/kube_objects.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/testing/gen_plan.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

namespace {

using rcplan_test::contiguous;
using rcplan_test::topology_builder;

rcplan::cluster_resource resource(int masters, int replicas) {
  rcplan::cluster_resource r;
  r.metadata.name = "c";
  r.spec.image = "redis:7.0";
  r.spec.master_size = masters;
  r.spec.cluster_replicas = replicas;
  return r;
}

/// Shards of one master (ordinal 0) and `replicas` replicas, with their pods and StatefulSets,
/// whose templates match `r`.
struct cluster {
  topology_builder b;
  std::vector<std::vector<rcplan::node_id>> ids;
  std::vector<rcplan::pod> pods;
  std::vector<rcplan::statefulset> sets;

  cluster(const rcplan::cluster_resource& r, std::vector<rcplan::slot_set> slots, int replicas) {
    const auto desired = rcplan::desired_objects(r);
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const int shard = static_cast<int>(i);
      ids.push_back({b.master(slots[i])});
      for (int k = 0; k < replicas; ++k) ids.back().push_back(b.replica(ids.back().front()));
      rcplan::statefulset s;
      s.name = rcplan::statefulset_name("c", shard);
      s.shard_index = shard;
      s.replicas = replicas + 1;
      s.ready_replicas = replicas + 1;
      s.current_revision = s.update_revision = "rev1";
      if (i < desired.statefulsets.size()) {
        s.image = desired.statefulsets[i].image;
        s.config_hash = rcplan::template_config_hash(desired.statefulsets[i]);
      }
      sets.push_back(s);
    }
  }

  rcplan::topology build() {
    rcplan::topology t = b.build();
    t.statefulsets = sets;
    t.pods.clear();
    for (std::size_t i = 0; i < ids.size(); ++i)
      for (std::size_t o = 0; o < ids[i].size(); ++o) {
        const auto& n = b.node(ids[i][o]);
        rcplan::pod p;
        p.shard_index = static_cast<int>(i);
        p.ordinal = static_cast<int>(o);
        p.name = rcplan::pod_name("c", p.shard_index, p.ordinal);
        p.kube_node = "host-" + std::to_string(i) + "-" + std::to_string(o);
        p.ip = n.addr.host;
        p.port = n.addr.port;
        p.ready = true;
        p.revision = "rev1";
        t.pods.push_back(p);
      }
    return t;
  }
};

rcplan::plan converged() { return {}; }

rcplan::plan with(rcplan::action a, rcplan::plan_status st = rcplan::plan_status::actions_planned) {
  rcplan::plan p;
  p.status = st;
  p.steps.push_back({0, "r", std::move(a)});
  return p;
}

}  // namespace

TEST_CASE("a sound, converged cluster is Healthy, with nodes from the shard layout") {
  const auto r = resource(3, 1);
  cluster c(r, contiguous(3), 1);
  const auto s = rcplan::compute_status(c.build(), r, converged());
  CHECK(s.status == "Healthy");
  CHECK(s.reason.empty());
  CHECK(s.number_of_master == 3);
  CHECK(s.min_replication_factor == 1);
  CHECK(s.max_replication_factor == 1);
  REQUIRE(s.nodes.size() == 6);
  CHECK(s.nodes[0].pod_name == "drc-c-0-0");
  CHECK(s.nodes[0].role == "Master");
  CHECK(s.nodes[0].slots == "0-5460");
  CHECK(s.nodes[0].statefulset == "drc-c-0");
  CHECK(s.nodes[0].node_name == "host-0-0");
  CHECK(s.nodes[0].port == "7000");
  CHECK(s.nodes[1].pod_name == "drc-c-0-1");
  CHECK(s.nodes[1].role == "Slave");
  CHECK(s.nodes[1].slots.empty());
  CHECK(s.nodes[1].master_ref == s.nodes[0].id);
  CHECK(s.nodes[5].pod_name == "drc-c-2-1");
}

TEST_CASE("slots are written as the original writes them") {
  CHECK(rcplan::slots_text({}) == "");
  CHECK(rcplan::slots_text({{0, 5460}, {5462, 5462}, {10000, 16383}}) == "0-5460,5462,10000-16383");
}

TEST_CASE("status values for the phases of a cluster's life") {
  const auto r = resource(3, 1);

  SECTION("Creating: no slots yet") {
    cluster c(r, {{}, {}, {}}, 1);
    const auto s = rcplan::compute_status(c.build(), r, with(rcplan::add_slots{c.ids[0][0], {{0, 5460}}}));
    CHECK(s.status == "Creating");
    CHECK(s.number_of_master == 0);
  }
  SECTION("Scaling: fewer masters than the spec") {
    cluster c(r, contiguous(2), 1);
    CHECK(rcplan::compute_status(c.build(), r, converged()).status == "Scaling");
  }
  SECTION("Scaling: a StatefulSet with the wrong pod count") {
    cluster c(r, contiguous(3), 1);
    c.sets[1].replicas = 3;
    const auto s = rcplan::compute_status(c.build(), r, with(rcplan::scale_statefulset{"drc-c-1", 2}));
    CHECK(s.status == "Scaling");
    CHECK(s.reason.find("drc-c-1") != std::string::npos);
  }
  SECTION("Scaling: replicas missing") {
    cluster c(r, contiguous(3), 0);
    c.sets[0].replicas = c.sets[1].replicas = c.sets[2].replicas = 2;
    const auto s = rcplan::compute_status(c.build(), r, converged());
    CHECK(s.status == "Scaling");
    CHECK(s.min_replication_factor == 0);
  }
  SECTION("Rebalancing: the plan moves slots") {
    cluster c(r, contiguous(3), 1);
    const auto s = rcplan::compute_status(c.build(), r,
                                          with(rcplan::migrate_slots{c.ids[0][0], c.ids[1][0], {{0, 10}}}));
    CHECK(s.status == "Rebalancing");
  }
  SECTION("RollingUpdate: an outdated template") {
    auto newer = r;
    newer.spec.image = "redis:7.2";
    cluster c(r, contiguous(3), 1);
    CHECK(rcplan::compute_status(c.build(), newer, converged()).status == "RollingUpdate");
  }
  SECTION("RollingUpdate: a pod on an old revision") {
    cluster c(r, contiguous(3), 1);
    auto t = c.build();
    for (auto& s : t.statefulsets) s.update_revision = "rev2";
    t.pods[3].revision = "rev2";
    const auto s = rcplan::compute_status(t, r, with(rcplan::delete_pod{"drc-c-0-0"}));
    CHECK(s.status == "RollingUpdate");
  }
  SECTION("ResetPassword") {
    cluster c(r, contiguous(3), 1);
    const auto s = rcplan::compute_status(
        c.build(), r, with(rcplan::config_set{c.ids[0][0], "requirepass", std::string(rcplan::secret_placeholder), true}));
    CHECK(s.status == "ResetPassword");
  }
  SECTION("Failed: the plan is blocked") {
    cluster c(r, contiguous(3), 1);
    rcplan::plan p;
    p.status = rcplan::plan_status::blocked;
    p.diagnostics.push_back({rcplan::severity::error, "slots.contested", "", "two masters claim slot 7"});
    const auto s = rcplan::compute_status(c.build(), r, p);
    CHECK(s.status == "Failed");
    CHECK(s.reason == "slots.contested: two masters claim slot 7");
  }
  SECTION("Failed: a master down with no replica left") {
    cluster c(r, contiguous(3), 0);
    c.sets[0].replicas = c.sets[1].replicas = c.sets[2].replicas = 2;
    c.b.node(c.ids[2][0]).flags.fail = true;
    const auto s = rcplan::compute_status(c.build(), r, converged());
    CHECK(s.status == "Failed");
    CHECK(s.reason.find(c.ids[2][0].value) != std::string::npos);
  }
  SECTION("a master down with a healthy replica is not Failed") {
    cluster c(r, contiguous(3), 1);
    c.b.node(c.ids[2][0]).flags.fail = true;
    const auto s = rcplan::compute_status(c.build(), r, with(rcplan::failover{c.ids[2][1], rcplan::failover_mode::force}));
    CHECK(s.status != "Failed");
  }
}

TEST_CASE("a plan that waits is never Healthy: it names the stage that waits and why") {
  const auto r = resource(3, 1);
  SECTION("a balanced cluster whose views disagree: the slot planner waits for gossip") {
    cluster c(r, contiguous(3), 1);
    c.b.all_keys_known();
    rcplan::topology t = c.build();
    // the second master has not heard yet that the first one claimed slot 0 (gossip lags)
    rcplan::cluster_view v = t.views.front();
    v.observer = c.ids[1][0];
    for (auto& n : v.nodes) {
      n.flags.myself = n.id == v.observer;
      if (n.id == c.ids[0][0]) n.slots -= rcplan::slot_set{{0, 0}};
    }
    t.views.push_back(v);
    const rcplan::plan p = rcplan::reconcile(t, r);
    INFO((p.diagnostics.empty() ? std::string{} : p.diagnostics.front().code));
    REQUIRE(p.status == rcplan::plan_status::waiting);
    const auto s = rcplan::compute_status(t, r, p);
    CHECK(s.status == "Rebalancing");
    CHECK_FALSE(s.reason.empty());
  }
  SECTION("every waiting plan, whatever it waits for") {
    cluster c(r, contiguous(3), 1);
    const rcplan::topology t = c.build();
    rcplan::plan p;
    p.status = rcplan::plan_status::waiting;
    p.diagnostics.push_back({rcplan::severity::info, rcplan::reconcile_code::waiting_for_nodes, "", "pods start"});
    CHECK(rcplan::compute_status(t, r, p).status == "Scaling");
    CHECK(rcplan::compute_status(t, r, p).reason == "pods start");
    p.diagnostics.front().code = rcplan::reconcile_code::waiting_for_synced_replica;
    CHECK(rcplan::compute_status(t, r, p).status == "RollingUpdate");
    p.diagnostics.front().code = rcplan::rebalance_code::failover_settling;
    CHECK(rcplan::compute_status(t, r, p).status == "Rebalancing");
    p.diagnostics.clear();
    p.steps.push_back({0, "let gossip settle", rcplan::wait_until{rcplan::wait_condition::views_agree, "", 0}});
    CHECK(rcplan::compute_status(t, r, p).status == "Rebalancing");
    CHECK(rcplan::compute_status(t, r, p).reason == "let gossip settle");
  }
}

TEST_CASE("status JSON is the resource's camelCase shape and round trips") {
  const auto r = resource(3, 1);
  cluster c(r, contiguous(3), 1);
  const auto s = rcplan::compute_status(c.build(), r, converged());
  const nlohmann::ordered_json j = s;
  CHECK(j.at("numberOfMaster") == 3);
  CHECK(j.at("minReplicationFactor") == 1);
  CHECK(j.at("nodes").at(1).at("masterRef") == s.nodes[0].id);
  CHECK(j.at("nodes").at(1).at("podName") == "drc-c-0-1");
  CHECK(j.at("nodes").at(1).at("nodeName") == "host-0-1");
  CHECK(j.at("nodes").at(1).at("statefulSet") == "drc-c-0");
  CHECK(nlohmann::json::parse(j.dump()).get<rcplan::cluster_status>() == s);

  rc::prop("generated statuses", [] {
    const auto st = *rcplan::testing::gen_cluster_status();
    const std::string text = nlohmann::ordered_json(st).dump();
    RC_ASSERT(nlohmann::json::parse(text).get<rcplan::cluster_status>() == st);
  });
}
