#pragma once

// The line parser behind parse_cluster_nodes() and the flag formatting of
// format_cluster_nodes().

#include <rcplan/error.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/detail/text.hpp>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan::parse_detail {

inline constexpr const char* cluster_nodes_error_id = "rcplan.parse.cluster_nodes";

class cluster_nodes_line_parser {
 public:
  explicit cluster_nodes_line_parser(std::size_t line) : line_(line) {}

  [[nodiscard]] cluster_node parse(std::string_view text) const {
    const std::vector<std::string_view> f = split_fields(text);
    if (f.size() < 8)
      fail("expected at least 8 fields (id address flags master ping-sent pong-recv config-epoch "
           "link-state), got " + std::to_string(f.size()) + " in " + quote(text));
    cluster_node n;
    n.id = node_id{std::string{parse_id(f[0], 1, "id")}};
    n.addr = parse_address(f[1]);
    n.flags = parse_flags(f[2]);
    if (f[3] != "-") n.master_id = node_id{std::string{parse_id(f[3], 4, "master")}};
    n.ping_sent = parse_number(f[4], 5, "ping-sent");
    n.pong_received = parse_number(f[5], 6, "pong-recv");
    n.config_epoch = parse_number(f[6], 7, "config-epoch");
    if (f[7] == "connected") n.link = link_state::connected;
    else if (f[7] == "disconnected") n.link = link_state::disconnected;
    else fail_field(8, "link-state", "connected or disconnected", f[7]);
    for (std::size_t i = 8; i < f.size(); ++i) parse_slot_entry(f[i], i + 1, n);
    return n;
  }

  [[noreturn]] void fail(const std::string& message) const {
    throw parse_error(cluster_nodes_error_id, line_, message);
  }

 private:
  [[noreturn]] void fail_field(std::size_t field, std::string_view name, std::string_view expected,
                               std::string_view got, std::string_view why = {}) const {
    std::string m = "field " + std::to_string(field) + " (" + std::string{name} + "): expected " +
                    std::string{expected} + ", got " + quote(got);
    if (!why.empty()) m += " (" + std::string{why} + ")";
    fail(m);
  }

  std::string_view parse_id(std::string_view s, std::size_t field, std::string_view name) const {
    if (!is_node_id(s)) fail_field(field, name, name == "master" ? "a node id (40 lowercase hex) or -" : "a node id (40 lowercase hex)", s);
    return s;
  }

  std::uint64_t parse_number(std::string_view s, std::size_t field, std::string_view name) const {
    const auto v = parse_unsigned(s);
    if (!v) fail_field(field, name, "an unsigned integer", s);
    return *v;
  }

  address parse_address(std::string_view s) const {
    static constexpr std::string_view shape = "ip:port@cport";
    address a;
    const std::vector<std::string_view> parts = split_on(s, ',');
    std::string_view endpoint = parts[0];
    if (parts.size() > 1) {
      // Redis 7 puts the announced hostname first (possibly empty), then key=value aux fields.
      std::size_t next = 1;
      if (parts[1].find('=') == std::string_view::npos) {
        a.hostname = std::string{parts[1]};
        next = 2;
      }
      for (std::size_t i = next; i < parts.size(); ++i) {
        const std::size_t eq = parts[i].find('=');
        if (eq == std::string_view::npos || eq == 0)
          fail_field(2, "address", "key=value after the hostname", parts[i]);
      }
    }
    std::string_view host_port = endpoint;
    const std::size_t at = endpoint.find('@');
    if (at != std::string_view::npos) {
      host_port = endpoint.substr(0, at);
      const auto bus = parse_unsigned(endpoint.substr(at + 1), 65535);
      if (!bus) fail_field(2, "address", shape, s, "cluster bus port is not a number 0-65535");
      a.bus_port = static_cast<std::uint16_t>(*bus);
    }
    // IPv6 hosts contain ':' themselves, so the port starts after the last one.
    const std::size_t colon = host_port.rfind(':');
    if (colon == std::string_view::npos) fail_field(2, "address", shape, s);
    const auto port = parse_unsigned(host_port.substr(colon + 1), 65535);
    if (!port) fail_field(2, "address", shape, s, "port is not a number 0-65535");
    a.host = std::string{host_port.substr(0, colon)};
    a.port = static_cast<std::uint16_t>(*port);
    return a;
  }

