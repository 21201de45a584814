#pragma once

// The field parser behind parse_info_replication().

#include <rcplan/error.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/parse/detail/text.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::parse_detail {

inline constexpr const char* info_replication_error_id = "rcplan.parse.info_replication";

class info_replication_parser {
 public:
  replication_info parse(std::string_view text) {
    const std::vector<text_line> lines = split_lines(text);
    bool sectioned = false;
    for (const text_line& l : lines)
      if (!trim(l.text).empty() && trim(l.text).front() == '#') sectioned = true;

    bool in_replication = !sectioned;
    bool found_section = !sectioned;
    for (const text_line& l : lines) {
      const std::string_view t = trim(l.text);
      if (t.empty()) continue;
      if (t.front() == '#') {
        in_replication = trim(t.substr(1)) == "Replication";
        found_section = found_section || in_replication;
        continue;
      }
      if (!in_replication) continue;
      line_ = l.number;
      const std::size_t colon = t.find(':');
      if (colon == std::string_view::npos || colon == 0) fail("expected key:value, got " + quote(t));
      field(t.substr(0, colon), t.substr(colon + 1));
    }
    line_ = 0;
    if (!found_section) fail("no \"# Replication\" section in the INFO output");
    if (!have_role_) fail("missing field \"role\" (expected role:master or role:slave)");
    return info_;
  }

 private:
  [[noreturn]] void fail(const std::string& message) const {
    throw parse_error(info_replication_error_id, line_, message);
  }
  [[noreturn]] void bad_value(std::string_view key, std::string_view expected, std::string_view got) const {
    fail("field \"" + std::string{key} + "\": expected " + std::string{expected} + ", got " + quote(got));
  }

  std::uint64_t unsigned_value(std::string_view key, std::string_view v) const {
    const auto n = parse_unsigned(v);
    if (!n) bad_value(key, "an unsigned integer", v);
    return *n;
  }
  std::uint16_t port_value(std::string_view key, std::string_view v) const {
    const auto n = parse_unsigned(v, 65535);
    if (!n) bad_value(key, "a port number 0-65535", v);
    return static_cast<std::uint16_t>(*n);
  }
  bool flag_value(std::string_view key, std::string_view v) const {
    if (v == "0") return false;
    if (v == "1") return true;
    bad_value(key, "0 or 1", v);
  }

  static bool is_replica_key(std::string_view key) {
    if (key.size() <= 5 || key.substr(0, 5) != "slave") return false;
    return parse_unsigned(key.substr(5)).has_value();
  }

  void field(std::string_view key, std::string_view v) {
    if (key == "role") {
      if (v == "master") info_.role = node_role::master;
      else if (v == "slave" || v == "replica") info_.role = node_role::replica;
      else bad_value(key, "master or slave", v);
      have_role_ = true;
    } else if (key == "master_host") {
      info_.master_host = std::string{v};
    } else if (key == "master_port") {
      info_.master_port = port_value(key, v);
    } else if (key == "master_link_status") {
      if (v == "up") info_.master_link_up = true;
      else if (v == "down") info_.master_link_up = false;
      else bad_value(key, "up or down", v);
    } else if (key == "master_last_io_seconds_ago") {
      const auto n = parse_signed(v);
      if (!n) bad_value(key, "an integer", v);
      info_.master_last_io_seconds_ago = *n;
    } else if (key == "master_sync_in_progress") {
      info_.master_sync_in_progress = flag_value(key, v);
    } else if (key == "slave_repl_offset") {
      info_.replica_repl_offset = unsigned_value(key, v);
    } else if (key == "slave_priority" || key == "replica_priority" || key == "replica-priority") {
      const auto n = parse_unsigned(v, 1'000'000'000);
      if (!n) bad_value(key, "a non-negative integer", v);
      info_.replica_priority = static_cast<int>(*n);
    } else if (key == "slave_read_only" || key == "replica_read_only") {
      info_.replica_read_only = flag_value(key, v);
    } else if (key == "master_replid") {
      info_.master_replid = std::string{v};
    } else if (key == "master_repl_offset") {
      info_.master_repl_offset = unsigned_value(key, v);
    } else if (is_replica_key(key)) {
      info_.replicas.push_back(replica(key, v));
    }
  }

  replica_link replica(std::string_view key, std::string_view v) const {
    replica_link r;
    bool ip = false, port = false, state = false, offset = false;
    for (std::string_view kv : split_on(v, ',')) {
      const std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos) bad_value(key, "ip=...,port=...,state=...,offset=...,lag=...", v);
      const std::string_view k = kv.substr(0, eq), val = kv.substr(eq + 1);
      const std::string where = std::string{key} + "." + std::string{k};
      if (k == "ip") {
        r.host = std::string{val};
        ip = true;
      } else if (k == "port") {
        r.port = port_value(where, val);
        port = true;
      } else if (k == "state") {
        r.state = std::string{val};
        state = true;
      } else if (k == "offset") {
        r.offset = unsigned_value(where, val);
        offset = true;
      } else if (k == "lag") {
        r.lag = unsigned_value(where, val);
      }
    }
    if (!(ip && port && state && offset))
      bad_value(key, "ip=...,port=...,state=...,offset=...[,lag=...] (ip, port, state and offset are required)", v);
    return r;
  }

  replication_info info_;
  bool have_role_ = false;
  std::size_t line_ = 0;
};

}  // namespace rcplan::parse_detail
