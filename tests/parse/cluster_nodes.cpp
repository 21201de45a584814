#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/testing/gen_model.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using rcplan::cluster_node;
using rcplan::cluster_view;
using rcplan::node_id;
using rcplan::open_slot;
using rcplan::slot_range;
using rcplan::slot_set;

namespace {

const cluster_node& node(const cluster_view& v, const std::string& id) {
  const auto it = std::find_if(v.nodes.begin(), v.nodes.end(), [&](const cluster_node& n) { return n.id.value == id; });
  if (it == v.nodes.end()) FAIL("node " << id << " not in the view");
  return *it;
}

// The example the Redis documentation gives for Redis 7.2 (CLUSTER NODES command page).
const std::string doc_example_7_2 =
    "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,hostname4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n"
    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002,hostname2 master - 0 1426238316232 2 connected 5461-10922\n"
    "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003,hostname3 master - 0 1426238318243 3 connected 10923-16383\n"
    "6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005@31005,hostname5 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected\n"
    "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006@31006,hostname6 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected\n"
    "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001,hostname1 myself,master - 0 0 1 connected 0-5460\n";

// The same cluster as older documentation printed it: no cluster bus port, no hostname.
const std::string doc_example_pre_4_0 =
    "07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected\n"
    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002 master - 0 1426238316232 2 connected 5461-10922\n"
    "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003 master - 0 1426238318243 3 connected 10923-16383\n"
    "6ec23923021cf3ffec47632106199cb7f496ce01 127.0.0.1:30005 slave 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 connected\n"
    "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 127.0.0.1:30006 slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1426238317741 6 connected\n"
    "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001 myself,master - 0 0 1 connected 0-5460\n";

const std::string id_a = "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca";
const std::string id_b = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";
const std::string id_c = "292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f";

rcplan::parse_error parse_failure(const std::string& text) {
  try {
    (void)rcplan::parse_cluster_nodes(text);
  } catch (const rcplan::parse_error& e) {
    return e;
  }
  FAIL("no parse_error for: " << text);
  throw;  // unreachable
}

const std::string good_line =
    "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@40002 master - 0 1426238316232 2 connected 5461-10922";

}  // namespace

TEST_CASE("CLUSTER NODES: the Redis 7.2 documentation example", "[parse][cluster_nodes]") {
  const cluster_view v = rcplan::parse_cluster_nodes(doc_example_7_2);
  REQUIRE(v.nodes.size() == 6U);
  CHECK(v.observer.value == id_a);

  const cluster_node& me = node(v, id_a);
  CHECK(me.flags.myself);
  CHECK(me.flags.master);
  CHECK_FALSE(me.flags.replica);
  CHECK(me.addr.host == "127.0.0.1");
  CHECK(me.addr.port == 30001);
  CHECK(me.addr.bus_port == 31001);
  CHECK(me.addr.hostname == "hostname1");
  CHECK(me.slots == slot_set{slot_range{0, 5460}});
  CHECK(me.config_epoch == 1U);
  CHECK(me.pong_received == 0U);

  const cluster_node& r = node(v, "07c37dfeb235213a872192d90877d0cd55635b91");
  CHECK(r.flags.replica);
  CHECK_FALSE(r.flags.master);
  CHECK_FALSE(r.flags.myself);
  REQUIRE(r.master_id.has_value());
  CHECK(r.master_id->value == id_a);
  CHECK(r.ping_sent == 0U);
  CHECK(r.pong_received == 1426238317239U);
  CHECK(r.config_epoch == 4U);
  CHECK(r.link == rcplan::link_state::connected);
  CHECK(r.slots.empty());
  CHECK(r.addr.hostname == "hostname4");

  CHECK(node(v, id_b).slots == slot_set{slot_range{5461, 10922}});
  CHECK(node(v, id_c).slots == slot_set{slot_range{10923, 16383}});
  CHECK_FALSE(node(v, id_b).master_id.has_value());

  // Masters together cover every slot exactly once.
  const std::vector<cluster_node> all = v.nodes;
  CHECK(rcplan::uncovered_slots(all).empty());
  CHECK(rcplan::contested_slots(all).empty());
}

