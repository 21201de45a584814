// lower(): the exact Redis commands of each action, in order. A slot migration follows the
// documented live-resharding order of design §3, pinned here argv by argv.

#include <rcplan/plan/lower.hpp>
#include <rcplan/plan/plan.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>
#include <vector>

namespace {

using rcplan::lowered_command;
using rcplan::move_keys;
using rcplan::node_id;
using rcplan::redis_command;
using rcplan::slot_set;

const node_id S{std::string(40, 'a')};  // source
const node_id T{std::string(40, 'b')};  // target
const node_id O{std::string(40, 'c')};  // another master with slots
const node_id E{std::string(40, 'd')};  // a master without slots
const node_id F{std::string(40, 'e')};  // a failed master
const node_id R{std::string(40, 'f')};  // a replica of S

rcplan::cluster_node master(const node_id& id, std::uint16_t port, slot_set slots) {
  rcplan::cluster_node n;
  n.id = id;
  n.addr = {"10.0.0." + std::to_string(port - 6378), port, static_cast<std::uint16_t>(port + 10000), ""};
  n.flags.master = true;
  n.slots = slots;
  return n;
}

/// A cluster with every kind of node step 6 must tell apart, listed out of id order.
rcplan::lower_context context() {
  rcplan::lower_context c;
  rcplan::cluster_node f = master(F, 6383, slot_set{{600, 700}});
  f.flags.fail = true;
  rcplan::cluster_node r = master(R, 6384, {});
  r.flags.master = false;
  r.flags.replica = true;
  r.master_id = S;
  c.nodes = {master(O, 6381, slot_set{{400, 500}}), r, master(S, 6379, slot_set{{0, 100}}), f,
             master(T, 6380, slot_set{{200, 300}}), master(E, 6382, {})};
  return c;
}

/// "node: argv..." with ids by their letter, so a failure reads as the design's list.
std::string render(const lowered_command& lc) {
  static const std::map<node_id, std::string> names = {{S, "S"}, {T, "T"}, {O, "O"}, {E, "E"}, {F, "F"}, {R, "R"}};
  const auto name = [](const node_id& id) {
    const auto it = names.find(id);
    return it == names.end() ? id.value : it->second;
  };
  if (const auto* m = std::get_if<move_keys>(&lc))
    return name(m->source) + ": move_keys " + std::to_string(m->number) + " -> " + name(m->target) + " at " +
           m->target_host + ":" + std::to_string(m->target_port) + " batch " + std::to_string(m->batch) +
           " timeout " + std::to_string(m->timeout_ms) + (m->auth ? " auth" : "");
  const auto& c = std::get<redis_command>(lc);
  std::string out = name(c.node) + ":";
  for (const std::string& a : c.argv) out += " " + (names.count(node_id{a}) ? name(node_id{a}) : a);
  return out;
}

std::vector<std::string> lowered(const rcplan::action& a, const rcplan::lower_context& c = context()) {
  std::vector<std::string> out;
  for (const lowered_command& lc : rcplan::lower(a, c)) out.push_back(render(lc));
  return out;
}

}  // namespace

TEST_CASE("a slot migration lowers, slot by slot, in the documented live-resharding order") {
  const std::vector<std::string> want = {
      // 1. target IMPORTING, 2. source MIGRATING
      "T: CLUSTER SETSLOT 7 IMPORTING S",
      "S: CLUSTER SETSLOT 7 MIGRATING T",
      // 3. GETKEYSINSLOT + MIGRATE until empty, toward the target's address
      "S: move_keys 7 -> T at 10.0.0.2:6380 batch 1000 timeout 60000",
      // 4. the target first, 5. then the source
      "T: CLUSTER SETSLOT 7 NODE T",
      "S: CLUSTER SETSLOT 7 NODE T",
      // 6. the other masters that own slots and are not failed, in the context's order
      "O: CLUSTER SETSLOT 7 NODE T",
      "T: CLUSTER SETSLOT 8 IMPORTING S",
      "S: CLUSTER SETSLOT 8 MIGRATING T",
      "S: move_keys 8 -> T at 10.0.0.2:6380 batch 1000 timeout 60000",
      "T: CLUSTER SETSLOT 8 NODE T",
      "S: CLUSTER SETSLOT 8 NODE T",
      "O: CLUSTER SETSLOT 8 NODE T",
  };
  CHECK(lowered(rcplan::migrate_slots{S, T, slot_set{{7, 8}}}) == want);
}

