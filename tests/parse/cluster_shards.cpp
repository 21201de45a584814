#include <rcplan/parse/cluster_shards.hpp>

#include "support/raw_reply.hpp"
#include "support/redis_cluster.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

using rcplan::node_health;
using rcplan::node_role;
using rcplan::shard_description;
using rcplan::slot_range;
using rcplan::slot_set;

namespace {

// Tiny RESP writer for building replies in the tests.
std::string bulk(const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; }
std::string integer(long long i) { return ":" + std::to_string(i) + "\r\n"; }
std::string array(const std::vector<std::string>& items) {
  std::string out = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& i : items) out += i;
  return out;
}
std::string map(const std::vector<std::string>& items) {  // items: key, value, key, value...
  std::string out = "%" + std::to_string(items.size() / 2) + "\r\n";
  for (const std::string& i : items) out += i;
  return out;
}

std::vector<std::string> node_attrs(const std::string& id, long long port, const std::string& role) {
  return {bulk("id"), bulk(id), bulk("port"), integer(port), bulk("ip"), bulk("127.0.0.1"),
          bulk("endpoint"), bulk("127.0.0.1"), bulk("role"), bulk(role), bulk("replication-offset"),
          integer(72156), bulk("health"), bulk("online")};
}

// The first two shards of the example in the CLUSTER SHARDS documentation.
std::string doc_example(bool resp3) {
  const auto node = [&](const std::string& id, long long port, const std::string& role) {
    return resp3 ? map(node_attrs(id, port, role)) : array(node_attrs(id, port, role));
  };
  const auto shard = [&](long long first, long long last, const std::vector<std::string>& nodes) {
    const std::vector<std::string> attrs = {bulk("slots"), array({integer(first), integer(last)}), bulk("nodes"), array(nodes)};
    return resp3 ? map(attrs) : array(attrs);
  };
  return array({shard(0, 5460, {node("e10b7051d6bf2d5febd39a2be297bbaea6084111", 30001, "master"),
                                node("1901f5962d865341e81c85f9f596b1e7160c35ce", 30006, "replica")}),
                shard(10923, 16383, {node("fd20502fe1b32fc32c15b69b0a9537551f162f1f", 30003, "master"),
                                     node("6daa25c08025a0c7e4cc0d1ab255949ce6cee902", 30005, "replica")})});
}

rcplan::parse_error failure(const std::string& bytes) {
  try {
    (void)rcplan::parse_cluster_shards(std::string_view{bytes});
  } catch (const rcplan::parse_error& e) {
    return e;
  }
  FAIL("no parse_error");
  throw;
}

const std::string good_id = "e10b7051d6bf2d5febd39a2be297bbaea6084111";

std::string one_shard_with_node(const std::vector<std::string>& attrs) {
  return array({array({bulk("slots"), array({integer(0), integer(1)}), bulk("nodes"), array({array(attrs)})})});
}

}  // namespace

TEST_CASE("CLUSTER SHARDS: the documentation example", "[parse][cluster_shards]") {
  const std::vector<shard_description> s = rcplan::parse_cluster_shards(std::string_view{doc_example(false)});
  REQUIRE(s.size() == 2U);
  CHECK(s[0].slots == slot_set{slot_range{0, 5460}});
  CHECK(s[1].slots == slot_set{slot_range{10923, 16383}});
  REQUIRE(s[0].nodes.size() == 2U);
  const rcplan::shard_node& m = s[0].nodes[0];
  CHECK(m.id.value == "e10b7051d6bf2d5febd39a2be297bbaea6084111");
  CHECK(m.port == 30001);
  CHECK_FALSE(m.tls_port.has_value());
  CHECK(m.ip == "127.0.0.1");
  CHECK(m.endpoint == "127.0.0.1");
  CHECK(m.hostname.empty());
  CHECK(m.role == node_role::master);
  CHECK(m.replication_offset == 72156U);
  CHECK(m.health == node_health::online);
  CHECK(s[0].nodes[1].role == node_role::replica);
  CHECK(s[0].nodes[1].port == 30006);
  CHECK(s[1].nodes[1].id.value == "6daa25c08025a0c7e4cc0d1ab255949ce6cee902");
}

TEST_CASE("CLUSTER SHARDS: RESP3 maps read like RESP2 pairs", "[parse][cluster_shards]") {
  CHECK(rcplan::parse_cluster_shards(std::string_view{doc_example(true)}) ==
        rcplan::parse_cluster_shards(std::string_view{doc_example(false)}));
}