  node_flags parse_flags(std::string_view s) const {
    node_flags f;
    for (std::string_view flag : split_on(s, ',')) {
      if (flag == "myself") f.myself = true;
      else if (flag == "master") f.master = true;
      else if (flag == "slave") f.replica = true;
      else if (flag == "fail?") f.pfail = true;
      else if (flag == "fail") f.fail = true;
      else if (flag == "handshake") f.handshake = true;
      else if (flag == "noaddr") f.noaddr = true;
      else if (flag == "nofailover") f.nofailover = true;
      else if (flag == "noflags") continue;
      else
        fail_field(3, "flags",
                   "comma-separated flags (myself, master, slave, fail?, fail, handshake, noaddr, "
                   "nofailover, noflags)",
                   s, "unknown flag " + quote(flag));
    }
    if (f.master && f.replica) fail_field(3, "flags", "master or slave, not both", s);
    return f;
  }

  slot parse_slot(std::string_view s, std::size_t field, std::string_view whole) const {
    const auto v = parse_unsigned(s, 1'000'000);
    if (!v) fail_field(field, "slot", "a slot number or first-last range", whole);
    if (*v > max_slot)
      fail_field(field, "slot", "slots 0-16383", whole, std::to_string(*v) + " is out of range");
    return static_cast<slot>(*v);
  }

  void parse_slot_entry(std::string_view s, std::size_t field, cluster_node& n) const {
    if (!s.empty() && s.front() == '[') {
      static constexpr std::string_view shape = "[slot->-node-id] or [slot-<-node-id]";
      if (s.size() < 2 || s.back() != ']') fail_field(field, "open slot", shape, s);
      const std::string_view inner = s.substr(1, s.size() - 2);
      open_slot o;
      std::size_t arrow = inner.find("->-");
      o.dir = open_slot::direction::migrating;
      if (arrow == std::string_view::npos) {
        arrow = inner.find("-<-");
        o.dir = open_slot::direction::importing;
      }
      if (arrow == std::string_view::npos) fail_field(field, "open slot", shape, s);
      o.number = parse_slot(inner.substr(0, arrow), field, s);
      const std::string_view peer = inner.substr(arrow + 3);
      if (!is_node_id(peer)) fail_field(field, "open slot", shape, s, "peer is not a node id");
      o.peer = node_id{std::string{peer}};
      n.open_slots.push_back(std::move(o));
      return;
    }
    const std::size_t dash = s.find('-');
    if (dash == std::string_view::npos) {
      n.slots.insert(parse_slot(s, field, s));
      return;
    }
    const slot first = parse_slot(s.substr(0, dash), field, s);
    const slot last = parse_slot(s.substr(dash + 1), field, s);
    if (first > last) fail_field(field, "slot", "first <= last in a slot range", s, "range is reversed");
    n.slots.insert(slot_range{first, last});
  }

  std::size_t line_;
};

inline void append_flags(std::string& out, const node_flags& f) {
  const std::size_t start = out.size();
  const auto add = [&](bool on, const char* name) {
    if (!on) return;
    if (out.size() > start) out += ',';
    out += name;
  };
  add(f.myself, "myself");
  add(f.master, "master");
  add(f.replica, "slave");
  add(f.pfail, "fail?");
  add(f.fail, "fail");
  add(f.handshake, "handshake");
  add(f.noaddr, "noaddr");
  add(f.nofailover, "nofailover");
  if (out.size() == start) out += "noflags";
}

}  // namespace rcplan::parse_detail
