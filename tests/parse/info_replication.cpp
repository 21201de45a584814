#include <rcplan/parse/info_replication.hpp>
#include <rcplan/testing/gen_model.hpp>

#include "support/redis_cluster.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>
#include <vector>

using rcplan::node_role;
using rcplan::replication_info;

namespace {

// Printed by redis-server 7.0 for a master with one replica still waiting for its first sync.
const std::string master_section =
    "# Replication\r\n"
    "role:master\r\n"
    "connected_slaves:1\r\n"
    "slave0:ip=127.0.0.1,port=31003,state=wait_bgsave,offset=0,lag=0\r\n"
    "master_failover_state:no-failover\r\n"
    "master_replid:55c19387fbd2c2161cec6d2d12192b41d4ebc819\r\n"
    "master_replid2:0000000000000000000000000000000000000000\r\n"
    "master_repl_offset:0\r\n"
    "second_repl_offset:-1\r\n"
    "repl_backlog_active:1\r\n"
    "repl_backlog_size:1048576\r\n"
    "repl_backlog_first_byte_offset:1\r\n"
    "repl_backlog_histlen:0\r\n";

// Printed by redis-server 7.0 for a replica whose link is down.
const std::string replica_section =
    "# Replication\r\n"
    "role:slave\r\n"
    "master_host:127.0.0.1\r\n"
    "master_port:31001\r\n"
    "master_link_status:down\r\n"
    "master_last_io_seconds_ago:-1\r\n"
    "master_sync_in_progress:0\r\n"
    "slave_read_repl_offset:0\r\n"
    "slave_repl_offset:0\r\n"
    "master_link_down_since_seconds:-1\r\n"
    "slave_priority:100\r\n"
    "slave_read_only:1\r\n"
    "replica_announced:1\r\n"
    "connected_slaves:0\r\n"
    "master_failover_state:no-failover\r\n"
    "master_replid:76fa01a0d7702a1c4fd150b291f773a98a30c147\r\n"
    "master_replid2:0000000000000000000000000000000000000000\r\n"
    "master_repl_offset:0\r\n"
    "second_repl_offset:-1\r\n"
    "repl_backlog_active:0\r\n"
    "repl_backlog_size:1048576\r\n"
    "repl_backlog_first_byte_offset:0\r\n"
    "repl_backlog_histlen:0\r\n";

rcplan::parse_error failure(const std::string& text) {
  try {
    (void)rcplan::parse_info_replication(text);
  } catch (const rcplan::parse_error& e) {
    return e;
  }
  FAIL("no parse_error for: " << text);
  throw;
}

}  // namespace

TEST_CASE("INFO replication: a master and its replica links", "[parse][info_replication]") {
  const replication_info r = rcplan::parse_info_replication(master_section);
  CHECK(r.role == node_role::master);
  REQUIRE(r.replicas.size() == 1U);
  CHECK(r.replicas[0] == rcplan::replica_link{"127.0.0.1", 31003, "wait_bgsave", 0, 0});
  CHECK(r.master_replid == "55c19387fbd2c2161cec6d2d12192b41d4ebc819");
  CHECK(r.master_repl_offset == 0U);
  CHECK(r.master_host.empty());
  CHECK(r.offset() == r.master_repl_offset);
}

TEST_CASE("INFO replication: a replica with its link down", "[parse][info_replication]") {
  const replication_info r = rcplan::parse_info_replication(replica_section);
  CHECK(r.role == node_role::replica);
  CHECK(r.master_host == "127.0.0.1");
  CHECK(r.master_port == 31001);
  CHECK_FALSE(r.master_link_up);
  CHECK(r.master_last_io_seconds_ago == std::optional<std::int64_t>{-1});
  CHECK_FALSE(r.master_sync_in_progress);
  CHECK(r.replica_priority == 100);
  CHECK(r.replica_read_only);
  CHECK(r.replicas.empty());
}