TEST_CASE("CLUSTER SHARDS: fragmented slots, optional and unknown attributes", "[parse][cluster_shards]") {
  const std::string reply = array({array(
      {bulk("slots"), array({integer(1), integer(3), integer(5), integer(5), bulk("7"), bulk("9")}), bulk("nodes"),
       array({array({bulk("id"), bulk(good_id), bulk("tls-port"), integer(6380), bulk("ip"), bulk("10.0.0.1"),
                     bulk("endpoint"), "$-1\r\n", bulk("hostname"), bulk("redis-0.svc"), bulk("role"), bulk("master"),
                     bulk("replication-offset"), integer(0), bulk("health"), bulk("loading"), bulk("future-thing"),
                     array({integer(1)})})})})});
  const auto s = rcplan::parse_cluster_shards(std::string_view{reply});
  REQUIRE(s.size() == 1U);
  CHECK(s[0].slots == slot_set{slot_range{1, 3}, slot_range{5, 5}, slot_range{7, 9}});
  CHECK(s[0].slots.count() == 7U);
  const rcplan::shard_node& n = s[0].nodes.at(0);
  CHECK(n.port == 0U);
  CHECK(n.tls_port == std::optional<std::uint16_t>{6380});
  CHECK(n.endpoint.empty());  // NULL: connect to the address the command was sent to
  CHECK(n.hostname == "redis-0.svc");
  CHECK(n.health == node_health::loading);
  // a shard without slots and without nodes is fine too
  const auto empty = rcplan::parse_cluster_shards(std::string_view{array({array({bulk("slots"), array({}), bulk("nodes"), array({})})})});
  REQUIRE(empty.size() == 1U);
  CHECK(empty[0].slots.empty());
  CHECK(empty[0].nodes.empty());
  CHECK(rcplan::parse_cluster_shards(std::string_view{"*0\r\n"}).empty());
}

TEST_CASE("CLUSTER SHARDS: bad replies say where and what", "[parse][cluster_shards]") {
  struct bad {
    std::string bytes;
    std::size_t line;
    std::vector<std::string> parts;
  };
  auto attrs = [](std::vector<std::string> extra) {
    std::vector<std::string> a = {bulk("id"), bulk(good_id), bulk("role"), bulk("master")};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  };
  const std::vector<bad> cases = {
      {"-ERR This instance has cluster support disabled\r\n", 0, {"answered with an error", "cluster support disabled"}},
      {bulk("nope"), 0, {"expected an array of shards", "bulk string \"nope\""}},
      {array({integer(1)}), 0, {"shard 1", "name/value pairs", "integer 1"}},
      {array({array({bulk("slots")})}), 0, {"shard 1", "odd count"}},
      {array({array({bulk("nodes"), array({})})}), 0, {"shard 1", "missing attribute \"slots\""}},
      {array({array({bulk("slots"), array({})})}), 0, {"shard 1", "missing attribute \"nodes\""}},
      {array({array({bulk("slots"), array({integer(5)}), bulk("nodes"), array({})})}), 0, {"\"slots\"", "odd count"}},
      {array({array({bulk("slots"), array({integer(0), integer(16384)}), bulk("nodes"), array({})})}), 0,
       {"\"slots\"[1]", "a slot 0-16383", "integer 16384"}},
      {array({array({bulk("slots"), array({integer(9), integer(3)}), bulk("nodes"), array({})})}), 0, {"9-3 is reversed"}},
      {array({array({bulk("slots"), array({integer(-1), integer(3)}), bulk("nodes"), array({})})}), 0, {"\"slots\"[0]", "integer -1"}},
      {array({array({bulk("slots"), array({}), bulk("nodes"), bulk("x")})}), 0, {"\"nodes\"", "an array of nodes"}},
      {one_shard_with_node({bulk("role"), bulk("master")}), 0, {"shard 1: nodes[0]", "missing attribute \"id\""}},
      {one_shard_with_node({bulk("id"), bulk(good_id)}), 0, {"nodes[0]", "missing attribute \"role\""}},
      {one_shard_with_node({bulk("id"), bulk("XYZ"), bulk("role"), bulk("master")}), 0, {"\"id\"", "40 lowercase hex", "\"XYZ\""}},
      {one_shard_with_node(attrs({bulk("port"), integer(70000)})), 0, {"nodes[0]: \"port\"", "a port 0-65535", "70000"}},
      {one_shard_with_node(attrs({bulk("port"), bulk("abc")})), 0, {"\"port\"", "\"abc\""}},
      {one_shard_with_node({bulk("id"), bulk(good_id), bulk("role"), bulk("leader")}), 0, {"\"role\"", "master or replica", "\"leader\""}},
      {one_shard_with_node(attrs({bulk("health"), bulk("sleepy")})), 0, {"\"health\"", "online, failed or loading"}},
      {one_shard_with_node(attrs({bulk("ip"), integer(1)})), 0, {"\"ip\"", "expected a string"}},
      {one_shard_with_node(attrs({integer(1), bulk("x")})), 0, {"nodes[0]", "expected an attribute name"}},
      {"*1\r\n*2\r\n$5\r\nslots\r\n!\r\n", 5, {"type byte"}},
      {"*1\r\n*4\r\n", 0, {"ends early"}},
  };
  for (const bad& b : cases) {
    INFO("bytes: " << b.bytes);
    const rcplan::parse_error e = failure(b.bytes);
    CHECK(e.id() == "rcplan.parse.cluster_shards");
    CHECK(e.line() == b.line);
    for (const std::string& part : b.parts) {
      INFO("message: " << e.detail());
      CHECK(e.detail().find(part) != std::string::npos);
    }
  }
  // the second shard's second node is named as such
  const std::string second = array({array({bulk("slots"), array({}), bulk("nodes"), array({})}),
                                     array({bulk("slots"), array({}), bulk("nodes"),
                                            array({array(attrs({})), array(attrs({bulk("port"), bulk("-")}))})})});
  CHECK(failure(second).detail().rfind("shard 2: nodes[1]: \"port\"", 0) == 0);
}

