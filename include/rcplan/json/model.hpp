#pragma once

// to_json/from_json (found by ADL from nlohmann/json) for the model: slots, nodes, views,
// observations, pods and whole topologies, plus diagnostics.
//
// Shapes. Field names are the C++ member names, so the structs document the JSON:
//   slot_range        [first, last]                      (input also: a single slot number)
//   slot_set          [[0, 5460], [10923, 16383]]        sorted, maximal, inclusive ranges;
//                                                        input may be unsorted, overlapping, or
//                                                        mix single numbers and pairs
//   node_id           "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca"
//   address           {"host","port","bus_port","hostname"}
//   node_flags        ["myself","master","slave","fail?","fail","handshake","noaddr","nofailover"]
//                     (the set ones, in this order; the wire names of `CLUSTER NODES`)
//   open_slot         {"number","dir":"migrating"|"importing","peer"}
//   cluster_node      {"id","addr","flags","master_id"?,"ping_sent","pong_received",
//                      "config_epoch","link":"connected"|"disconnected","slots","open_slots"}
//   cluster_view      {"observer","nodes"}
//   replica_link      {"host","port","state","offset","lag"}
//   replication_info  {"role":"master"|"replica","master_host","master_port","master_link_up",
//                      "master_last_io_seconds_ago"?,"master_sync_in_progress",
//                      "replica_repl_offset","replica_priority","replica_read_only",
//                      "replicas","master_replid","master_repl_offset"}
//   password_state    {"requirepass_current","masterauth_current"}
//   node_observation  {"id","addr","reachable","error","replication"?,"keys_per_slot"?,
//                      "password"?}
//                     keys_per_slot is an object {"<slot>": count}; absent means not observed
//   pod               {"name","shard_index","ordinal","kube_node","zone","ip","port","ready",
//                      "terminating","revision"}
//   statefulset       {"name","shard_index","replicas","ready_replicas","current_revision",
//                      "update_revision","image"?,"config_hash"?,"password_secret"?}
//   topology          {"views","observations","pods","statefulsets","observed_at_ms"?}
//   (fields marked ? after a name are written only when set; node_observation's "config",
//   an object of strings, too)
//   view_disagreement {"observer","subject","what":"unknown_node"|"role"|"master"|"slots"}
//   diagnostic        {"severity":"info"|"warning"|"error","code","subject"?,"message"}
// `?` marks a field written only when set (an empty optional, an empty subject).
//
// Reading: ids and names are required, every other field defaults to the struct's default when
// absent or null, and unknown fields are ignored so that newer writers stay readable. A value of
// the wrong type or out of range throws rcplan::json_error whose path() names it in full, such
// as `views[1].nodes[3].slots[0]`.
//
// Writing: into nlohmann::ordered_json the fields come in the order above; into nlohmann::json
// they are sorted. Both are deterministic byte for byte.

#include <rcplan/diagnostic.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/convert.hpp>
#include <rcplan/json/detail.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rcplan::detail {

template <>
struct json_enum<node_role> {
  static constexpr std::array<std::pair<node_role, std::string_view>, 2> names{{
      {node_role::master, "master"},
      {node_role::replica, "replica"},
  }};
};

template <>
struct json_enum<link_state> {
  static constexpr std::array<std::pair<link_state, std::string_view>, 2> names{{
      {link_state::connected, "connected"},
      {link_state::disconnected, "disconnected"},
  }};
};

template <>
struct json_enum<open_slot::direction> {
  static constexpr std::array<std::pair<open_slot::direction, std::string_view>, 2> names{{
      {open_slot::direction::migrating, "migrating"},
      {open_slot::direction::importing, "importing"},
  }};
};

template <>
struct json_enum<view_disagreement::kind> {
  static constexpr std::array<std::pair<view_disagreement::kind, std::string_view>, 4> names{{
      {view_disagreement::kind::unknown_node, "unknown_node"},
      {view_disagreement::kind::role, "role"},
      {view_disagreement::kind::master, "master"},
      {view_disagreement::kind::slots, "slots"},
  }};
};

