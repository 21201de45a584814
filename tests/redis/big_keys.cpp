// Big keys against real servers: a 256 MB string, a hash of 2,000,000 fields and a slot of
// 1,000,000 keys move with the default MIGRATE timeout and batch; a key too big for the
// configured timeout stops its slot with a diagnostic naming it, stays on the source, and the
// repair moves it once the timeout allows.

#include <rcplan/model/key_slot.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/redis/execute.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <initializer_list>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;
using rcplan_redis_test::observe_all;

/// The parts one after another (appended: GCC 12 -O3 warns falsely on a chain of +).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (const std::string_view p : parts) out += p;
  return out;
}

/// A hash tag `{prefix<n>}` whose slot node 0 of a two-master cluster owns, and not `avoid`.
std::string tag_of_first_master(const std::string& prefix, rcplan::slot avoid = rcplan::slot_count) {
  for (int i = 0;; ++i) {
    const std::string tag = cat({"{", prefix, std::to_string(i), "}"});
    const rcplan::slot s = rcplan::key_slot(tag);
    if (s < rcplan::slot_count / 2 && s != avoid) return tag;
  }
}

/// Sends `commands` in pipelines of `depth`, each answer required to be no error.
void send_all(rcplan_test::resp_client& c, const std::vector<std::vector<std::string>>& commands, std::size_t depth) {
  for (std::size_t from = 0; from < commands.size(); from += depth) {
    const std::vector<std::vector<std::string>> part(commands.begin() + static_cast<long>(from),
                                                     commands.begin() + static_cast<long>(std::min(commands.size(), from + depth)));
    for (const rcplan::redis::reply& r : c.pipeline(part)) REQUIRE_FALSE(r.is_error());
  }
}

/// A hash of `fields` fields f<i> = v<i>, written 1,000 fields per HSET.
void fill_hash(rcplan_test::resp_client& c, const std::string& key, std::size_t fields) {
  std::vector<std::vector<std::string>> cmds;
  for (std::size_t from = 0; from < fields; from += 1000) {
    std::vector<std::string> hset{"HSET", key};
    for (std::size_t i = from; i < std::min(fields, from + 1000); ++i) {
      hset.push_back(cat({"f", std::to_string(i)}));
      hset.push_back(cat({"v", std::to_string(i)}));
    }
    cmds.push_back(std::move(hset));
  }
  send_all(c, cmds, 20);
}

/// `count` keys <tag>:<i> = <i>, written 1,000 per MSET.
void fill_keys(rcplan_test::resp_client& c, const std::string& tag, std::size_t count) {
  std::vector<std::vector<std::string>> cmds;
  for (std::size_t from = 0; from < count; from += 1000) {
    std::vector<std::string> mset{"MSET"};
    for (std::size_t i = from; i < std::min(count, from + 1000); ++i) {
      mset.push_back(cat({tag, ":", std::to_string(i)}));
      mset.push_back(std::to_string(i));
    }
    cmds.push_back(std::move(mset));
  }
  send_all(c, cmds, 20);
}

rcplan::plan moving(const live_cluster& c, const std::vector<rcplan::slot>& slots) {
  rcplan::slot_set set;
  for (const rcplan::slot s : slots) set.insert(s);
  rcplan::plan p;
  p.status = rcplan::plan_status::actions_planned;
  p.steps.push_back({0, "move the big keys' slots", rcplan::migrate_slots{rcplan::node_id{c.id(0)}, rcplan::node_id{c.id(1)}, set}});
  return p;
}

/// Whether every node serves again (cluster_state:ok) within a minute. Restoring a big key
/// blocks its target for longer than the test cluster's 2 s node timeout: its peers may flag it
/// failing, and the cluster refuses commands (CLUSTERDOWN) until it answers them again.
bool serving_again(const live_cluster& c) {
  return rcplan_test::eventually([&] { return c.all_ok(); }, std::chrono::seconds(60));
}

std::string count_in(const live_cluster& c, int node, rcplan::slot s) {
  return c.client(node).call({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)});
}

}  // namespace