TEST_CASE("live: CLUSTER SHARDS of a real master with a replica", "[parse][cluster_shards][live]") {
  rcplan_test::redis_cluster c(2, 1);
  const auto shards_of = [&](int i) { return rcplan::parse_cluster_shards(std::string_view{rcplan_test::raw_reply(c.port(i), {"CLUSTER", "SHARDS"})}); };
  REQUIRE(rcplan_test::eventually([&] {
    for (int i = 0; i < c.size(); ++i)
      for (const shard_description& s : shards_of(i))
        for (const rcplan::shard_node& n : s.nodes)
          if (n.health != node_health::online) return false;
    return shards_of(0).size() == 2U;
  }));
  c.client(0).call({"CONFIG", "SET", "cluster-announce-hostname", "first-master.example"});
  const std::vector<shard_description> shards = shards_of(0);
  REQUIRE(shards.size() == 2U);
  for (int m = 0; m < 2; ++m) {
    const auto it = std::find_if(shards.begin(), shards.end(), [&](const shard_description& s) {
      return std::any_of(s.nodes.begin(), s.nodes.end(), [&](const rcplan::shard_node& n) { return n.id.value == c.id(m); });
    });
    REQUIRE(it != shards.end());
    const auto first = static_cast<rcplan::slot>(16384 * m / 2), last = static_cast<rcplan::slot>(16384 * (m + 1) / 2 - 1);
    CHECK(it->slots == slot_set{slot_range{first, last}});
    REQUIRE(it->nodes.size() == 2U);
    for (const rcplan::shard_node& n : it->nodes) {
      const bool is_master = n.id.value == c.id(m);
      CHECK((is_master || n.id.value == c.id(2 + m)));  // the fixture's replica of master m
      CHECK(n.role == (is_master ? node_role::master : node_role::replica));
      CHECK(n.port == c.port(is_master ? m : 2 + m));
      CHECK(n.ip == "127.0.0.1");
      CHECK(n.health == node_health::online);
      CHECK(n.hostname == (is_master && m == 0 ? "first-master.example" : ""));
    }
  }
  // RESP3 replies (maps) describe the same shards
  const std::vector<std::string> r3 = rcplan_test::raw_replies(c.port(1), {{"HELLO", "3"}, {"CLUSTER", "SHARDS"}});
  REQUIRE(r3.size() == 2U);
  CHECK(r3[1].rfind("*2\r\n%", 0) == 0);
  const std::vector<shard_description> via3 = rcplan::parse_cluster_shards(std::string_view{r3[1]});
  REQUIRE(via3.size() == 2U);
  for (const shard_description& s : via3) {
    CHECK(s.slots.count() == 8192U);
    CHECK(s.nodes.size() == 2U);
  }
}
