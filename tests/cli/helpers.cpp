// The CLI's pure helpers, tested directly: check findings, the fix plan, progress text and
// secret redaction.

#include "cli/run_cli.hpp"

#include <check_findings.hpp>
#include <fix_plan.hpp>
#include <progress.hpp>
#include <redact.hpp>

#include <rcplan/parse/cluster_nodes.hpp>

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <variant>

using rcplan_test::example_data;
using rcplan_test::read_file;

namespace {

rcplan::topology dump(const char* name) { return rcplan::topology_from_cluster_nodes(read_file(example_data(name))); }

std::vector<std::string> codes(const std::vector<rcplan::cli::finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) out.push_back(f.code);
  return out;
}

/// healthy.nodes with slots 0-99 owned by nobody and every master observed with no keys.
rcplan::topology uncovered_without_keys() {
  rcplan::topology t = dump("healthy.nodes");
  for (rcplan::cluster_node& n : t.views.front().nodes) {
    n.slots.erase(rcplan::slot_range{0, 99});
    if (!n.is_master()) continue;
    rcplan::node_observation o;
    o.id = n.id;
    o.addr = n.addr;
    o.keys_per_slot.emplace();  // observed: no keys anywhere
    t.observations.push_back(o);
  }
  return t;
}

}  // namespace

TEST_CASE("check_topology: findings with codes, none for a healthy cluster") {
  using namespace rcplan::cli;
  CHECK(check_topology(dump("healthy.nodes")).empty());

  const auto degraded = check_topology(dump("degraded.nodes"));
  CHECK(codes(degraded) == std::vector<std::string>{"uncovered_slots", "node_failed", "node_failed"});
  CHECK(degraded.front().subject == "0-49");

  const auto importing = check_topology(dump("importing.nodes"));
  REQUIRE(!importing.empty());
  CHECK(importing.front().code == "open_slot");
  CHECK(importing.front().subject == "100");

  CHECK(codes(check_topology(dump("contested.nodes"))).front() == "contested_slots");

  rcplan::topology unreachable = dump("healthy.nodes");
  rcplan::node_observation gone;
  gone.id = rcplan::node_id{"4f2d0bb8d15a0c24f5e7f9d6c4699c902359a417"};
  gone.addr = {"127.0.0.1", 7103, 17103, {}};
  gone.reachable = false;
  gone.error = "connection refused";
  unreachable.observations.push_back(gone);
  const auto down = check_topology(unreachable);
  REQUIRE(down.size() == 1);
  CHECK(down.front().code == "node_unreachable");
  CHECK(down.front().message == "4f2d0bb8 (127.0.0.1:7103) cannot be reached: connection refused");
}

TEST_CASE("plan_fix: empty for a healthy cluster, add_slots for keyless uncovered slots, blocked without key counts") {
  using namespace rcplan;
  CHECK(cli::plan_fix(dump("healthy.nodes")).status == plan_status::converged);

  const plan p = cli::plan_fix(uncovered_without_keys());
  CHECK(p.status == plan_status::actions_planned);
  slot_set given;
  for (const step& s : p.steps) {
    const auto* a = std::get_if<add_slots>(&s.action);
    REQUIRE(a != nullptr);
    CHECK((given & a->slots).empty());
    given |= a->slots;
  }
  CHECK(given == slot_set{slot_range{0, 99}});
  // the master that lost them (5361 left) takes them all: it holds the fewest slots
  REQUIRE(p.steps.size() == 1);
  CHECK(std::get<add_slots>(p.steps.front().action).node.value == "755275f2e0dbd82b5ec6c1d6c20f5b3a04dbf082");

  topology unknown = uncovered_without_keys();
  unknown.observations.clear();  // key counts not observed: a keyless slot cannot be proven keyless
  CHECK(cli::plan_fix(unknown).status == plan_status::blocked);
}

TEST_CASE("progress: waves, lines and bar") {
  using namespace rcplan;
  plan p;
  p.steps.push_back({0, "a", migrate_slots{node_id{"a"}, node_id{"b"}, slot_set{slot_range{0, 99}}}});
  p.steps.push_back({0, "b", migrate_slots{node_id{"c"}, node_id{"d"}, slot_set{slot_range{100, 299}}}});
  p.steps.push_back({1, "c", wait_until{wait_condition::views_agree, "", 0}});
  const auto waves = cli::waves_of(p);
  REQUIRE(waves.size() == 2);
  CHECK(cli::progress_line(waves[0], 0, 2) == "wave 1/2: 0/300 slots, 0/2 steps");
  CHECK(cli::progress_line(waves[1], 1, 2) == "wave 2/2: 0/1 step");
  CHECK(cli::progress_bar(5, 10, 10) == "[#####-----]  50%");
  CHECK(cli::progress_bar(0, 0, 4) == "[####] 100%");

  std::ostringstream out;
  cli::progress_reporter r(out, false);
  r.start(p);
  using k = redis::progress_event::kind;
  r.on_event({k::wave_started, 0, 0, 0, 2, {}});
  r.on_event({k::slots_done, 0, 1, 120, 200, {}});
  r.on_event({k::step_done, 0, 0, 0, 0, {}});
  r.on_event({k::step_done, 0, 1, 0, 0, {}});
  r.finish();
  CHECK(out.str() == "wave 1/2: 0/300 slots, 0/2 steps\nwave 1/2: 220/300 slots, 1/2 steps\n"
                     "wave 1/2: 300/300 slots, 2/2 steps\n");
}

TEST_CASE("redact hides remembered secrets") {
  rcplan::cli::remember_secret("hunter2");
  rcplan::cli::remember_secret("");
  CHECK(rcplan::cli::redact("AUTH hunter2 failed; hunter2hunter2") == "AUTH *** failed; ******");
  CHECK(rcplan::cli::redact("nothing secret") == "nothing secret");
}
