// The simulator refuses what it does not model: unknown commands and CLUSTER subcommands,
// wrong arities and malformed arguments are `unknown_command`, and every command `lower()`
// can emit is one it models.

#include <rcplan/plan/lower.hpp>
#include <rcplan/sim/cluster.hpp>
#include <rcplan/testing/gen_plan.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <variant>
#include <vector>

namespace {

using rcplan::redis_command;
using rcplan::slot_set;
namespace invariant = rcplan::sim::invariant;

struct two_masters {
  rcplan_test::topology_builder b;
  rcplan::node_id a, c;
  two_masters() {
    a = b.master(slot_set{{0, 8191}});
    c = b.master(slot_set{{8192, 16383}});
    b.keys(a, {{10, 5}});
  }
  [[nodiscard]] rcplan::sim::cluster sim() const { return rcplan::sim::cluster::from_topology(b.build()); }
};

/// The invariant `argv` sent to `on` breaks, or "" when it runs cleanly.
std::string outcome(rcplan::sim::cluster& sim, const rcplan::node_id& on, std::vector<std::string> argv) {
  const auto v = sim.apply(redis_command{on, std::move(argv)});
  return v ? v->invariant : std::string{};
}

}  // namespace

TEST_CASE("a misspelled or unmodelled command is unknown_command") {
  two_masters x;
  auto sim = x.sim();
  CHECK(outcome(sim, x.a, {"CLUSTR", "SETSLOT", "10", "STABLE"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"SET", "k", "v"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CONFIG", "GET", "maxmemory"}) == invariant::unknown_command);
  // keys move only through move_keys, whose loop the simulator models as a whole
  CHECK(outcome(sim, x.a, {"MIGRATE", "127.0.0.1", "7001", "", "0", "1000", "KEYS", "k"}) ==
        invariant::unknown_command);
  CHECK(outcome(sim, x.a, {}) == invariant::unknown_command);
}

TEST_CASE("an unknown CLUSTER subcommand is unknown_command") {
  two_masters x;
  auto sim = x.sim();
  CHECK(outcome(sim, x.a, {"CLUSTER", "SETSLOTS", "10", "NODE", x.c.value}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "ADDSLOTS", "10"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "SETSLOT", "10", "MOVING", x.c.value}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "FAILOVER", "GENTLY"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "RESET", "MEDIUM"}) == invariant::unknown_command);
}

TEST_CASE("a known command with the wrong number of arguments is unknown_command") {
  two_masters x;
  auto sim = x.sim();
  const std::vector<std::vector<std::string>> wrong = {
      {"CLUSTER", "SETSLOT", "10", "IMPORTING"},
      {"CLUSTER", "SETSLOT", "10", "STABLE", x.c.value},
      {"CLUSTER", "SETSLOT", "10"},
      {"CLUSTER", "MEET", "127.0.0.1"},
      {"CLUSTER", "MEET", "127.0.0.1", "7001", "17001", "extra"},
      {"CLUSTER", "ADDSLOTSRANGE", "0"},
      {"CLUSTER", "ADDSLOTSRANGE", "0", "1", "5"},
      {"CLUSTER", "REPLICATE"},
      {"CLUSTER", "REPLICATE", x.c.value, "extra"},
      {"CLUSTER", "FAILOVER", "FORCE", "TAKEOVER"},
      {"CLUSTER", "FORGET"},
      {"CLUSTER", "SET-CONFIG-EPOCH"},
      {"CLUSTER", "RESET", "HARD", "NOW"},
      {"CONFIG", "SET", "maxmemory"},
      {"CONFIG", "SET", "maxmemory", "1gb", "maxmemory-policy"},
  };
  for (const auto& argv : wrong) {
    INFO(argv.size() << " arguments, " << argv[1]);
    CHECK(outcome(sim, x.a, argv) == invariant::unknown_command);
  }
}

TEST_CASE("a malformed number is unknown_command, not a crash") {
  two_masters x;
  auto sim = x.sim();
  CHECK(outcome(sim, x.a, {"CLUSTER", "SETSLOT", "16384", "STABLE"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "SETSLOT", "ten", "STABLE"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "SETSLOT", "-1", "STABLE"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "ADDSLOTSRANGE", "9", "3"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "SET-CONFIG-EPOCH", "1e3"}) == invariant::unknown_command);
  CHECK(outcome(sim, x.a, {"CLUSTER", "MEET", "127.0.0.1", "65536"}) == invariant::unknown_command);
}

TEST_CASE("an unknown command changes nothing and is reported with its node and reason") {
  two_masters x;
  auto sim = x.sim();
  const auto v = sim.apply(redis_command{x.a, {"CLUSTER", "SETSLOTS", "10", "NODE", x.c.value}});
  REQUIRE(v);
  CHECK(v->detail.find("SETSLOTS") != std::string::npos);
  CHECK(v->detail.find(rcplan::short_id(x.a)) != std::string::npos);
  CHECK(sim.owner(10) == x.a);
  CHECK(sim.find(x.a)->keys.at(10) == 5);
  CHECK_FALSE(sim.check_all());
}

TEST_CASE("the shape of a command is checked before where it is sent") {
  two_masters x;
  auto sim = x.sim();
  const rcplan::node_id nobody{std::string(40, 'f')};
  CHECK(outcome(sim, nobody, {"CLUSTER", "NOPE"}) == invariant::unknown_command);
  CHECK(outcome(sim, nobody, {"CLUSTER", "SETSLOT", "10", "STABLE"}) == invariant::unknown_node);
}

TEST_CASE("command names and keywords are matched without regard to case, as Redis does") {
  two_masters x;
  auto sim = x.sim();
  CHECK(outcome(sim, x.c, {"cluster", "setslot", "10", "importing", x.a.value}).empty());
  CHECK(outcome(sim, x.a, {"Cluster", "SetSlot", "10", "Migrating", x.c.value}).empty());
  CHECK(sim.find(x.a)->migrating.at(10) == x.c);
  CHECK(outcome(sim, x.a, {"config", "set", "maxmemory", "1gb"}).empty());
}

TEST_CASE("every known command with its accepted arities runs") {
  rcplan_test::topology_builder b;
  const auto m0 = b.master(slot_set{{0, 8191}});
  const auto m1 = b.master(slot_set{{8192, 16383}});
  const auto r1 = b.replica(m1);
  auto sim = rcplan::sim::cluster::from_topology(b.build());
  sim.add_node(rcplan_test::make_id(9), {"127.0.0.1", 7009, 17009, ""});
  const auto fresh = rcplan_test::make_id(9);
  CHECK(outcome(sim, m0, {"CLUSTER", "MEET", "127.0.0.1", "7009"}).empty());
  CHECK(outcome(sim, m0, {"CLUSTER", "MEET", "127.0.0.1", "7009", "17009"}).empty());
  CHECK(sim.find(fresh)->known.count(m1) == 1);
  CHECK(outcome(sim, fresh, {"CLUSTER", "SET-CONFIG-EPOCH", "7"}).empty());
  CHECK(sim.find(fresh)->config_epoch == 7);
  CHECK(outcome(sim, fresh, {"CLUSTER", "RESET"}).empty());
  CHECK(sim.find(fresh)->known.empty());
  CHECK(outcome(sim, fresh, {"CLUSTER", "RESET", "HARD"}).empty());
  CHECK(sim.find(fresh)->config_epoch == 0);
  CHECK(outcome(sim, m0, {"CLUSTER", "FORGET", fresh.value}).empty());
  CHECK(outcome(sim, r1, {"CLUSTER", "FAILOVER"}).empty());
  CHECK(sim.owner(8192) == r1);
  CHECK(outcome(sim, m1, {"CLUSTER", "FAILOVER", "FORCE"}).empty());
  CHECK(outcome(sim, r1, {"CLUSTER", "FAILOVER", "TAKEOVER"}).empty());
  CHECK(outcome(sim, m0, {"CONFIG", "SET", "maxmemory", "1gb"}).empty());
}

TEST_CASE("every command lower() emits for a generated plan is one the simulator models") {
  rc::prop("no unknown_command", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    const rcplan::plan p = *rcplan::testing::gen_plan();
    auto sim = rcplan::sim::cluster::from_topology(t);
    rcplan::lower_context ctx;
    ctx.nodes = sim.node_list();  // FORGET and step 6 of a migration need other nodes
    ctx.password = *rc::gen::arbitrary<bool>();
    ctx.notify_other_masters = *rc::gen::arbitrary<bool>();
    std::size_t commands = 0;
    for (const rcplan::step& st : p.steps)
      for (const rcplan::lowered_command& c : rcplan::lower(st.action, ctx)) {
        if (!std::holds_alternative<redis_command>(c)) continue;
        ++commands;
        const auto v = sim.apply(c);
        if (v && v->invariant == invariant::unknown_command) RC_FAIL(v->detail);
      }
    RC_CLASSIFY(commands > 0);
  });
}