TEST_CASE("step 6 of a migration can be left to gossip") {
  auto c = context();
  c.notify_other_masters = false;
  CHECK(lowered(rcplan::migrate_slots{S, T, slot_set{{7, 7}}}, c) ==
        std::vector<std::string>{"T: CLUSTER SETSLOT 7 IMPORTING S", "S: CLUSTER SETSLOT 7 MIGRATING T",
                                 "S: move_keys 7 -> T at 10.0.0.2:6380 batch 1000 timeout 60000",
                                 "T: CLUSTER SETSLOT 7 NODE T", "S: CLUSTER SETSLOT 7 NODE T"});
}

TEST_CASE("move_keys carries the context's batch, timeout and password need") {
  auto c = context();
  c.key_batch = 10;
  c.migrate_timeout_ms = 5000;
  c.password = true;
  const auto out = rcplan::lower(rcplan::migrate_slots{S, T, slot_set{{9, 9}}}, c);
  REQUIRE(out.size() == 6);
  CHECK(out[2] == lowered_command{move_keys{S, T, 9, "10.0.0.2", 6380, 10, 5000, true}});
  SECTION("a target missing from the context gets no address") {
    c.nodes.clear();
    const auto bare = rcplan::lower(rcplan::migrate_slots{S, T, slot_set{{9, 9}}}, c);
    REQUIRE(bare.size() == 5);
    CHECK(bare[2] == lowered_command{move_keys{S, T, 9, "", 0, 10, 5000, true}});
  }
}

