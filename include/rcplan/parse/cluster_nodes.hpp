#pragma once

// `CLUSTER NODES` text <-> cluster_view.
//
// Accepted line shape (Redis 3 to 7.2):
//   <id> <ip:port[@cport][,hostname[,key=value...]]> <flags> <master-id|-> <ping-sent>
//   <pong-recv> <config-epoch> <connected|disconnected> [<slot>|<first-last>|[<slot>->-<id>]|[<slot>-<-<id>]]...
// LF or CRLF line ends, trailing blanks and blank lines are fine. Anything else throws
// rcplan::parse_error with id `rcplan.parse.cluster_nodes` and the 1-based line number.

#include <rcplan/error.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/detail/text.hpp>
#include <rcplan/parse/detail/cluster_nodes.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

/// Parses one node's `CLUSTER NODES` reply. The view's observer is the id of the `myself`
/// line (empty when there is none). Node order is kept as printed. Throws parse_error on any
/// garbled line, on a repeated node id and on a second `myself` line.
[[nodiscard]] inline cluster_view parse_cluster_nodes(std::string_view text) {
  cluster_view view;
  std::map<node_id, std::size_t> seen;  // id -> line it was first seen on
  std::size_t myself_line = 0;
  for (const parse_detail::text_line& line : parse_detail::split_lines(text)) {
    if (parse_detail::trim(line.text).empty()) continue;
    const parse_detail::cluster_nodes_line_parser p{line.number};
    cluster_node n = p.parse(line.text);
    if (const auto [it, fresh] = seen.try_emplace(n.id, line.number); !fresh)
      p.fail("node id " + n.id.value + " already appeared on line " + std::to_string(it->second));
    if (n.flags.myself) {
      if (myself_line != 0)
        p.fail("a second myself line (the first is line " + std::to_string(myself_line) + ")");
      myself_line = line.number;
      view.observer = n.id;
    }
    view.nodes.push_back(std::move(n));
  }
  return view;
}

/// Prints a view exactly as Redis 7.0 does: one LF-terminated line per node, flags in Redis'
/// order, slots as maximal ranges, open slots in the order they are stored. The hostname is
/// appended after a comma only when it is set.
[[nodiscard]] inline std::string format_cluster_nodes(const cluster_view& view) {
  std::string out;
  for (const cluster_node& n : view.nodes) {
    out += n.id.value;
    out += ' ';
    out += n.addr.host;
    out += ':';
    out += std::to_string(n.addr.port);
    out += '@';
    out += std::to_string(n.addr.bus_port);
    if (!n.addr.hostname.empty()) {
      out += ',';
      out += n.addr.hostname;
    }
    out += ' ';
    parse_detail::append_flags(out, n.flags);
    out += ' ';
    out += n.master_id ? n.master_id->value : std::string{"-"};
    for (std::uint64_t v : {n.ping_sent, n.pong_received, n.config_epoch}) {
      out += ' ';
      out += std::to_string(v);
    }
    out += n.link == link_state::connected ? " connected" : " disconnected";
    n.slots.for_each_range([&](slot_range r) {
      out += ' ';
      out += std::to_string(r.first);
      if (r.last != r.first) {
        out += '-';
        out += std::to_string(r.last);
      }
    });
    for (const open_slot& o : n.open_slots) {
      out += " [";
      out += std::to_string(o.number);
      out += o.dir == open_slot::direction::migrating ? "->-" : "-<-";
      out += o.peer.value;
      out += ']';
    }
    out += '\n';
  }
  return out;
}

/// A topology holding just this one view, for callers that observed a single node.
[[nodiscard]] inline topology topology_from_cluster_nodes(std::string_view text) {
  topology t;
  t.views.push_back(parse_cluster_nodes(text));
  return t;
}

}  // namespace rcplan