template <>
struct json_enum<severity> {
  static constexpr std::array<std::pair<severity, std::string_view>, 3> names{{
      {severity::info, "info"},
      {severity::warning, "warning"},
      {severity::error, "error"},
  }};
};

/// The flags as `CLUSTER NODES` spells them, in the order Redis prints them.
inline constexpr std::array<std::pair<bool node_flags::*, std::string_view>, 8> node_flag_names{{
    {&node_flags::myself, "myself"},
    {&node_flags::master, "master"},
    {&node_flags::replica, "slave"},
    {&node_flags::pfail, "fail?"},
    {&node_flags::fail, "fail"},
    {&node_flags::handshake, "handshake"},
    {&node_flags::noaddr, "noaddr"},
    {&node_flags::nofailover, "nofailover"},
}};

[[nodiscard]] inline slot slot_from_json(const nlohmann::json& j) {
  const auto value = integer_from_json<std::int64_t>(j);
  if (!is_valid_slot(value))
    throw json_error("", "slot " + std::to_string(value) + " is out of range 0.." +
                             std::to_string(max_slot));
  return static_cast<slot>(value);
}

/// Slot numbers as object keys (`keys_per_slot`): plain decimal, nothing else.
[[nodiscard]] inline slot slot_from_key(const std::string& key) {
  const bool digits = !key.empty() && key.size() <= 5 &&
                      key.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || !is_valid_slot(std::stoll(key)))
    throw json_error("", "\"" + key + "\" is not a slot number 0.." + std::to_string(max_slot));
  return static_cast<slot>(std::stoll(key));
}

}  // namespace rcplan::detail

namespace rcplan {

// --- enums ------------------------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, node_role v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, node_role& v) { v = detail::enum_from_json<node_role>(j); }

template <detail::json_document J>
void to_json(J& j, link_state v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, link_state& v) { v = detail::enum_from_json<link_state>(j); }

template <detail::json_document J>
void to_json(J& j, open_slot::direction v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, open_slot::direction& v) {
  v = detail::enum_from_json<open_slot::direction>(j);
}

template <detail::json_document J>
void to_json(J& j, view_disagreement::kind v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, view_disagreement::kind& v) {
  v = detail::enum_from_json<view_disagreement::kind>(j);
}

template <detail::json_document J>
void to_json(J& j, severity v) { j = detail::enum_to_string(v); }
inline void from_json(const nlohmann::json& j, severity& v) { v = detail::enum_from_json<severity>(j); }

// --- slots ------------------------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const slot_range& r) {
  j = J::array({r.first, r.last});
}

inline void from_json(const nlohmann::json& j, slot_range& r) {
  if (j.is_number()) {
    r.first = r.last = detail::slot_from_json(j);
    return;
  }
  if (!j.is_array() || j.size() != 2)
    throw json_error("", "expected a slot or a [first, last] pair, got " +
                             (j.is_array() ? "an array of " + std::to_string(j.size()) : detail::json_type_name(j)));
  slot_range out;
  detail::for_each_element(j, [&](const nlohmann::json& bound, std::size_t i) {
    (i == 0 ? out.first : out.last) = detail::slot_from_json(bound);
  });
  if (out.first > out.last)
    throw json_error("", "reversed range [" + std::to_string(out.first) + ", " +
                             std::to_string(out.last) + "]");
  r = out;
}

template <detail::json_document J>
void to_json(J& j, const slot_set& s) {
  j = J::array();
  s.for_each_range([&](slot_range r) { j.push_back(J::array({r.first, r.last})); });
}

inline void from_json(const nlohmann::json& j, slot_set& s) {
  slot_set out;
  detail::for_each_element(j, [&](const nlohmann::json& element, std::size_t) {
    slot_range r;
    from_json(element, r);
    out.insert(r);
  });
  s = out;
}

// --- nodes ------------------------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const node_id& id) { j = id.value; }

inline void from_json(const nlohmann::json& j, node_id& id) {
  if (!j.is_string()) throw json_error("", "expected a node id string, got " + detail::json_type_name(j));
  id.value = j.get<std::string>();
}