TEST_CASE("each Redis action lowers to its exact argv") {
  SECTION("meet, with the bus port when known") {
    CHECK(lowered(rcplan::meet{E, {"10.0.0.9", 7000, 17000, ""}, S}) ==
          std::vector<std::string>{"S: CLUSTER MEET 10.0.0.9 7000 17000"});
    CHECK(lowered(rcplan::meet{E, {"10.0.0.9", 7000, 0, ""}, S}) ==
          std::vector<std::string>{"S: CLUSTER MEET 10.0.0.9 7000"});
  }
  SECTION("add_slots: one ADDSLOTSRANGE with every range, nothing for none") {
    CHECK(lowered(rcplan::add_slots{E, slot_set::from_ranges({{0, 5}, {7, 7}, {100, 16383}})}) ==
          std::vector<std::string>{"E: CLUSTER ADDSLOTSRANGE 0 5 7 7 100 16383"});
    CHECK(lowered(rcplan::add_slots{E, {}}).empty());
  }
  SECTION("set_config_epoch") {
    CHECK(lowered(rcplan::set_config_epoch{E, 42}) == std::vector<std::string>{"E: CLUSTER SET-CONFIG-EPOCH 42"});
  }
  SECTION("replicate") {
    CHECK(lowered(rcplan::replicate{R, T}) == std::vector<std::string>{"R: CLUSTER REPLICATE T"});
  }
  SECTION("set_slot_stable: one command per slot") {
    CHECK(lowered(rcplan::set_slot_stable{S, slot_set{{3, 4}}}) ==
          std::vector<std::string>{"S: CLUSTER SETSLOT 3 STABLE", "S: CLUSTER SETSLOT 4 STABLE"});
  }
  SECTION("set_slot_node: one command per slot") {
    CHECK(lowered(rcplan::set_slot_node{O, T, slot_set::from_ranges({{3, 3}, {9, 9}})}) ==
          std::vector<std::string>{"O: CLUSTER SETSLOT 3 NODE T", "O: CLUSTER SETSLOT 9 NODE T"});
  }
  SECTION("failover in each mode") {
    CHECK(lowered(rcplan::failover{R, rcplan::failover_mode::default_mode}) ==
          std::vector<std::string>{"R: CLUSTER FAILOVER"});
    CHECK(lowered(rcplan::failover{R, rcplan::failover_mode::force}) ==
          std::vector<std::string>{"R: CLUSTER FAILOVER FORCE"});
    CHECK(lowered(rcplan::failover{R, rcplan::failover_mode::takeover}) ==
          std::vector<std::string>{"R: CLUSTER FAILOVER TAKEOVER"});
  }
  SECTION("forget: on every other node of the context, in its order, failed ones included") {
    CHECK(lowered(rcplan::forget{E}) ==
          std::vector<std::string>{"O: CLUSTER FORGET E", "R: CLUSTER FORGET E", "S: CLUSTER FORGET E",
                                   "F: CLUSTER FORGET E", "T: CLUSTER FORGET E"});
  }
  SECTION("reset soft and hard") {
    CHECK(lowered(rcplan::reset{E, rcplan::reset_mode::soft}) == std::vector<std::string>{"E: CLUSTER RESET SOFT"});
    CHECK(lowered(rcplan::reset{E, rcplan::reset_mode::hard}) == std::vector<std::string>{"E: CLUSTER RESET HARD"});
  }
  SECTION("config_set: a secret's value is always the placeholder") {
    CHECK(lowered(rcplan::config_set{S, "maxmemory", "1gb", false}) ==
          std::vector<std::string>{"S: CONFIG SET maxmemory 1gb"});
    CHECK(lowered(rcplan::config_set{S, "requirepass", "hunter2", true}) ==
          std::vector<std::string>{"S: CONFIG SET requirepass <secret>"});
    CHECK(rcplan::password_placeholder == rcplan::secret_placeholder);
  }
}

TEST_CASE("waits and Kubernetes actions lower to nothing: the binding performs them") {
  CHECK(lowered(rcplan::wait_until{rcplan::wait_condition::views_agree, "", 0}).empty());
  CHECK(lowered(rcplan::scale_statefulset{"drc-example-0", 3}).empty());
  CHECK(lowered(rcplan::delete_pod{"drc-example-0-1"}).empty());
  CHECK(lowered(rcplan::update_status{}).empty());
}

TEST_CASE("lower_all lowers the steps one after another") {
  const std::vector<rcplan::step> steps = {
      {0, "epoch", rcplan::set_config_epoch{E, 1}},
      {0, "k8s", rcplan::delete_pod{"drc-example-0-1"}},
      {1, "replicate", rcplan::replicate{R, S}},
  };
  std::vector<std::string> out;
  for (const lowered_command& lc : rcplan::lower_all(steps, context())) out.push_back(render(lc));
  CHECK(out == std::vector<std::string>{"E: CLUSTER SET-CONFIG-EPOCH 1", "R: CLUSTER REPLICATE S"});
}

TEST_CASE("migrate_argv builds one MIGRATE call of a move_keys loop") {
  move_keys m{S, T, 9, "10.0.0.2", 6380, 10, 5000, false};
  CHECK(rcplan::migrate_argv(m, {"k1", "k2"}) ==
        std::vector<std::string>{"MIGRATE", "10.0.0.2", "6380", "", "0", "5000", "KEYS", "k1", "k2"});
  m.auth = true;
  CHECK(rcplan::migrate_argv(m, {"k1"}, true) ==
        std::vector<std::string>{"MIGRATE", "10.0.0.2", "6380", "", "0", "5000", "REPLACE", "AUTH", "<secret>", "KEYS",
                                 "k1"});
}