TEST_CASE("INFO replication: values that differ from the defaults", "[parse][info_replication]") {
  const replication_info r = rcplan::parse_info_replication(
      "role:slave\nmaster_host:10.1.2.3\nmaster_port:6380\nmaster_link_status:up\nmaster_last_io_seconds_ago:3\n"
      "master_sync_in_progress:1\nslave_repl_offset:123456\nreplica-priority:0\nslave_read_only:0\n"
      "slave0:ip=::1,port=7001,state=online,offset=99,lag=2\nslave1:ip=10.0.0.9,port=7002,state=send_bulk,offset=5\n"
      "master_replid:abc\nmaster_repl_offset:123999\n");
  CHECK(r.master_link_up);
  CHECK(r.master_last_io_seconds_ago == std::optional<std::int64_t>{3});
  CHECK(r.master_sync_in_progress);
  CHECK(r.replica_repl_offset == 123456U);
  CHECK(r.offset() == 123456U);  // a replica is compared by what it has received
  CHECK(r.replica_priority == 0);
  CHECK_FALSE(r.replica_read_only);
  REQUIRE(r.replicas.size() == 2U);
  CHECK(r.replicas[0] == rcplan::replica_link{"::1", 7001, "online", 99, 2});
  CHECK(r.replicas[1] == rcplan::replica_link{"10.0.0.9", 7002, "send_bulk", 5, 0});
  CHECK(rcplan::parse_info_replication("role:slave\nreplica_priority:7\n").replica_priority == 7);
}

TEST_CASE("INFO replication: the full INFO output reads the Replication section only", "[parse][info_replication]") {
  const std::string full = "# Server\r\nredis_version:7.0.15\r\nrole:nonsense-in-another-section\r\n\r\n" +
                           replica_section +
                           "\r\n# CPU\r\nused_cpu_sys:0.1\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n";
  CHECK(rcplan::parse_info_replication(full) == rcplan::parse_info_replication(replica_section));
  // and the section without its header, with LF line ends
  std::string bare = master_section.substr(master_section.find('\n') + 1);
  std::string lf;
  for (char ch : bare)
    if (ch != '\r') lf += ch;
  CHECK(rcplan::parse_info_replication(lf) == rcplan::parse_info_replication(master_section));
}

TEST_CASE("INFO replication: bad input names the line and the field", "[parse][info_replication]") {
  struct bad {
    std::string text;
    std::size_t line;
    std::vector<std::string> parts;
  };
  const std::vector<bad> cases = {
      {"# Replication\r\nrole:master\r\ngarbage\r\n", 3, {"expected key:value", "\"garbage\""}},
      {"role:leader\n", 1, {"field \"role\"", "master or slave", "\"leader\""}},
      {"role:slave\nmaster_port:http\n", 2, {"field \"master_port\"", "port number", "\"http\""}},
      {"role:slave\nmaster_port:70000\n", 2, {"field \"master_port\"", "\"70000\""}},
      {"role:slave\nmaster_link_status:maybe\n", 2, {"master_link_status", "up or down"}},
      {"role:slave\nmaster_sync_in_progress:yes\n", 2, {"master_sync_in_progress", "0 or 1"}},
      {"role:slave\nslave_repl_offset:-5\n", 2, {"slave_repl_offset", "unsigned integer", "\"-5\""}},
      {"role:slave\nmaster_last_io_seconds_ago:soon\n", 2, {"master_last_io_seconds_ago", "an integer"}},
      {"role:master\nmaster_repl_offset:1.5\n", 2, {"master_repl_offset", "\"1.5\""}},
      {"role:master\nslave0:ip=1.2.3.4,state=online,offset=1\n", 2, {"field \"slave0\"", "port", "required"}},
      {"role:master\nslave0:ip=1.2.3.4,port=x,state=online,offset=1\n", 2, {"field \"slave0.port\"", "\"x\""}},
      {"role:master\nslave3:ip\n", 2, {"field \"slave3\""}},
      {"master_repl_offset:5\n", 0, {"missing field \"role\""}},
      {"# Server\r\nredis_version:7.0.15\r\n", 0, {"no \"# Replication\" section"}},
  };
  for (const bad& b : cases) {
    INFO("input: " << b.text);
    const rcplan::parse_error e = failure(b.text);
    CHECK(e.id() == "rcplan.parse.info_replication");
    CHECK(e.line() == b.line);
    for (const std::string& part : b.parts) {
      INFO("message: " << e.detail());
      CHECK(e.detail().find(part) != std::string::npos);
    }
  }
}