template <detail::json_document J>
void to_json(J& j, const address& a) {
  j = J::object();
  j["host"] = a.host;
  j["port"] = a.port;
  j["bus_port"] = a.bus_port;
  j["hostname"] = a.hostname;
}

inline void from_json(const nlohmann::json& j, address& a) {
  detail::require_object(j);
  address out;
  detail::read_optional(j, "host", out.host);
  detail::read_integer(j, "port", out.port);
  detail::read_integer(j, "bus_port", out.bus_port);
  detail::read_optional(j, "hostname", out.hostname);
  a = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const node_flags& f) {
  j = J::array();
  for (const auto& [member, name] : detail::node_flag_names)
    if (f.*member) j.push_back(name);
}

inline void from_json(const nlohmann::json& j, node_flags& f) {
  node_flags out;
  detail::for_each_element(j, [&](const nlohmann::json& flag, std::size_t) {
    if (!flag.is_string()) throw json_error("", "expected a flag string, got " + detail::json_type_name(flag));
    const auto& text = flag.get_ref<const std::string&>();
    std::string accepted;
    for (const auto& [member, name] : detail::node_flag_names) {
      if (name == text) {
        out.*member = true;
        return;
      }
      accepted += accepted.empty() ? "" : ", ";
      accepted += name;
    }
    throw json_error("", "unknown flag \"" + text + "\"; expected one of: " + accepted);
  });
  f = out;
}

template <detail::json_document J>
void to_json(J& j, const open_slot& o) {
  j = J::object();
  j["number"] = o.number;
  j["dir"] = o.dir;
  j["peer"] = o.peer;
}

inline void from_json(const nlohmann::json& j, open_slot& o) {
  open_slot out;
  detail::read_required_with(j, "number", out.number, detail::slot_from_json);
  detail::read_required(j, "dir", out.dir);
  detail::read_required(j, "peer", out.peer);
  o = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const cluster_node& n) {
  j = J::object();
  j["id"] = n.id;
  j["addr"] = n.addr;
  j["flags"] = n.flags;
  if (n.master_id) j["master_id"] = *n.master_id;
  j["ping_sent"] = n.ping_sent;
  j["pong_received"] = n.pong_received;
  j["config_epoch"] = n.config_epoch;
  j["link"] = n.link;
  j["slots"] = n.slots;
  j["open_slots"] = n.open_slots;
}

inline void from_json(const nlohmann::json& j, cluster_node& n) {
  cluster_node out;
  detail::read_required(j, "id", out.id);
  detail::read_optional(j, "addr", out.addr);
  detail::read_optional(j, "flags", out.flags);
  node_id master;
  if (detail::read_optional(j, "master_id", master)) out.master_id = std::move(master);
  detail::read_integer(j, "ping_sent", out.ping_sent);
  detail::read_integer(j, "pong_received", out.pong_received);
  detail::read_integer(j, "config_epoch", out.config_epoch);
  detail::read_optional(j, "link", out.link);
  detail::read_optional(j, "slots", out.slots);
  detail::read_array(j, "open_slots", out.open_slots);
  n = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const cluster_view& v) {
  j = J::object();
  j["observer"] = v.observer;
  j["nodes"] = v.nodes;
}

inline void from_json(const nlohmann::json& j, cluster_view& v) {
  cluster_view out;
  detail::read_required(j, "observer", out.observer);
  detail::read_array(j, "nodes", out.nodes);
  v = std::move(out);
}

// --- replication and observations -------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const replica_link& l) {
  j = J::object();
  j["host"] = l.host;
  j["port"] = l.port;
  j["state"] = l.state;
  j["offset"] = l.offset;
  j["lag"] = l.lag;
}