TEST_CASE("CLUSTER NODES: formatting the documentation example reproduces it", "[parse][cluster_nodes]") {
  CHECK(rcplan::format_cluster_nodes(rcplan::parse_cluster_nodes(doc_example_7_2)) == doc_example_7_2);
}

TEST_CASE("CLUSTER NODES: the pre-4.0 form without a cluster bus port", "[parse][cluster_nodes]") {
  const cluster_view old = rcplan::parse_cluster_nodes(doc_example_pre_4_0);
  const cluster_view current = rcplan::parse_cluster_nodes(doc_example_7_2);
  REQUIRE(old.nodes.size() == current.nodes.size());
  CHECK(old.observer == current.observer);
  for (std::size_t i = 0; i < old.nodes.size(); ++i) {
    CHECK(old.nodes[i].addr.bus_port == 0U);
    CHECK(old.nodes[i].addr.hostname.empty());
    CHECK(old.nodes[i].addr.port == current.nodes[i].addr.port);
    // apart from the address the two texts describe the same nodes
    cluster_node a = old.nodes[i];
    a.addr = current.nodes[i].addr;
    CHECK(a == current.nodes[i]);
  }
}

TEST_CASE("CLUSTER NODES: special slot entries from the documentation", "[parse][cluster_nodes]") {
  const std::string text =
      id_a + " 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 "
             "[93-<-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f] [1002-<-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1] "
             "[77->-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca] [16311->-292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f]\n";
  const cluster_view v = rcplan::parse_cluster_nodes(text);
  REQUIRE(v.nodes.size() == 1U);
  const cluster_node& me = v.nodes[0];
  // open slots are extra information: they do not change the owned slots
  CHECK(me.slots == slot_set{slot_range{0, 5460}});
  REQUIRE(me.open_slots.size() == 4U);
  using d = open_slot::direction;
  CHECK(me.open_slots[0] == open_slot{93, d::importing, node_id{id_c}});
  CHECK(me.open_slots[1] == open_slot{1002, d::importing, node_id{id_b}});
  CHECK(me.open_slots[2] == open_slot{77, d::migrating, node_id{id_a}});
  CHECK(me.open_slots[3] == open_slot{16311, d::migrating, node_id{id_c}});
  CHECK(rcplan::format_cluster_nodes(v) == text);
}

TEST_CASE("CLUSTER NODES: every flag, noflags, single slots and fragments", "[parse][cluster_nodes]") {
  const std::string text =
      id_a + " 10.0.0.1:6379@16379 myself,master - 0 0 7 connected 0 2-4 100 16383\n" +
      id_b + " 10.0.0.2:6379@16379 master,fail?,fail,nofailover - 1700000000000 1700000000001 3 disconnected\n" +
      id_c + " 10.0.0.3:6379@16379 slave,noaddr " + id_a + " 0 0 7 connected\n" +
      "824fe116063bc5fcf9f4ffd895bc17aee7731ac3 10.0.0.4:6379@16379 handshake - 1 0 0 disconnected\n" +
      "6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 noflags - 0 0 0 connected\n";
  const cluster_view v = rcplan::parse_cluster_nodes(text);
  REQUIRE(v.nodes.size() == 5U);
  CHECK(v.nodes[0].slots == slot_set{slot_range{0, 0}, slot_range{2, 4}, slot_range{100, 100}, slot_range{16383, 16383}});
  CHECK(v.nodes[0].slots.count() == 6U);
  const rcplan::node_flags& f = v.nodes[1].flags;
  CHECK((f.master && f.pfail && f.fail && f.nofailover && !f.myself && !f.replica && !f.handshake && !f.noaddr));
  CHECK(v.nodes[1].failed());
  CHECK(v.nodes[1].link == rcplan::link_state::disconnected);
  CHECK(v.nodes[1].ping_sent == 1700000000000U);
  CHECK(v.nodes[2].flags.noaddr);
  CHECK(v.nodes[2].role() == rcplan::node_role::replica);
  CHECK(v.nodes[3].flags.handshake);
  CHECK_FALSE(v.nodes[3].flags.master);
  CHECK(v.nodes[4].flags == rcplan::node_flags{});
  CHECK(v.nodes[4].addr == rcplan::address{});
  CHECK(rcplan::format_cluster_nodes(v) == text);
}

