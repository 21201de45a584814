// summarize(): a topology at a glance, as `rcplan inspect` shows it.

#include <rcplan/planner/summary.hpp>

#include "support/example_dumps.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

using rcplan_test::example_dump;

namespace {

std::vector<std::string> ids(const std::vector<rcplan::cluster_node>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes) out.push_back(rcplan::short_id(n.id));
  return out;
}

std::vector<std::string> master_ids(const rcplan::topology_summary& s) {
  std::vector<std::string> out;
  for (const auto& m : s.masters) out.push_back(rcplan::short_id(m.node.id));
  return out;
}

}  // namespace

TEST_CASE("summarize: a healthy cluster", "[planner][summary]") {
  using namespace rcplan;
  const topology_summary s = summarize(example_dump("healthy.nodes"));
  REQUIRE(s.observers.size() == 1);
  CHECK(short_id(s.observers.front()) == "755275f2");
  CHECK(s.nodes.size() == 6);
  // by lowest slot, not by id or by the order Redis printed them
  CHECK(master_ids(s) == std::vector<std::string>{"755275f2", "346c30a1", "4f2d0bb8"});
  for (const master_summary& m : s.masters) {
    REQUIRE(m.replicas.size() == 1);
    CHECK(m.replicas.front().master_id == m.node.id);
  }
  CHECK(s.replica_count == 3);
  CHECK(s.handshake_count == 0);
  CHECK(s.orphan_replicas.empty());
  CHECK(s.open_slots.empty());
  CHECK(s.problem_nodes.empty());
  CHECK(s.coverage.covered == slot_count);
  CHECK(s.coverage.uncovered.empty());
  CHECK(s.coverage.contested.empty());
  CHECK(s.coverage.on_failed_masters.empty());
}

TEST_CASE("summarize: contested slots, an open slot and problem nodes", "[planner][summary]") {
  using namespace rcplan;
  const topology_summary s = summarize(example_dump("contested.nodes"));
  // the node in handshake is not a master yet; the one without address and slots comes last
  CHECK(master_ids(s) == std::vector<std::string>{"755275f2", "346c30a1", "4f2d0bb8", "9f86d081"});
  CHECK(s.handshake_count == 1);
  CHECK(ids(s.problem_nodes) == std::vector<std::string>{"88d531eb", "9f86d081", "e3b0c442"});
  CHECK(s.coverage.contested == slot_set{slot_range{5400, 5460}});
  REQUIRE(s.coverage.contested_by.size() == 2);
  CHECK(short_id(s.coverage.contested_by[0].first) == "346c30a1");
  CHECK(short_id(s.coverage.contested_by[1].first) == "755275f2");
  CHECK(s.coverage.contested_by[0].second == s.coverage.contested);
  REQUIRE(s.open_slots.size() == 1);
  CHECK(s.open_slots.front().slot.number == 16383);
  CHECK(short_id(s.open_slots.front().node) == "755275f2");
}

TEST_CASE("summarize: failed masters and orphan replicas", "[planner][summary]") {
  using namespace rcplan;
  const topology_summary degraded = summarize(example_dump("degraded.nodes"));
  CHECK(degraded.coverage.uncovered == slot_set{slot_range{0, 49}});
  CHECK(degraded.coverage.covered == slot_count - 50);
  CHECK(degraded.coverage.on_failed_masters == slot_set{slot_range{10923, 16383}});
  CHECK(ids(degraded.problem_nodes) == std::vector<std::string>{"2200385f", "4f2d0bb8"});

  topology t = example_dump("healthy.nodes");
  std::erase_if(t.views.front().nodes, [](const cluster_node& n) { return short_id(n.id) == "4f2d0bb8"; });
  const topology_summary orphaned = summarize(t);
  CHECK(ids(orphaned.orphan_replicas) == std::vector<std::string>{"2200385f"});
  CHECK(orphaned.replica_count == 3);
  CHECK(orphaned.masters.size() == 2);
}

TEST_CASE("problems: the flags that make a node a problem, in a fixed order", "[planner][summary]") {
  rcplan::node_flags f;
  CHECK(rcplan::problems(f).empty());
  f.noaddr = true;
  f.fail = true;
  f.pfail = true;
  f.handshake = true;
  CHECK(rcplan::problems(f) == std::vector<std::string_view>{"fail", "pfail", "handshake", "noaddr"});
  f.master = true;  // a role, not a problem
  CHECK(rcplan::problems(f).size() == 4);
}

TEST_CASE("summarize: a node reset on its way out is outside the cluster, not a master", "[planner][summary]") {
  using namespace rcplan;
  topology t = example_dump("healthy.nodes");
  // its own table lists only itself, and no member lists it
  cluster_view alone;
  cluster_node n;
  n.id = node_id{std::string(40, 'e')};
  n.addr = {"127.0.0.1", 7999, 17999, ""};
  n.flags.myself = true;
  n.flags.master = true;
  alone.observer = n.id;
  alone.nodes.push_back(n);
  t.views.push_back(alone);
  const topology_summary s = summarize(t);
  CHECK(s.masters.size() == 3);
  REQUIRE(s.outsiders.size() == 1);
  CHECK(s.outsiders.front().id == n.id);
  CHECK(s.replica_count == 3);
  // a single node on its own is a cluster of one
  topology one;
  one.views.push_back(alone);
  const topology_summary single = summarize(one);
  CHECK(single.masters.size() == 1);
  CHECK(single.outsiders.empty());
}