inline void from_json(const nlohmann::json& j, replica_link& l) {
  detail::require_object(j);
  replica_link out;
  detail::read_optional(j, "host", out.host);
  detail::read_integer(j, "port", out.port);
  detail::read_optional(j, "state", out.state);
  detail::read_integer(j, "offset", out.offset);
  detail::read_integer(j, "lag", out.lag);
  l = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const replication_info& r) {
  j = J::object();
  j["role"] = r.role;
  j["master_host"] = r.master_host;
  j["master_port"] = r.master_port;
  j["master_link_up"] = r.master_link_up;
  if (r.master_last_io_seconds_ago) j["master_last_io_seconds_ago"] = *r.master_last_io_seconds_ago;
  j["master_sync_in_progress"] = r.master_sync_in_progress;
  j["replica_repl_offset"] = r.replica_repl_offset;
  j["replica_priority"] = r.replica_priority;
  j["replica_read_only"] = r.replica_read_only;
  j["replicas"] = r.replicas;
  j["master_replid"] = r.master_replid;
  j["master_repl_offset"] = r.master_repl_offset;
}

inline void from_json(const nlohmann::json& j, replication_info& r) {
  detail::require_object(j);
  replication_info out;
  detail::read_optional(j, "role", out.role);
  detail::read_optional(j, "master_host", out.master_host);
  detail::read_integer(j, "master_port", out.master_port);
  detail::read_optional(j, "master_link_up", out.master_link_up);
  std::int64_t last_io = 0;
  if (detail::read_integer(j, "master_last_io_seconds_ago", last_io)) out.master_last_io_seconds_ago = last_io;
  detail::read_optional(j, "master_sync_in_progress", out.master_sync_in_progress);
  detail::read_integer(j, "replica_repl_offset", out.replica_repl_offset);
  detail::read_integer(j, "replica_priority", out.replica_priority);
  detail::read_optional(j, "replica_read_only", out.replica_read_only);
  detail::read_array(j, "replicas", out.replicas);
  detail::read_optional(j, "master_replid", out.master_replid);
  detail::read_integer(j, "master_repl_offset", out.master_repl_offset);
  r = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const password_state& p) {
  j = J::object();
  j["requirepass_current"] = p.requirepass_current;
  j["masterauth_current"] = p.masterauth_current;
}

inline void from_json(const nlohmann::json& j, password_state& p) {
  password_state out;
  detail::read_optional(j, "requirepass_current", out.requirepass_current);
  detail::read_optional(j, "masterauth_current", out.masterauth_current);
  p = out;
}

template <detail::json_document J>
void to_json(J& j, const node_observation& o) {
  j = J::object();
  j["id"] = o.id;
  j["addr"] = o.addr;
  j["reachable"] = o.reachable;
  j["error"] = o.error;
  if (o.replication) j["replication"] = *o.replication;
  if (o.keys_per_slot) {
    J keys = J::object();
    for (const auto& [s, count] : *o.keys_per_slot) keys[std::to_string(s)] = count;
    j["keys_per_slot"] = std::move(keys);
  }
  if (!o.config.empty()) j["config"] = o.config;
  if (o.password) j["password"] = *o.password;
}

inline void from_json(const nlohmann::json& j, node_observation& o) {
  node_observation out;
  detail::read_required(j, "id", out.id);
  detail::read_optional(j, "addr", out.addr);
  detail::read_optional(j, "reachable", out.reachable);
  detail::read_optional(j, "error", out.error);
  replication_info replication;
  if (detail::read_optional(j, "replication", replication)) out.replication = std::move(replication);
  detail::read_optional_with(j, "keys_per_slot", out.keys_per_slot, [](const nlohmann::json& keys) {
    if (!keys.is_object())
      throw json_error("", "expected an object of slot to key count, got " + detail::json_type_name(keys));
    std::map<slot, std::uint64_t> counts;
    for (const auto& [key, count] : keys.items()) {
      try {
        counts[detail::slot_from_key(key)] = detail::integer_from_json<std::uint64_t>(count);
      } catch (const json_error& e) {
        throw e.within(key);
      }
    }
    return std::optional{std::move(counts)};
  });
  detail::read_optional(j, "config", out.config);
  password_state password;
  if (detail::read_optional(j, "password", password)) out.password = password;
  o = std::move(out);
}