TEST_CASE("big keys: a 256 MB string, a hash of 2,000,000 fields and a slot of 1,000,000 keys move with the defaults",
          "[redis][big]") {
  live_cluster c(2, 0);
  const std::string string_key = cat({tag_of_first_master("s"), "string"});
  const std::string hash_key = cat({tag_of_first_master("h", rcplan::key_slot(string_key)), "hash"});
  std::string many = tag_of_first_master("k", rcplan::key_slot(string_key));
  for (int i = 0; rcplan::key_slot(many) == rcplan::key_slot(hash_key); ++i)
    many = tag_of_first_master(cat({"k", std::to_string(i), "-"}), rcplan::key_slot(string_key));
  const std::vector<rcplan::slot> slots{rcplan::key_slot(string_key), rcplan::key_slot(hash_key), rcplan::key_slot(many)};

  rcplan_test::resp_client source = c.client(0);
  constexpr std::size_t megabyte = std::size_t{1} << 20;
  const std::string chunk(megabyte, 'x');
  std::vector<std::vector<std::string>> appends(256, std::vector<std::string>{"APPEND", string_key, chunk});
  send_all(source, appends, 8);
  REQUIRE(source.call({"STRLEN", string_key}) == std::to_string(256 * megabyte));
  fill_hash(source, hash_key, 2'000'000);
  REQUIRE(source.call({"HLEN", hash_key}) == "2000000");
  fill_keys(source, many, 1'000'000);
  REQUIRE(count_in(c, 0, rcplan::key_slot(many)) == "1000000");

  rcplan::redis::execute_options o;  // the default MIGRATE timeout and key batch
  o.latency_budget = std::chrono::microseconds{0};  // unpaced: this is about timeouts, not pace
  const rcplan::redis::execute_result r = rcplan::redis::execute(moving(c, slots), observe_all(c), o);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(r.complete);
  CHECK(r.keys_moved == 1'000'002);
  REQUIRE(serving_again(c));
  rcplan_test::resp_client target = c.client(1);
  CHECK(target.call({"STRLEN", string_key}) == std::to_string(256 * megabyte));
  CHECK(target.call({"GETRANGE", string_key, "-3", "-1"}) == "xxx");
  CHECK(target.call({"HLEN", hash_key}) == "2000000");
  CHECK(target.call({"HGET", hash_key, "f1999999"}) == "v1999999");
  CHECK(count_in(c, 1, rcplan::key_slot(many)) == "1000000");
  CHECK(target.call({"GET", cat({many, ":999999"})}) == "999999");
  for (const rcplan::slot s : slots) CHECK(count_in(c, 0, s) == "0");
  CHECK(rcplan_test::eventually([&] {
    const auto owners = c.owners();
    return std::all_of(slots.begin(), slots.end(), [&](rcplan::slot s) { return owners[s] == 1; });
  }));
}

TEST_CASE("big keys: a key too big for the MIGRATE timeout is named, stays on the source, and moves once allowed",
          "[redis][big]") {
  live_cluster c(2, 0);
  const std::string tag = tag_of_first_master("b");
  const rcplan::slot s = rcplan::key_slot(tag);
  const std::string big = cat({tag, "hash"});
  rcplan_test::resp_client source = c.client(0);
  // restoring a million fields takes the target far longer than 50 ms; each small key far less
  fill_hash(source, big, 1'000'000);
  fill_keys(source, tag, 20);

  rcplan::redis::execute_options o;
  o.migrate_timeout_ms = 50;
  o.latency_budget = std::chrono::microseconds{0};
  const rcplan::redis::execute_result r = rcplan::redis::execute(moving(c, {s}), observe_all(c), o);
  for (const auto& d : r.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  UNSCOPED_INFO("moved " << r.keys_moved << " diagnostics " << r.diagnostics.size());
  CHECK_FALSE(r.complete);
  const auto named = std::find_if(r.diagnostics.begin(), r.diagnostics.end(),
                                  [](const auto& d) { return d.code == "rcplan.redis.key_too_big"; });
  REQUIRE(named != r.diagnostics.end());
  CHECK(named->message.find(cat({"key \"", big, "\""})) != std::string::npos);
  CHECK(named->message.find("MIGRATE timeout of 50 ms") != std::string::npos);
  CHECK(named->message.find("spec.migration.migrateTimeoutMs") != std::string::npos);
  // nothing lost: the big key is still on the source, and every small key is on one side
  CHECK(source.call({"HLEN", big}) == "1000000");
  // read where each key is with GETKEYSINSLOT, which no slot state redirects: once the executor
  // gave up, the target may no longer import the slot, and ASKING then gets a MOVED back
  std::set<std::string> held;
  for (int node : {0, 1})
    for (const auto& k : c.client(node).command({"CLUSTER", "GETKEYSINSLOT", std::to_string(s), "100"}).elements)
      held.insert(k.str);  // a key whose MIGRATE timed out may be on both sides, alike
  for (int i = 0; i < 20; ++i) CHECK(held.count(cat({tag, ":", std::to_string(i)})) == 1);

  // observed again, the open slot is repaired with the default timeout
  const rcplan::topology broken = observe_all(c);
  const rcplan::repair_result repair = rcplan::plan_repair(broken, rcplan::merged_nodes(broken));
  REQUIRE_FALSE(repair.blocked);
  rcplan::plan p;
  p.steps = repair.steps;
  p.status = rcplan::plan_status::actions_planned;
  const rcplan::redis::execute_result fixed = rcplan::redis::execute(p, broken);
  for (const auto& d : fixed.diagnostics) UNSCOPED_INFO(d.code << ": " << d.message);
  REQUIRE(fixed.complete);
  REQUIRE(rcplan_test::eventually([&] { return rcplan_redis_test::open_slots(observe_all(c)) == 0; }));
  REQUIRE(serving_again(c));
  const int owner = c.owners()[s];
  REQUIRE(owner >= 0);
  rcplan_test::resp_client holder = c.client(owner);
  CHECK(holder.call({"HLEN", big}) == "1000000");
  CHECK(holder.call({"HGET", big, "f999999"}) == "v999999");
  CHECK(count_in(c, owner, s) == "21");
  CHECK(count_in(c, 1 - owner, s) == "0");
}
