// rcplan::redis's client against real redis-server processes: one node's replies as the server
// sent them, and a cluster client that routes keys to their masters and follows MOVED and ASK
// while slots move under it.

#include "support/hash_tags.hpp"
#include "redis/live_cluster.hpp"

#include <rcplan/model/key_slot.hpp>
#include <rcplan/redis/client.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using rcplan::redis::reply;
using rcplan_redis_test::error_text;
using rcplan_redis_test::live_cluster;

rcplan::address local(std::uint16_t port) { return rcplan::address{"127.0.0.1", port, 0, {}}; }

using rcplan_test::tag_for;

/// The node index owning slot `s` in a fresh cluster of `masters` even ranges.
int even_owner(rcplan::slot s, int masters) { return static_cast<int>(static_cast<long>(s) * masters / 16384); }

}  // namespace

TEST_CASE("node_client: replies of every kind - errors are replies - pipelines keep the order", "[redis][client]") {
  rcplan_test::redis_process server(false);
  rcplan::redis::node_client c(local(server.port()));
  CHECK(c.where() == "127.0.0.1:" + std::to_string(server.port()));

  const reply pong = c.command({"PING"});
  CHECK(pong.type == reply::kind::status);
  CHECK(pong.str == "PONG");
  CHECK(c.command({"SET", "k", "v"}).is_ok());
  const reply v = c.command({"GET", "k"});
  CHECK(v.type == reply::kind::string);
  CHECK(v.str == "v");
  CHECK(c.command({"GET", "nothing"}).type == reply::kind::nil);
  const reply n = c.command({"INCR", "n"});
  CHECK(n.type == reply::kind::integer);
  CHECK(n.integer == 1);

  const reply bad = c.command({"NOSUCHCOMMAND"});
  CHECK(bad.is_error());
  CHECK(bad.error_code() == "ERR");
  CHECK(c.command({"PING"}).str == "PONG");  // the connection is still usable

  const std::vector<reply> replies = c.pipeline({{"RPUSH", "l", "a", "b"}, {"LRANGE", "l", "0", "-1"}, {"INCR", "k"}});
  REQUIRE(replies.size() == 3);
  CHECK(replies[0].integer == 2);
  REQUIRE(replies[1].type == reply::kind::array);
  REQUIRE(replies[1].elements.size() == 2);
  CHECK(replies[1].elements[1].str == "b");
  CHECK(replies[2].is_error());  // "v" is not an integer
}

TEST_CASE("node_client: an unreachable node and a refused password are errors with ids", "[redis][client]") {
  const std::uint16_t closed = rcplan_test::free_port();
  std::string id;
  const std::string text = error_text([&] { rcplan::redis::node_client c(local(closed)); }, id);
  CHECK(id == "rcplan.redis.connect");
  CHECK(text.find("127.0.0.1:" + std::to_string(closed)) != std::string::npos);

  // the password is set once the server runs: the fixture's readiness probe does not authenticate
  rcplan_test::redis_process server(false);
  CHECK(rcplan::redis::node_client(local(server.port())).command({"CONFIG", "SET", "requirepass", "s3cret"}).is_ok());
  // without a password the server's NOAUTH is a reply, as the server sent it
  rcplan::redis::node_client anonymous(local(server.port()));
  const reply r = anonymous.command({"PING"});
  CHECK(r.error_code() == "NOAUTH");

  rcplan::redis::client_options wrong;
  wrong.password = rcplan::redis::secret{"nope"};
  const std::string refused = error_text([&] { rcplan::redis::node_client c(local(server.port()), wrong); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK(refused.find("nope") == std::string::npos);

  rcplan::redis::client_options right;
  right.password = rcplan::redis::secret{"s3cret"};
  rcplan::redis::node_client c(local(server.port()), right);
  CHECK(c.command({"PING"}).str == "PONG");
}

TEST_CASE("cluster_client: keys go to their masters without redirections", "[redis][client][live]") {
  live_cluster c(3, 0);
  rcplan::redis::cluster_client client(c.seeds());
  const std::vector<std::string> masters = client.masters();
  CHECK(masters.size() == 3);
  CHECK(std::is_sorted(masters.begin(), masters.end()));

  std::vector<rcplan::redis::command_args> sets, gets;
  for (std::size_t i = 0; i < 3000; ++i) {
    sets.push_back({"SET", rcplan_redis_test::key_name(i), rcplan_redis_test::value_of(i)});
    gets.push_back({"GET", rcplan_redis_test::key_name(i)});
  }
  for (const reply& r : client.run(sets)) CHECK(r.is_ok());
  const std::vector<reply> got = client.run(gets);
  REQUIRE(got.size() == gets.size());
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i].str == rcplan_redis_test::value_of(i));
  CHECK(client.counters().commands == 6000);
  CHECK(client.counters().moved == 0);
  CHECK(client.counters().errors == 0);
  CHECK(c.missing(0, 3000).empty());  // each key is on the master that owns its slot

  long long dbsize = 0;
  for (const std::string& m : masters) dbsize += client.call_node(m, {"DBSIZE"}).integer;
  CHECK(dbsize == 3000);
}

