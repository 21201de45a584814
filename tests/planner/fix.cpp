// plan_fix(): plan_repair()'s steps plus keyless uncovered slots handed to the emptiest
// healthy masters; has_broken_slots(): when a fix (or a rebalance) needs key counts.

#include <rcplan/planner/fix.hpp>

#include "support/example_dumps.hpp"
#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

using rcplan_test::example_dump;

namespace {

/// healthy.nodes with `gone` owned by nobody and every master observed with no keys.
rcplan::topology uncovered_without_keys(const rcplan::slot_set& gone) {
  rcplan::topology t = example_dump("healthy.nodes");
  for (rcplan::cluster_node& n : t.views.front().nodes) {
    n.slots = n.slots - gone;
    if (!n.is_master()) continue;
    rcplan::node_observation o;
    o.id = n.id;
    o.addr = n.addr;
    o.keys_per_slot.emplace();  // observed: no keys anywhere
    t.observations.push_back(o);
  }
  return t;
}

std::map<rcplan::node_id, rcplan::slot_set> given_slots(const rcplan::plan& p) {
  std::map<rcplan::node_id, rcplan::slot_set> out;
  for (const rcplan::step& s : p.steps) {
    const auto* a = std::get_if<rcplan::add_slots>(&s.action);
    REQUIRE(a != nullptr);
    CHECK((out[a->node] & a->slots).empty());
    out[a->node] |= a->slots;
  }
  return out;
}

}  // namespace

TEST_CASE("plan_fix: empty for a healthy cluster, add_slots for keyless uncovered slots, blocked without key counts",
          "[planner][fix]") {
  using namespace rcplan;
  CHECK(plan_fix(example_dump("healthy.nodes")).status == plan_status::converged);
  CHECK(plan_fix(example_dump("healthy.nodes")).steps.empty());

  const plan p = plan_fix(uncovered_without_keys(slot_set{slot_range{0, 99}}));
  CHECK(p.status == plan_status::actions_planned);
  const auto given = given_slots(p);
  // the master that lost them (5361 left) takes them all: it holds the fewest slots
  REQUIRE(given.size() == 1);
  CHECK(given.begin()->first.value == "755275f2e0dbd82b5ec6c1d6c20f5b3a04dbf082");
  CHECK(given.begin()->second == slot_set{slot_range{0, 99}});

  topology unknown = uncovered_without_keys(slot_set{slot_range{0, 99}});
  unknown.observations.clear();  // key counts not observed: a keyless slot cannot be proven keyless
  CHECK(plan_fix(unknown).status == plan_status::blocked);
}

TEST_CASE("plan_fix: free slots leave the masters as even as they allow, in runs", "[planner][fix]") {
  using namespace rcplan;
  slot_set gone{slot_range{0, 99}};
  gone |= slot_set{slot_range{5461, 5560}};
  const topology t = uncovered_without_keys(gone);
  const plan p = plan_fix(t);
  REQUIRE(p.status == plan_status::actions_planned);
  const auto given = given_slots(p);
  slot_set all;
  for (const auto& [id, slots] : given) all |= slots;
  CHECK(all == gone);

  std::vector<std::size_t> held;
  for (const cluster_node& n : merged_nodes(t))
    if (n.is_master()) {
      const auto it = given.find(n.id);
      held.push_back(n.slots.count() + (it == given.end() ? 0 : it->second.count()));
    }
  REQUIRE(held.size() == 3);
  CHECK(*std::max_element(held.begin(), held.end()) - *std::min_element(held.begin(), held.end()) <= 1);

  // in slot order: the emptiest master (5361) takes up to its quota of 5462, the next the rest
  slot_set first{slot_range{0, 99}};
  first.insert(5461);
  CHECK(given.at(node_id{"755275f2e0dbd82b5ec6c1d6c20f5b3a04dbf082"}) == first);
  CHECK(given.at(node_id{"346c30a1f1aba49e490164b598282c3b252ff154"}) == slot_set{slot_range{5462, 5560}});
  CHECK(plan_fix(t).steps == p.steps);  // deterministic
}

TEST_CASE("plan_fix: keyless uncovered slots and no healthy master to take them", "[planner][fix]") {
  using namespace rcplan;
  topology t = uncovered_without_keys(slot_set{slot_range{0, 99}});
  for (cluster_node& n : t.views.front().nodes)
    if (n.is_master()) n.flags.fail = true;
  const plan p = plan_fix(t);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.steps.empty());
  const bool no_master = std::any_of(p.diagnostics.begin(), p.diagnostics.end(),
                                     [](const diagnostic& d) { return d.code == fix_code::no_master; });
  CHECK(no_master);
  CHECK(std::string{fix_code::no_master} == "fix.no_master");
}

TEST_CASE("has_broken_slots: open, uncovered and contested slots", "[planner][fix]") {
  using namespace rcplan;
  CHECK_FALSE(has_broken_slots(merged_nodes(example_dump("healthy.nodes"))));
  CHECK(has_broken_slots(merged_nodes(example_dump("importing.nodes"))));
  CHECK(has_broken_slots(merged_nodes(example_dump("degraded.nodes"))));
  CHECK(has_broken_slots(merged_nodes(example_dump("contested.nodes"))));
  CHECK(has_broken_slots(merged_nodes(uncovered_without_keys(slot_set{slot_range{7, 7}}))));
}

TEST_CASE("plan_fix: a repair that needs a master that is down waits for its failover, or is blocked without a replica",
          "[planner][fix]") {
  rcplan_test::topology_builder b;
  const auto sets = rcplan_test::contiguous(3);
  const auto a = b.master(sets[0]);
  const auto c = b.master(sets[1]);
  b.master(sets[2]);
  // slot 100 half moved from a to c, then a died
  b.node(a).open_slots.push_back({100, rcplan::open_slot::direction::migrating, c});
  b.node(c).open_slots.push_back({100, rcplan::open_slot::direction::importing, a});
  b.all_keys_known();
  b.keys(c, {{100, 3}});
  const rcplan::plan healthy = rcplan::plan_fix(b.build());
  REQUIRE(healthy.status == rcplan::plan_status::actions_planned);  // the migration is finished
  b.node(a).flags.fail = true;
  const rcplan::plan dead = rcplan::plan_fix(b.build());
  CHECK(dead.status == rcplan::plan_status::blocked);
  CHECK(dead.steps.empty());
  CHECK(std::any_of(dead.diagnostics.begin(), dead.diagnostics.end(), [&](const rcplan::diagnostic& d) {
    return d.code == rcplan::rebalance_code::failed_master_no_replica && d.subject == a.value;
  }));
  b.replica(a);
  const rcplan::plan waiting = rcplan::plan_fix(b.build());
  CHECK(waiting.status == rcplan::plan_status::waiting);
  CHECK(std::any_of(waiting.diagnostics.begin(), waiting.diagnostics.end(),
                    [](const rcplan::diagnostic& d) { return d.code == rcplan::rebalance_code::failover_pending; }));
}