TEST_CASE("CLUSTER NODES: IPv6 hosts split at the last colon", "[parse][cluster_nodes]") {
  const std::string text = id_a + " ::1:7000@17000 myself,master - 0 0 1 connected 0-16383\n" +
                           id_b + " fe80::1ff:fe23:4567:890a:7001@17001,redis-1.local slave " + id_a +
                           " 0 5 1 connected\n" + id_c + " 2001:db8::7:7002 master - 0 5 2 connected\n";
  const cluster_view v = rcplan::parse_cluster_nodes(text);
  REQUIRE(v.nodes.size() == 3U);
  CHECK(v.nodes[0].addr == rcplan::address{"::1", 7000, 17000, ""});
  CHECK(v.nodes[1].addr == rcplan::address{"fe80::1ff:fe23:4567:890a", 7001, 17001, "redis-1.local"});
  CHECK(v.nodes[2].addr == rcplan::address{"2001:db8::7", 7002, 0, ""});
}

TEST_CASE("CLUSTER NODES: Redis 7.2 aux fields and an empty hostname", "[parse][cluster_nodes]") {
  const std::string text = id_a + " 127.0.0.1:30001@31001,,shard-id=abc,tls-port=0 myself,master - 0 0 1 connected\n" +
                           id_b + " 127.0.0.1:30002@31002,h2,shard-id=abc master - 0 0 1 connected\n" +
                           id_c + " 127.0.0.1:30003@31003, master - 0 0 1 connected\n";
  const cluster_view v = rcplan::parse_cluster_nodes(text);
  REQUIRE(v.nodes.size() == 3U);
  CHECK(v.nodes[0].addr == rcplan::address{"127.0.0.1", 30001, 31001, ""});
  CHECK(v.nodes[1].addr == rcplan::address{"127.0.0.1", 30002, 31002, "h2"});
  CHECK(v.nodes[2].addr == rcplan::address{"127.0.0.1", 30003, 31003, ""});
}

TEST_CASE("CLUSTER NODES: CRLF, trailing blanks and blank lines", "[parse][cluster_nodes]") {
  std::string crlf;
  for (char c : doc_example_7_2) {
    if (c == '\n') crlf += "  \t\r\n\r\n";
    else crlf += c;
  }
  crlf = "\r\n\n" + crlf;
  CHECK(rcplan::parse_cluster_nodes(crlf) == rcplan::parse_cluster_nodes(doc_example_7_2));
  // no final line end at all
  CHECK(rcplan::parse_cluster_nodes(doc_example_7_2.substr(0, doc_example_7_2.size() - 1)) ==
        rcplan::parse_cluster_nodes(doc_example_7_2));
}

TEST_CASE("CLUSTER NODES: empty input and a view without myself", "[parse][cluster_nodes]") {
  CHECK(rcplan::parse_cluster_nodes("") == cluster_view{});
  CHECK(rcplan::parse_cluster_nodes("\r\n  \n") == cluster_view{});
  const cluster_view v = rcplan::parse_cluster_nodes(good_line + "\n");
  CHECK(v.observer.empty());
  CHECK(v.nodes.size() == 1U);
}

TEST_CASE("CLUSTER NODES: topology_from_cluster_nodes holds one view", "[parse][cluster_nodes]") {
  const rcplan::topology t = rcplan::topology_from_cluster_nodes(doc_example_7_2);
  REQUIRE(t.views.size() == 1U);
  CHECK(t.views[0] == rcplan::parse_cluster_nodes(doc_example_7_2));
  CHECK(t.observations.empty());
  CHECK(rcplan::merged_nodes(t).size() == 6U);
}

