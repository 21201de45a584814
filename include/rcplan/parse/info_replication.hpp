#pragma once

// `INFO` / `INFO replication` text <-> replication_info.
//
// Accepts the whole `INFO` output (only the `# Replication` section is read; other sections
// are skipped unread) or the replication section alone, with or without its header. Unknown
// keys are ignored so newer servers keep parsing; known keys with malformed values throw
// rcplan::parse_error with id `rcplan.parse.info_replication`.

#include <rcplan/error.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/parse/detail/text.hpp>
#include <rcplan/parse/detail/info_replication.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan {

/// Parses `INFO` or `INFO replication` output; see the file comment for what is accepted.
[[nodiscard]] inline replication_info parse_info_replication(std::string_view text) {
  return parse_detail::info_replication_parser{}.parse(text);
}

/// Prints the `# Replication` section the way Redis 7.0 does (CRLF line ends), limited to the
/// fields replication_info holds: master-side fields for a master, both sides for a replica.
[[nodiscard]] inline std::string format_info_replication(const replication_info& r) {
  std::string out = "# Replication\r\n";
  const auto line = [&](std::string_view key, const std::string& value) {
    out += key;
    out += ':';
    out += value;
    out += "\r\n";
  };
  const bool replica = r.role == node_role::replica;
  line("role", replica ? "slave" : "master");
  if (replica) {
    line("master_host", r.master_host);
    line("master_port", std::to_string(r.master_port));
    line("master_link_status", r.master_link_up ? "up" : "down");
    if (r.master_last_io_seconds_ago)
      line("master_last_io_seconds_ago", std::to_string(*r.master_last_io_seconds_ago));
    line("master_sync_in_progress", r.master_sync_in_progress ? "1" : "0");
    line("slave_repl_offset", std::to_string(r.replica_repl_offset));
    line("slave_priority", std::to_string(r.replica_priority));
    line("slave_read_only", r.replica_read_only ? "1" : "0");
  }
  line("connected_slaves", std::to_string(r.replicas.size()));
  for (std::size_t i = 0; i < r.replicas.size(); ++i) {
    const replica_link& l = r.replicas[i];
    line("slave" + std::to_string(i), "ip=" + l.host + ",port=" + std::to_string(l.port) +
                                          ",state=" + l.state + ",offset=" + std::to_string(l.offset) +
                                          ",lag=" + std::to_string(l.lag));
  }
  line("master_replid", r.master_replid);
  line("master_repl_offset", std::to_string(r.master_repl_offset));
  return out;
}

}  // namespace rcplan