TEST_CASE("cluster_client: follows ASK during a migration and MOVED after it", "[redis][client][live]") {
  live_cluster c(3, 0);
  rcplan::redis::cluster_client client(c.seeds());
  const rcplan::slot s = 100;
  const int from = even_owner(s, 3), to = 1;
  REQUIRE(from == 0);
  const std::string tag = tag_for(s);
  std::vector<std::string> keys;
  for (int i = 0; i < 6; ++i) {
    keys.push_back(tag + "k" + std::to_string(i));
    REQUIRE(client.call({"SET", keys.back(), keys.back()}).is_ok());
  }

  // half the keys moved to the target while the slot migrates: the source answers ASK for them
  c.client(to).call({"CLUSTER", "SETSLOT", std::to_string(s), "IMPORTING", c.id(from)});
  c.client(from).call({"CLUSTER", "SETSLOT", std::to_string(s), "MIGRATING", c.id(to)});
  c.client(from).call({"MIGRATE", "127.0.0.1", std::to_string(c.port(to)), "", "0", "5000", "KEYS", keys[0], keys[1],
                       keys[2]});
  for (const std::string& k : keys) CHECK(client.call({"GET", k}).str == k);
  CHECK(client.counters().ask == 3);
  CHECK(client.counters().moved == 0);

  // the rest moved and the slot handed over: the client's map is stale, MOVED corrects it once
  c.client(from).call({"MIGRATE", "127.0.0.1", std::to_string(c.port(to)), "", "0", "5000", "KEYS", keys[3], keys[4],
                       keys[5]});
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CLUSTER", "SETSLOT", std::to_string(s), "NODE", c.id(to)});
  for (const std::string& k : keys) CHECK(client.call({"GET", k}).str == k);
  CHECK(client.counters().moved == 1);
  CHECK(client.counters().errors == 0);
}

TEST_CASE("cluster_client: seeds that do not answer - a password", "[redis][client][live]") {
  std::string id;
  const std::uint16_t closed = rcplan_test::free_port();
  const std::string text =
      error_text([&] { rcplan::redis::cluster_client client({local(closed)}); }, id);
  CHECK(id == "rcplan.redis.unreachable");
  CHECK(text.find("127.0.0.1:" + std::to_string(closed)) != std::string::npos);

  live_cluster c(3, 0, 0, "pw-of-the-cluster");
  rcplan::redis::client_options wrong;
  wrong.password = rcplan::redis::secret{"not-it"};
  const std::string refused = error_text([&] { rcplan::redis::cluster_client client(c.seeds(), wrong); }, id);
  CHECK(id == "rcplan.redis.auth");
  CHECK(refused.find("not-it") == std::string::npos);

  rcplan::redis::client_options right;
  right.password = rcplan::redis::secret{c.password()};
  rcplan::redis::cluster_client client(c.seeds(), right);
  CHECK(client.call({"SET", "a", "1"}).is_ok());
  CHECK(client.call({"GET", "a"}).str == "1");
}

TEST_CASE("cluster_client: the previous password during a change, and retries and failures counted by kind",
          "[redis][client][live]") {
  live_cluster c(3, 0, 0, "Old-Client-Pa55");
  rcplan::redis::client_options o;
  o.password = rcplan::redis::secret{"New-Client-Pa55"};
  o.previous_password = rcplan::redis::secret{"Old-Client-Pa55"};
  rcplan::redis::cluster_client client(c.seeds(), o);
  CHECK(client.call({"SET", "k", "v"}).is_ok());
  // the nodes learn the new password; connections made from now on use it
  for (int i = 0; i < c.size(); ++i) c.client(i).call({"CONFIG", "SET", "requirepass", "New-Client-Pa55"});
  rcplan::redis::cluster_client after(c.seeds(), o);
  CHECK(after.call({"GET", "k"}).str == "v");
  CHECK(after.counters().by_kind.empty());

  // a slot no node serves: CLUSTERDOWN, retried, then given up
  const std::string slot = std::to_string(rcplan::key_slot("k"));
  for (int i = 0; i < c.size(); ++i) {
    auto n = rcplan_test::resp_client(c.host(i), c.port(i));
    n.call({"AUTH", "New-Client-Pa55"});
    n.call({"CLUSTER", "DELSLOTS", slot});
  }
  const reply r = after.call({"GET", "k"});
  CHECK(r.is_error());
  const auto& kinds = after.counters().by_kind;
  INFO("kinds: " << kinds.size());
  CHECK(kinds.count("CLUSTERDOWN") == 1);
  CHECK(kinds.at("CLUSTERDOWN") == after.counters().retries + 1);
  CHECK(kinds.count("gave up") == 0);  // the last CLUSTERDOWN is the failure itself
  CHECK(after.counters().errors == 1);
}