TEST_CASE("CLUSTER NODES: garbled input names line, field, expectation and the offending text", "[parse][cluster_nodes]") {
  struct bad {
    std::string line;
    std::vector<std::string> message_parts;
  };
  const std::string id = "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1";
  const std::string tail = " master - 0 1 2 connected";
  const std::vector<bad> cases = {
      {"foo bar", {"expected at least 8 fields", "got 2"}},
      {id + " 127.0.0.1:1@2 master - 0 1 2", {"expected at least 8 fields", "got 7"}},
      {"67ED2DB8D677E59EC4A4CEFB06858CF2A1A89FA1 127.0.0.1:1@2" + tail, {"field 1 (id)", "40 lowercase hex", "\"67ED2DB8"}},
      {"67ed2db8 127.0.0.1:1@2" + tail, {"field 1 (id)", "got \"67ed2db8\""}},
      {id + " foo" + tail, {"field 2 (address): expected ip:port@cport, got \"foo\""}},
      {id + " 127.0.0.1:x@2" + tail, {"field 2 (address)", "port is not a number"}},
      {id + " 127.0.0.1:70000@2" + tail, {"field 2 (address)", "port is not a number 0-65535"}},
      {id + " 127.0.0.1:1@bus" + tail, {"field 2 (address)", "cluster bus port"}},
      {id + " 127.0.0.1:1@2,host,junk master - 0 1 2 connected", {"field 2 (address)", "key=value", "\"junk\""}},
      {id + " 127.0.0.1:1@2 master,leader - 0 1 2 connected", {"field 3 (flags)", "unknown flag \"leader\""}},
      {id + " 127.0.0.1:1@2 master,slave - 0 1 2 connected", {"field 3 (flags)", "not both"}},
      {id + " 127.0.0.1:1@2 slave abc 0 1 2 connected", {"field 4 (master)", "or -", "\"abc\""}},
      {id + " 127.0.0.1:1@2 master - x 1 2 connected", {"field 5 (ping-sent)", "unsigned integer", "\"x\""}},
      {id + " 127.0.0.1:1@2 master - 0 -1 2 connected", {"field 6 (pong-recv)", "\"-1\""}},
      {id + " 127.0.0.1:1@2 master - 0 1 99999999999999999999 connected", {"field 7 (config-epoch)"}},
      {id + " 127.0.0.1:1@2 master - 0 1 2 up", {"field 8 (link-state)", "connected or disconnected", "\"up\""}},
      {id + " 127.0.0.1:1@2" + tail + " 16384", {"field 9 (slot)", "16384 is out of range"}},
      {id + " 127.0.0.1:1@2" + tail + " 0-100 200-100", {"field 10 (slot)", "reversed", "\"200-100\""}},
      {id + " 127.0.0.1:1@2" + tail + " 1-", {"field 9 (slot)", "\"1-\""}},
      {id + " 127.0.0.1:1@2" + tail + " abc", {"field 9 (slot)", "\"abc\""}},
      {id + " 127.0.0.1:1@2" + tail + " 0-99999", {"field 9 (slot)", "out of range"}},
      {id + " 127.0.0.1:1@2" + tail + " [5->" + id + "]", {"field 9 (open slot)", "[slot->-node-id]"}},
      {id + " 127.0.0.1:1@2" + tail + " [5->-" + id, {"field 9 (open slot)"}},
      {id + " 127.0.0.1:1@2" + tail + " [20000-<-" + id + "]", {"field 9 (slot)", "out of range"}},
      {id + " 127.0.0.1:1@2" + tail + " [5-<-nothex]", {"field 9 (open slot)", "peer is not a node id"}},
  };
  for (const bad& b : cases) {
    INFO("input: " << b.line);
    // the bad line is the third one, after a comment-free good line and a blank line
    const rcplan::parse_error e = parse_failure(good_line + "\n\n" + b.line + "\n");
    CHECK(e.id() == "rcplan.parse.cluster_nodes");
    CHECK(e.line() == 3U);
    const std::string what = e.what();
    CHECK(what.rfind("[rcplan.parse.cluster_nodes] line 3: ", 0) == 0);
    for (const std::string& part : b.message_parts) {
      INFO("message: " << e.detail());
      CHECK(e.detail().find(part) != std::string::npos);
    }
  }
}

TEST_CASE("CLUSTER NODES: repeated ids and a second myself line are rejected", "[parse][cluster_nodes]") {
  {
    const rcplan::parse_error e = parse_failure(good_line + "\n" + good_line + "\n");
    CHECK(e.line() == 2U);
    CHECK(e.detail().find("already appeared on line 1") != std::string::npos);
  }
  {
    const std::string text = id_a + " 127.0.0.1:1@2 myself,master - 0 0 1 connected\n" + id_b +
                             " 127.0.0.1:3@4 myself,master - 0 0 1 connected\n";
    const rcplan::parse_error e = parse_failure(text);
    CHECK(e.id() == "rcplan.parse.cluster_nodes");
    CHECK(e.line() == 2U);
    CHECK(e.detail().find("second myself line (the first is line 1)") != std::string::npos);
  }
}

