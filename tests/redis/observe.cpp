// observe() against real clusters: every node's own view, replication, key counts, config,
// unreachable nodes, unreachable seeds and rejected passwords.

#include <rcplan/error.hpp>
#include <rcplan/redis/observe.hpp>

#include "redis/live_cluster.hpp"

#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using rcplan_redis_test::live_cluster;

std::uint64_t sum(const std::map<rcplan::slot, std::uint64_t>& m) {
  std::uint64_t n = 0;
  for (const auto& [s, k] : m) n += k;
  return n;
}

}  // namespace

TEST_CASE("parse_address: host:port and [v6]:port and host:port@bus - bad text names itself", "[redis][observe]") {
  using rcplan::redis::parse_address;
  CHECK(parse_address("10.0.0.1:6379") == rcplan::address{"10.0.0.1", 6379, 0, {}});
  CHECK(parse_address("redis-0.redis:7000@17000") == rcplan::address{"redis-0.redis", 7000, 17000, {}});
  CHECK(parse_address("[::1]:6380") == rcplan::address{"::1", 6380, 0, {}});
  for (const char* bad : {"", "host", "host:", ":6379", "host:0", "host:65536", "host:12ab", "::1:6379", "[::1]6379"}) {
    std::string id;
    const std::string text = rcplan_redis_test::error_text([&] { (void)parse_address(bad); }, id);
    INFO(bad);
    CHECK(id == "rcplan.redis.address");
    CHECK(text.find(std::string{"\""} + bad + "\"") != std::string::npos);
  }
}

TEST_CASE("observe: every node of a 3-master 1-replica cluster with replication and keys", "[redis][observe]") {
  live_cluster c(3, 1);
  c.load(0, 3000);
  c.wait_replicated();
  rcplan::redis::observe_options o;
  o.keys_per_slot = true;
  o.config_parameters = {"maxmemory-policy", "requirepass", "no-such-parameter"};
  const rcplan::topology t = rcplan::redis::observe({c.seeds().front()}, o);

  REQUIRE(t.views.size() == 6);
  REQUIRE(t.observations.size() == 6);
  CHECK(rcplan::views_agree(t));
  CHECK(t.observed_at_ms > 0);
  for (std::size_t i = 1; i < t.views.size(); ++i) CHECK(t.views[i - 1].observer < t.views[i].observer);
  std::uint64_t master_keys = 0, replica_keys = 0;
  for (const rcplan::node_observation& ob : t.observations) {
    INFO(ob.id.value);
    CHECK(ob.reachable);
    CHECK(ob.addr.host == "127.0.0.1");
    CHECK(c.id(c.index_of_port(ob.addr.port)) == ob.id.value);
    REQUIRE(ob.replication);
    REQUIRE(ob.keys_per_slot);
    const int i = c.index_of(ob.id.value);
    const bool master = i < 3;
    CHECK((ob.replication->role == rcplan::node_role::master) == master);
    if (master) {
      CHECK(ob.replication->replicas.size() == 1);
      master_keys += sum(*ob.keys_per_slot);
    } else {
      CHECK(ob.replication->master_link_up);
      replica_keys += sum(*ob.keys_per_slot);
    }
    CHECK(ob.config.count("maxmemory-policy") == 1);
    CHECK(ob.config.count("requirepass") == 0);  // never read, even when asked
    CHECK(ob.config.count("no-such-parameter") == 0);
  }
  CHECK(master_keys == 3000);
  CHECK(replica_keys == 3000);
  // one slot's count, checked against the server itself
  const std::string k = rcplan_redis_test::key_name(17);
  const rcplan::slot s = rcplan::key_slot(k);
  const int owner = c.owners()[s];
  const auto* ob = t.observation(rcplan::node_id{c.id(owner)});
  REQUIRE(ob != nullptr);
  CHECK(ob->keys_per_slot->at(s) ==
        static_cast<std::uint64_t>(std::stoll(c.client(owner).call({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)}))));
  // a master without keys is proven empty: an empty map, not an unknown
  c.client(0).call({"FLUSHALL"});
  const rcplan::topology after = rcplan::redis::observe({c.seeds().front()}, o);
  CHECK(after.observation(rcplan::node_id{c.id(0)})->keys_per_slot->empty());
}