TEST_CASE("INFO replication: parse(format(info)) == info", "[parse][info_replication][property]") {
  rc::prop("round trip", [] {
    const replication_info r = *rcplan::testing::gen_replication_info();
    RC_ASSERT(rcplan::parse_info_replication(rcplan::format_info_replication(r)) == r);
  });
  rc::prop("unknown keys are skipped", [](const std::string& value) {
    const replication_info r = *rcplan::testing::gen_replication_info();
    std::string text = rcplan::format_info_replication(r);
    std::string clean;
    for (char ch : value)
      if (ch != '\n' && ch != '\r') clean += ch;
    text += "some_future_field:" + clean + "\r\n";
    RC_ASSERT(rcplan::parse_info_replication(text) == r);
  });
}

TEST_CASE("live: INFO replication of a real master and its replica", "[parse][info_replication][live]") {
  rcplan_test::redis_cluster c(1, 1);
  // wait for the first full sync to finish
  REQUIRE(rcplan_test::eventually([&] {
    const replication_info m = rcplan::parse_info_replication(c.client(0).call({"INFO", "replication"}));
    const replication_info r = rcplan::parse_info_replication(c.client(1).call({"INFO", "replication"}));
    return m.replicas.size() == 1U && m.replicas[0].state == "online" && r.master_link_up;
  }));
  const replication_info m = rcplan::parse_info_replication(c.client(0).call({"INFO", "replication"}));
  const replication_info r = rcplan::parse_info_replication(c.client(1).call({"INFO", "replication"}));
  CHECK(m.role == node_role::master);
  REQUIRE(m.replicas.size() == 1U);
  CHECK(m.replicas[0].host == "127.0.0.1");
  CHECK(m.replicas[0].port == c.port(1));
  CHECK(m.replicas[0].state == "online");
  CHECK(m.master_replid.size() == 40U);

  CHECK(r.role == node_role::replica);
  CHECK(r.master_host == "127.0.0.1");
  CHECK(r.master_port == c.port(0));
  CHECK(r.master_link_up);
  CHECK_FALSE(r.master_sync_in_progress);
  CHECK(r.master_last_io_seconds_ago.has_value());
  CHECK(r.replica_priority == 100);
  CHECK(r.replica_read_only);
  CHECK(r.replicas.empty());
  CHECK(r.master_replid == m.master_replid);  // it took over its master's history
  CHECK(r.replica_repl_offset <= m.master_repl_offset + 1000);

  // writes move the offsets forward on both sides
  c.client(0).call({"SET", "{a}k", std::string(1000, 'x')});
  REQUIRE(rcplan_test::eventually([&] {
    return rcplan::parse_info_replication(c.client(1).call({"INFO", "replication"})).replica_repl_offset >=
           m.master_repl_offset + 1000;
  }));
  CHECK(rcplan::parse_info_replication(c.client(0).call({"INFO", "replication"})).master_repl_offset >=
        m.master_repl_offset + 1000);

  // whole INFO output: same roles and peers as the section alone
  const replication_info full = rcplan::parse_info_replication(c.client(1).call({"INFO"}));
  CHECK(full.role == node_role::replica);
  CHECK(full.master_port == c.port(0));
  const replication_info everything = rcplan::parse_info_replication(c.client(0).call({"INFO", "everything"}));
  REQUIRE(everything.replicas.size() == 1U);
  CHECK(everything.replicas[0].port == c.port(1));
}