TEST_CASE("CLUSTER NODES: error messages quote control bytes and cut long input", "[parse][cluster_nodes]") {
  const rcplan::parse_error e = parse_failure("x\x01y " + std::string(500, 'z'));
  CHECK(e.line() == 1U);
  CHECK(e.detail().find("\\x01") != std::string::npos);
  CHECK(e.detail().size() < 300U);
}

TEST_CASE("CLUSTER NODES: parse(format(view)) == view", "[parse][cluster_nodes][property]") {
  rc::prop("round trip", [] {
    const cluster_view v = *rcplan::testing::gen_cluster_view();
    const std::string text = rcplan::format_cluster_nodes(v);
    RC_ASSERT(rcplan::parse_cluster_nodes(text) == v);
    // and the text is stable: formatting again gives the same bytes
    RC_ASSERT(rcplan::format_cluster_nodes(rcplan::parse_cluster_nodes(text)) == text);
  });
  rc::prop("round trip, many views per case", [] {
    const auto views = *rc::gen::container<std::vector<cluster_view>>(20, rcplan::testing::gen_cluster_view());
    for (const cluster_view& v : views) RC_ASSERT(rcplan::parse_cluster_nodes(rcplan::format_cluster_nodes(v)) == v);
  });
  rc::prop("single nodes with any flags and addresses", [] {
    cluster_view v;
    v.nodes.push_back(*rcplan::testing::gen_cluster_node());
    RC_ASSERT(rcplan::parse_cluster_nodes(rcplan::format_cluster_nodes(v)) == v);
  });
  rc::prop("CRLF line ends read the same", [] {
    const cluster_view v = *rcplan::testing::gen_cluster_view();
    std::string text;
    for (char c : rcplan::format_cluster_nodes(v)) text += c == '\n' ? std::string{" \r\n"} : std::string(1, c);
    RC_ASSERT(rcplan::parse_cluster_nodes(text) == v);
  });
}