TEST_CASE("observe: a killed node is recorded unreachable while the others are observed", "[redis][observe]") {
  live_cluster c(3, 1);
  c.node(4).kill_now();  // the replica of master 1
  const rcplan::topology t = rcplan::redis::observe({c.seeds().front()});
  REQUIRE(t.observations.size() == 6);
  CHECK(t.views.size() == 5);
  for (const rcplan::node_observation& ob : t.observations) {
    INFO(ob.id.value);
    const bool killed = ob.id.value == c.id(4);
    CHECK(ob.reachable == !killed);
    if (killed) {
      CHECK(ob.addr.port == c.port(4));
      CHECK_FALSE(ob.error.empty());
      CHECK_FALSE(ob.replication);
    }
  }
  // only the seeds: no peer followed
  rcplan::redis::observe_options only;
  only.follow_peers = false;
  CHECK(rcplan::redis::observe({c.seeds().front()}, only).views.size() == 1);
}

TEST_CASE("observe: a seed that does not answer is recorded unreachable under the id its peers give it",
          "[redis][observe]") {
  live_cluster c(3, 0);
  const std::vector<rcplan::address> seeds = c.seeds();  // every node is a seed, the frozen one too
  REQUIRE(::kill(c.node(2).pid(), SIGSTOP) == 0);
  rcplan::redis::observe_options o;
  o.command_timeout = std::chrono::milliseconds(500);
  const rcplan::topology t = rcplan::redis::observe(seeds, o);
  REQUIRE(::kill(c.node(2).pid(), SIGCONT) == 0);
  REQUIRE(t.observations.size() == 3);
  CHECK(t.views.size() == 2);
  const rcplan::node_observation* frozen = t.observation(rcplan::node_id{c.id(2)});
  REQUIRE(frozen != nullptr);
  CHECK_FALSE(frozen->reachable);
  CHECK(frozen->addr.port == c.port(2));
  CHECK_FALSE(frozen->error.empty());
}

TEST_CASE("observe: no seed answers -> rcplan.redis.unreachable naming the address", "[redis][observe]") {
  const std::uint16_t port = rcplan_test::free_port();
  std::string id;
  const std::string text = rcplan_redis_test::error_text([&] { (void)rcplan::redis::observe({{"127.0.0.1", port, 0, {}}}); }, id);
  CHECK(id == "rcplan.redis.unreachable");
  CHECK(text.find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(rcplan_redis_test::error_text([] { (void)rcplan::redis::observe({}); }, id).find("seed") != std::string::npos);
  CHECK(id == "rcplan.redis.address");
}

TEST_CASE("observe: a wrong or missing password -> rcplan.redis.auth naming the node but not the password", "[redis][observe]") {
  const std::string right = "right-Pa55word-xyz";
  const std::string wrong = "wrong-Pa55word-abc";
  live_cluster c(3, 0, 0, right);
  const rcplan::address seed = c.seeds().front();
  rcplan::redis::observe_options o;
  o.password = rcplan::redis::secret{wrong};
  std::string id;
  std::string text = rcplan_redis_test::error_text([&] { (void)rcplan::redis::observe({seed}, o); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK(text.find("127.0.0.1:" + std::to_string(seed.port)) != std::string::npos);
  CHECK(text.find(wrong) == std::string::npos);
  CHECK(text.find(right) == std::string::npos);

  text = rcplan_redis_test::error_text([&] { (void)rcplan::redis::observe({seed}); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK(text.find("127.0.0.1:" + std::to_string(seed.port)) != std::string::npos);

  o.password = rcplan::redis::secret{right};
  const rcplan::topology t = rcplan::redis::observe({seed}, o);
  CHECK(t.views.size() == 3);
  for (const rcplan::node_observation& ob : t.observations) CHECK(ob.reachable);
}