// --- Kubernetes objects -----------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const pod& p) {
  j = J::object();
  j["name"] = p.name;
  j["shard_index"] = p.shard_index;
  j["ordinal"] = p.ordinal;
  j["kube_node"] = p.kube_node;
  j["zone"] = p.zone;
  j["ip"] = p.ip;
  j["port"] = p.port;
  j["ready"] = p.ready;
  j["terminating"] = p.terminating;
  j["revision"] = p.revision;
}

inline void from_json(const nlohmann::json& j, pod& p) {
  pod out;
  detail::read_required(j, "name", out.name);
  detail::read_integer(j, "shard_index", out.shard_index);
  detail::read_integer(j, "ordinal", out.ordinal);
  detail::read_optional(j, "kube_node", out.kube_node);
  detail::read_optional(j, "zone", out.zone);
  detail::read_optional(j, "ip", out.ip);
  detail::read_integer(j, "port", out.port);
  detail::read_optional(j, "ready", out.ready);
  detail::read_optional(j, "terminating", out.terminating);
  detail::read_optional(j, "revision", out.revision);
  p = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const statefulset& s) {
  j = J::object();
  j["name"] = s.name;
  j["shard_index"] = s.shard_index;
  j["replicas"] = s.replicas;
  j["ready_replicas"] = s.ready_replicas;
  j["current_revision"] = s.current_revision;
  j["update_revision"] = s.update_revision;
  if (!s.image.empty()) j["image"] = s.image;
  if (!s.config_hash.empty()) j["config_hash"] = s.config_hash;
  if (!s.password_secret.empty()) j["password_secret"] = s.password_secret;
}

inline void from_json(const nlohmann::json& j, statefulset& s) {
  statefulset out;
  detail::read_required(j, "name", out.name);
  detail::read_integer(j, "shard_index", out.shard_index);
  detail::read_integer(j, "replicas", out.replicas);
  detail::read_integer(j, "ready_replicas", out.ready_replicas);
  detail::read_optional(j, "current_revision", out.current_revision);
  detail::read_optional(j, "update_revision", out.update_revision);
  detail::read_optional(j, "image", out.image);
  detail::read_optional(j, "config_hash", out.config_hash);
  detail::read_optional(j, "password_secret", out.password_secret);
  s = std::move(out);
}

// --- topology and findings --------------------------------------------------------------

template <detail::json_document J>
void to_json(J& j, const topology& t) {
  j = J::object();
  j["views"] = t.views;
  j["observations"] = t.observations;
  j["pods"] = t.pods;
  j["statefulsets"] = t.statefulsets;
  if (t.observed_at_ms != 0) j["observed_at_ms"] = t.observed_at_ms;
}

inline void from_json(const nlohmann::json& j, topology& t) {
  detail::require_object(j);
  topology out;
  detail::read_array(j, "views", out.views);
  detail::read_array(j, "observations", out.observations);
  detail::read_array(j, "pods", out.pods);
  detail::read_array(j, "statefulsets", out.statefulsets);
  detail::read_optional(j, "observed_at_ms", out.observed_at_ms);
  t = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const view_disagreement& d) {
  j = J::object();
  j["observer"] = d.observer;
  j["subject"] = d.subject;
  j["what"] = d.what;
}

inline void from_json(const nlohmann::json& j, view_disagreement& d) {
  view_disagreement out;
  detail::read_required(j, "observer", out.observer);
  detail::read_required(j, "subject", out.subject);
  detail::read_required(j, "what", out.what);
  d = std::move(out);
}

template <detail::json_document J>
void to_json(J& j, const diagnostic& d) {
  j = J::object();
  j["severity"] = d.severity;
  j["code"] = d.code;
  if (!d.subject.empty()) j["subject"] = d.subject;
  j["message"] = d.message;
}

inline void from_json(const nlohmann::json& j, diagnostic& d) {
  diagnostic out;
  detail::read_required(j, "severity", out.severity);
  detail::read_required(j, "code", out.code);
  detail::read_optional(j, "subject", out.subject);
  detail::read_optional(j, "message", out.message);
  d = std::move(out);
}

}  // namespace rcplan