TEST_CASE("CLUSTER NODES: a corrupted line is reported on its own line number", "[parse][cluster_nodes][property]") {
  rc::prop("truncating one line inside its first 8 fields", [] {
    const cluster_view v = *rcplan::testing::gen_cluster_view();
    std::vector<std::string> lines;
    const std::string text = rcplan::format_cluster_nodes(v);
    for (std::size_t start = 0; start < text.size();) {
      const std::size_t nl = text.find('\n', start);
      lines.push_back(text.substr(start, nl - start));
      start = nl + 1;
    }
    const auto victim = *rc::gen::inRange<std::size_t>(0, lines.size());
    // cut before the link-state field so at most 7 fields remain
    const std::string& l = lines[victim];
    std::size_t spaces = 0, cut = 0;
    for (std::size_t i = 0; i < l.size(); ++i)
      if (l[i] == ' ' && ++spaces == 7) cut = i;
    lines[victim] = l.substr(0, cut);
    std::string broken;
    for (const std::string& s : lines) broken += s + "\n";
    try {
      (void)rcplan::parse_cluster_nodes(broken);
      RC_FAIL("no error");
    } catch (const rcplan::parse_error& e) {
      RC_ASSERT(e.id() == std::string{"rcplan.parse.cluster_nodes"});
      RC_ASSERT(e.line() == victim + 1);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Dumps captured from real redis-server clusters (tests/data/cluster_nodes/capture.sh says
// what was done to each cluster; the checks below follow those steps). Ports base+1..3 are
// masters with slots 0-5460, 5461-10922, 10923-16383; base+4..6 replicate them in order.


namespace {

constexpr std::uint16_t capture_base = 32100;

std::string read_data(const std::string& name) {
  std::ifstream in(std::string{RCPLAN_TEST_DATA_DIR} + "/cluster_nodes/" + name, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const cluster_node& by_port(const cluster_view& v, unsigned port) {
  const auto it = std::find_if(v.nodes.begin(), v.nodes.end(),
                               [&](const cluster_node& n) { return n.addr.port == port; });
  if (it == v.nodes.end()) FAIL("no node on port " << port);
  return *it;
}

const slot_set master_slots[3] = {slot_set{slot_range{0, 5460}}, slot_set{slot_range{5461, 10922}},
                                  slot_set{slot_range{10923, 16383}}};

void check_captured_stable(const cluster_view& v, unsigned observer_port) {
  REQUIRE(v.nodes.size() == 6U);
  CHECK(v.observer == by_port(v, observer_port).id);
  for (unsigned i = 1; i <= 6; ++i) {
    const cluster_node& n = by_port(v, capture_base + i);
    CHECK(n.id.well_formed());
    CHECK(n.addr.host == "127.0.0.1");
    CHECK(n.addr.bus_port == capture_base + i + 10000);
    CHECK(n.link == rcplan::link_state::connected);
    CHECK(n.flags.myself == (capture_base + i == observer_port));
    CHECK_FALSE(n.failed());
    if (i <= 3) {
      CHECK(n.flags.master);
      CHECK(n.slots == master_slots[i - 1]);
      CHECK_FALSE(n.master_id.has_value());
    } else {
      CHECK(n.flags.replica);
      CHECK(n.slots.empty());
      CHECK(n.master_id == by_port(v, capture_base + i - 3).id);
    }
  }
}

}  // namespace

TEST_CASE("captured dumps print back byte for byte", "[parse][cluster_nodes][data]") {
  for (const char* name : {"stable_from_master.txt", "stable_from_replica.txt", "open_slot_source.txt",
                           "open_slot_target.txt", "handshake.txt", "failed_master.txt", "empty_masters.txt"}) {
    INFO(name);
    const std::string text = read_data(name);
    CHECK(rcplan::format_cluster_nodes(rcplan::parse_cluster_nodes(text)) == text);
  }
}

TEST_CASE("captured: a stable cluster seen from a master and from a replica", "[parse][cluster_nodes][data]") {
  const cluster_view from_master = rcplan::parse_cluster_nodes(read_data("stable_from_master.txt"));
  const cluster_view from_replica = rcplan::parse_cluster_nodes(read_data("stable_from_replica.txt"));
  check_captured_stable(from_master, capture_base + 1);
  check_captured_stable(from_replica, capture_base + 4);
  CHECK(by_port(from_replica, capture_base + 4).flags.replica);
  rcplan::topology t;
  t.views = {from_master, from_replica};
  CHECK(rcplan::views_agree(t));
  CHECK(rcplan::uncovered_slots(rcplan::merged_nodes(t)).empty());
}

TEST_CASE("captured: slot 100 half-way from the first master to the second", "[parse][cluster_nodes][data]") {
  const cluster_view source = rcplan::parse_cluster_nodes(read_data("open_slot_source.txt"));
  const cluster_view target = rcplan::parse_cluster_nodes(read_data("open_slot_target.txt"));
  check_captured_stable(source, capture_base + 1);
  check_captured_stable(target, capture_base + 2);
  const node_id src = by_port(source, capture_base + 1).id, dst = by_port(source, capture_base + 2).id;
  using d = open_slot::direction;
  CHECK(by_port(source, capture_base + 1).open_slots == std::vector<open_slot>{{100, d::migrating, dst}});
  CHECK(by_port(target, capture_base + 2).open_slots == std::vector<open_slot>{{100, d::importing, src}});
  // the owner does not change until SETSLOT NODE
  CHECK(by_port(target, capture_base + 1).slots.contains(100));
  CHECK_FALSE(by_port(target, capture_base + 2).slots.contains(100));
  for (const cluster_view* v : {&source, &target})
    for (const cluster_node& n : v->nodes)
      if (!n.flags.myself) CHECK(n.open_slots.empty());
}

TEST_CASE("captured: a MEET towards a closed port leaves a node in handshake", "[parse][cluster_nodes][data]") {
  const cluster_view v = rcplan::parse_cluster_nodes(read_data("handshake.txt"));
  REQUIRE(v.nodes.size() == 7U);
  CHECK(v.observer == by_port(v, capture_base + 3).id);
  const cluster_node& h = by_port(v, capture_base + 99);
  CHECK(h.flags.handshake);
  CHECK_FALSE(h.flags.master);
  CHECK_FALSE(h.flags.replica);
  CHECK(h.addr.bus_port == capture_base + 99 + 10000);
  CHECK(h.link == rcplan::link_state::disconnected);
  CHECK(h.slots.empty());
  for (unsigned i = 1; i <= 6; ++i) CHECK(by_port(v, capture_base + i).id != h.id);
}

TEST_CASE("captured: a crashed master flagged fail and replaced by its replica", "[parse][cluster_nodes][data]") {
  const cluster_view v = rcplan::parse_cluster_nodes(read_data("failed_master.txt"));
  REQUIRE(v.nodes.size() == 6U);
  const cluster_node& dead = by_port(v, capture_base + 3);
  CHECK(dead.flags.fail);
  CHECK(dead.flags.master);
  CHECK(dead.failed());
  CHECK(dead.link == rcplan::link_state::disconnected);
  CHECK(dead.ping_sent > 0U);
  CHECK(dead.slots.empty());
  const cluster_node& promoted = by_port(v, capture_base + 6);
  CHECK(promoted.flags.master);
  CHECK_FALSE(promoted.master_id.has_value());
  CHECK(promoted.slots == master_slots[2]);
  CHECK(promoted.config_epoch > dead.config_epoch);
  CHECK(rcplan::uncovered_slots(v.nodes).empty());
  CHECK(rcplan::contested_slots(v.nodes).empty());
}

TEST_CASE("captured: three masters that know each other but own no slots", "[parse][cluster_nodes][data]") {
  const cluster_view v = rcplan::parse_cluster_nodes(read_data("empty_masters.txt"));
  REQUIRE(v.nodes.size() == 3U);
  CHECK(v.observer == by_port(v, capture_base + 11).id);
  for (unsigned p : {capture_base + 11U, capture_base + 12U, capture_base + 13U}) {
    const cluster_node& n = by_port(v, p);
    CHECK(n.flags.master);
    CHECK(n.slots.empty());
    CHECK(n.config_epoch == 0U);
  }
  CHECK(rcplan::uncovered_slots(v.nodes).full());
}

// ---------------------------------------------------------------------------------------------
// Live clusters of real redis-server processes, put into odd states by the test itself.

#include "support/redis_cluster.hpp"

namespace {

cluster_view live_view(const rcplan_test::redis_cluster& c, int i) {
  const std::string text = c.cluster_nodes(i);
  cluster_view v = rcplan::parse_cluster_nodes(text);
  // Redis 7.0 prints exactly what format_cluster_nodes prints
  CHECK(rcplan::format_cluster_nodes(v) == text);
  return v;
}

const cluster_node* find_id(const cluster_view& v, const std::string& id) {
  for (const cluster_node& n : v.nodes)
    if (n.id.value == id) return &n;
  return nullptr;
}

}  // namespace

TEST_CASE("live: 3 masters with a replica each, an open slot, a handshake and a crash", "[parse][cluster_nodes][live]") {
  rcplan_test::redis_cluster c(3, 1);
  const int n = c.size();

  // Replicas become known as replicas by gossip; wait until every node tells the same story.
  REQUIRE(rcplan_test::eventually([&] {
    rcplan::topology t;
    for (int i = 0; i < n; ++i) t.views.push_back(rcplan::parse_cluster_nodes(c.cluster_nodes(i)));
    std::size_t replicas = 0;
    for (const cluster_view& v : t.views)
      for (const cluster_node& x : v.nodes) replicas += x.flags.replica;
    return rcplan::views_agree(t) && replicas == 18U;  // 3 replica lines in each of 6 views
  }));

  for (int i = 0; i < n; ++i) {
    INFO("view of node " << i);
    const cluster_view v = live_view(c, i);
    REQUIRE(v.nodes.size() == 6U);
    CHECK(v.observer.value == c.id(i));
    for (int j = 0; j < n; ++j) {
      const cluster_node* x = find_id(v, c.id(j));
      REQUIRE(x != nullptr);
      CHECK(x->addr.host == "127.0.0.1");
      CHECK(x->addr.port == c.port(j));
      CHECK(x->addr.bus_port == c.port(j) + 10000);
      CHECK(x->flags.myself == (i == j));
      CHECK(x->link == rcplan::link_state::connected);
      if (j < 3) {
        CHECK(x->flags.master);
        const auto first = static_cast<rcplan::slot>(16384 * j / 3);
        const auto last = static_cast<rcplan::slot>(16384 * (j + 1) / 3 - 1);
        CHECK(x->slots == slot_set{slot_range{first, last}});
      } else {
        CHECK(x->flags.replica);
        REQUIRE(x->master_id.has_value());
        CHECK(x->master_id->value == c.id(j - 3));  // the fixture's replica layout
        CHECK(x->slots.empty());
      }
    }
  }

  SECTION("open slot, handshake, failed master") {
    // Slot 7 leaves master 0 for master 1: importing side first, as redis-cli does.
    c.client(1).call({"CLUSTER", "SETSLOT", "7", "IMPORTING", c.id(0)});
    c.client(0).call({"CLUSTER", "SETSLOT", "7", "MIGRATING", c.id(1)});
    using d = open_slot::direction;
    {
      const cluster_view src = live_view(c, 0), dst = live_view(c, 1);
      CHECK(find_id(src, c.id(0))->open_slots == std::vector<open_slot>{{7, d::migrating, node_id{c.id(1)}}});
      CHECK(find_id(dst, c.id(1))->open_slots == std::vector<open_slot>{{7, d::importing, node_id{c.id(0)}}});
      CHECK(find_id(src, c.id(0))->slots.contains(7));
      CHECK(find_id(dst, c.id(0))->slots.contains(7));
      CHECK(find_id(dst, c.id(1))->open_slots.size() == 1U);
      CHECK(find_id(src, c.id(1))->open_slots.empty());  // only the myself line carries them
    }

    // MEET towards a port where nobody listens: a node of unknown id stays in handshake.
    std::uint16_t closed = rcplan_test::free_port();
    while (closed > 55535) closed = rcplan_test::free_port();  // its bus port must exist too
    c.client(2).call({"CLUSTER", "MEET", "127.0.0.1", std::to_string(closed)});
    {
      const cluster_view v = live_view(c, 2);
      REQUIRE(v.nodes.size() == 7U);
      const cluster_node& h = by_port(v, closed);
      CHECK(h.flags.handshake);
      CHECK_FALSE(h.flags.myself);
      CHECK(h.id.well_formed());
      for (int j = 0; j < n; ++j) CHECK(h.id.value != c.id(j));
      CHECK(h.addr.bus_port == closed + 10000);
      CHECK(h.slots.empty());
    }

    // Master 2 crashes; the others first suspect it, then agree it failed.
    const std::string dead = c.id(2);
    c.node(2).kill_now();
    REQUIRE(rcplan_test::eventually([&] {
      const cluster_view v = rcplan::parse_cluster_nodes(c.cluster_nodes(0));
      const cluster_node* x = find_id(v, dead);
      return x != nullptr && x->flags.fail;
    }));
    const cluster_view v = live_view(c, 0);
    const cluster_node* x = find_id(v, dead);
    REQUIRE(x != nullptr);
    CHECK(x->flags.fail);
    CHECK_FALSE(x->flags.pfail);  // fail replaces fail?
    CHECK(x->flags.master);
    CHECK(x->failed());
    CHECK(x->link == rcplan::link_state::disconnected);
    CHECK(x->addr.port == c.port(2));
    // the open slot survives on the observer's line
    CHECK(find_id(v, c.id(0))->open_slots == std::vector<open_slot>{{7, d::migrating, node_id{c.id(1)}}});
  }
}

TEST_CASE("live: masters met but owning no slots", "[parse][cluster_nodes][live]") {
  rcplan_test::redis_cluster c(0, 0, 3);
  for (int i = 0; i < c.size(); ++i) {
    const cluster_view v = live_view(c, i);
    REQUIRE(v.nodes.size() == 3U);
    CHECK(v.observer.value == c.id(i));
    for (int j = 0; j < c.size(); ++j) {
      const cluster_node* x = find_id(v, c.id(j));
      REQUIRE(x != nullptr);
      CHECK(x->flags.master);
      CHECK(x->flags.myself == (i == j));
      CHECK(x->slots.empty());
      CHECK(x->addr.port == c.port(j));
      CHECK_FALSE(x->master_id.has_value());
    }
    CHECK(rcplan::uncovered_slots(v.nodes).full());
  }
}
