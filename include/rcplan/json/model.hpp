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
// Each struct's fields are listed once, in a `json_detail::shape` below, which drives both
// directions (see <rcplan/json/detail/record.hpp>).
//
// Writing: into nlohmann::ordered_json the fields come in the order above; into nlohmann::json
// they are sorted. Both are deterministic byte for byte.

#include <rcplan/diagnostic.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/detail/scalars.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>

// --- enums ------------------------------------------------------------------------------

namespace rcplan::json_detail {

template <>
struct json_enum<node_role> {
  static constexpr name_table<node_role, 2> names{{{node_role::master, "master"}, {node_role::replica, "replica"}}};
};

template <>
struct json_enum<link_state> {
  static constexpr name_table<link_state, 2> names{
      {{link_state::connected, "connected"}, {link_state::disconnected, "disconnected"}}};
};

template <>
struct json_enum<open_slot::direction> {
  static constexpr name_table<open_slot::direction, 2> names{
      {{open_slot::direction::migrating, "migrating"}, {open_slot::direction::importing, "importing"}}};
};

template <>
struct json_enum<view_disagreement::kind> {
  static constexpr name_table<view_disagreement::kind, 4> names{{
      {view_disagreement::kind::unknown_node, "unknown_node"},
      {view_disagreement::kind::role, "role"},
      {view_disagreement::kind::master, "master"},
      {view_disagreement::kind::slots, "slots"},
  }};
};

template <>
struct json_enum<severity> {
  static constexpr name_table<severity, 3> names{
      {{severity::info, "info"}, {severity::warning, "warning"}, {severity::error, "error"}}};
};

/// The flags as `CLUSTER NODES` spells them, in the order Redis prints them.
inline constexpr name_table<bool node_flags::*, 8> node_flag_names{{
    {&node_flags::myself, "myself"},
    {&node_flags::master, "master"},
    {&node_flags::replica, "slave"},
    {&node_flags::pfail, "fail?"},
    {&node_flags::fail, "fail"},
    {&node_flags::handshake, "handshake"},
    {&node_flags::noaddr, "noaddr"},
    {&node_flags::nofailover, "nofailover"},
}};

}  // namespace rcplan::json_detail

namespace rcplan {

// nlohmann converts every enum to its number unless an overload for that very enum exists.
template <json_detail::json_document J>
void to_json(J& j, node_role v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, node_role& v) { v = json_detail::read_enum<node_role>(j); }

template <json_detail::json_document J>
void to_json(J& j, link_state v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, link_state& v) { v = json_detail::read_enum<link_state>(j); }

template <json_detail::json_document J>
void to_json(J& j, open_slot::direction v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, open_slot::direction& v) {
  v = json_detail::read_enum<open_slot::direction>(j);
}

template <json_detail::json_document J>
void to_json(J& j, view_disagreement::kind v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, view_disagreement::kind& v) {
  v = json_detail::read_enum<view_disagreement::kind>(j);
}

template <json_detail::json_document J>
void to_json(J& j, severity v) { j = json_detail::enum_name(v); }
inline void from_json(const nlohmann::json& j, severity& v) { v = json_detail::read_enum<severity>(j); }

// --- values with a shape of their own: slots, ids, flags --------------------------------

}  // namespace rcplan

namespace rcplan::json_detail {

[[nodiscard]] inline slot read_slot(const nlohmann::json& j) {
  const auto v = read_integer<std::int64_t>(j);
  if (!is_valid_slot(v))
    throw json_error("", "slot " + std::to_string(v) + " is out of range 0.." + std::to_string(max_slot));
  return static_cast<slot>(v);
}

/// A slot number, 0..16383.
struct slot_number : scalar<slot, read_slot> {};

/// Slot numbers as object keys (`keys_per_slot`): plain decimal, nothing else.
struct slot_key {
  using type = slot;
  static constexpr const char* expected = "an object of slot to key count";
  [[nodiscard]] static slot from_key(const std::string& key) {
    const bool digits = !key.empty() && key.size() <= 5 && key.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || !is_valid_slot(std::stoll(key)))
      throw json_error("", "\"" + key + "\" is not a slot number 0.." + std::to_string(max_slot));
    return static_cast<slot>(std::stoll(key));
  }
  [[nodiscard]] static std::string to_key(slot s) { return std::to_string(s); }
};

}  // namespace rcplan::json_detail

namespace rcplan {

template <json_detail::json_document J>
void to_json(J& j, const slot_range& r) {
  j = J::array({r.first, r.last});
}

inline void from_json(const nlohmann::json& j, slot_range& r) {
  if (j.is_number()) {
    r.first = r.last = json_detail::read_slot(j);
    return;
  }
  if (!j.is_array() || j.size() != 2)
    json_detail::type_mismatch(j, "a slot or a [first, last] pair");
  slot_range out;
  json_detail::for_each_element(j, [&](const nlohmann::json& bound, std::size_t i) {
    (i == 0 ? out.first : out.last) = json_detail::read_slot(bound);
  });
  if (out.first > out.last)
    throw json_error("", "reversed range [" + std::to_string(out.first) + ", " + std::to_string(out.last) + "]");
  r = out;
}

template <json_detail::json_document J>
void to_json(J& j, const slot_set& s) {
  j = J::array();
  s.for_each_range([&](slot_range r) { j.push_back(J::array({r.first, r.last})); });
}

inline void from_json(const nlohmann::json& j, slot_set& s) {
  slot_set out;
  json_detail::for_each_element(j, [&](const nlohmann::json& element, std::size_t) {
    slot_range r;
    from_json(element, r);
    out.insert(r);
  });
  s = out;
}

template <json_detail::json_document J>
void to_json(J& j, const node_id& id) {
  j = id.value;
}

inline void from_json(const nlohmann::json& j, node_id& id) {
  if (!j.is_string()) json_detail::type_mismatch(j, "a node id string");
  id.value = j.get<std::string>();
}

template <json_detail::json_document J>
void to_json(J& j, const node_flags& f) {
  j = J::array();
  for (const auto& [member, name] : json_detail::node_flag_names)
    if (f.*member) j.push_back(name);
}

inline void from_json(const nlohmann::json& j, node_flags& f) {
  node_flags out;
  json_detail::for_each_element(j, [&](const nlohmann::json& flag, std::size_t) {
    out.*json_detail::named(json_detail::node_flag_names, json_detail::read_string(flag)) = true;
  });
  f = out;
}

}  // namespace rcplan

// --- records ----------------------------------------------------------------------------

namespace rcplan::json_detail {

template <>
struct shape<address> {
  static constexpr auto fields = std::tuple{defaulted("host", &address::host), defaulted("port", &address::port),
                                            defaulted("bus_port", &address::bus_port),
                                            defaulted("hostname", &address::hostname)};
};

template <>
struct shape<open_slot> {
  static constexpr auto fields = std::tuple{required("number", &open_slot::number, slot_number{}),
                                            required("dir", &open_slot::dir), required("peer", &open_slot::peer)};
};

template <>
struct shape<cluster_node> {
  static constexpr auto fields = std::tuple{
      required("id", &cluster_node::id),
      defaulted("addr", &cluster_node::addr),
      defaulted("flags", &cluster_node::flags),
      omitempty("master_id", &cluster_node::master_id),
      defaulted("ping_sent", &cluster_node::ping_sent),
      defaulted("pong_received", &cluster_node::pong_received),
      defaulted("config_epoch", &cluster_node::config_epoch),
      defaulted("link", &cluster_node::link),
      defaulted("slots", &cluster_node::slots),
      defaulted("open_slots", &cluster_node::open_slots),
  };
};

template <>
struct shape<cluster_view> {
  static constexpr auto fields =
      std::tuple{required("observer", &cluster_view::observer), defaulted("nodes", &cluster_view::nodes)};
};

template <>
struct shape<replica_link> {
  static constexpr auto fields =
      std::tuple{defaulted("host", &replica_link::host), defaulted("port", &replica_link::port),
                 defaulted("state", &replica_link::state), defaulted("offset", &replica_link::offset),
                 defaulted("lag", &replica_link::lag)};
};

template <>
struct shape<replication_info> {
  using r = replication_info;
  static constexpr auto fields = std::tuple{
      defaulted("role", &r::role),
      defaulted("master_host", &r::master_host),
      defaulted("master_port", &r::master_port),
      defaulted("master_link_up", &r::master_link_up),
      omitempty("master_last_io_seconds_ago", &r::master_last_io_seconds_ago),
      defaulted("master_sync_in_progress", &r::master_sync_in_progress),
      defaulted("replica_repl_offset", &r::replica_repl_offset),
      defaulted("replica_priority", &r::replica_priority),
      defaulted("replica_read_only", &r::replica_read_only),
      defaulted("replicas", &r::replicas),
      defaulted("master_replid", &r::master_replid),
      defaulted("master_repl_offset", &r::master_repl_offset),
  };
};

template <>
struct shape<password_state> {
  static constexpr auto fields = std::tuple{defaulted("requirepass_current", &password_state::requirepass_current),
                                            defaulted("masterauth_current", &password_state::masterauth_current)};
};

template <>
struct shape<node_observation> {
  using o = node_observation;
  static constexpr auto fields = std::tuple{
      required("id", &o::id),
      defaulted("addr", &o::addr),
      defaulted("reachable", &o::reachable),
      defaulted("error", &o::error),
      omitempty("replication", &o::replication),
      omitempty("keys_per_slot", &o::keys_per_slot, keyed_map<slot_key, codec<std::uint64_t>>{}),
      omitempty("config", &o::config),
      omitempty("password", &o::password),
  };
};

template <>
struct shape<pod> {
  static constexpr auto fields = std::tuple{
      required("name", &pod::name),   defaulted("shard_index", &pod::shard_index),
      defaulted("ordinal", &pod::ordinal), defaulted("kube_node", &pod::kube_node),
      defaulted("zone", &pod::zone),  defaulted("ip", &pod::ip),
      defaulted("port", &pod::port),  defaulted("ready", &pod::ready),
      defaulted("terminating", &pod::terminating), defaulted("revision", &pod::revision),
  };
};

template <>
struct shape<statefulset> {
  using s = statefulset;
  static constexpr auto fields = std::tuple{
      required("name", &s::name),
      defaulted("shard_index", &s::shard_index),
      defaulted("replicas", &s::replicas),
      defaulted("ready_replicas", &s::ready_replicas),
      defaulted("current_revision", &s::current_revision),
      defaulted("update_revision", &s::update_revision),
      omitempty("image", &s::image),
      omitempty("config_hash", &s::config_hash),
      omitempty("password_secret", &s::password_secret),
  };
};

template <>
struct shape<topology> {
  static constexpr auto fields =
      std::tuple{defaulted("views", &topology::views), defaulted("observations", &topology::observations),
                 defaulted("pods", &topology::pods), defaulted("statefulsets", &topology::statefulsets),
                 omitempty("observed_at_ms", &topology::observed_at_ms)};
};

template <>
struct shape<view_disagreement> {
  static constexpr auto fields =
      std::tuple{required("observer", &view_disagreement::observer), required("subject", &view_disagreement::subject),
                 required("what", &view_disagreement::what)};
};

template <>
struct shape<diagnostic> {
  static constexpr auto fields =
      std::tuple{required("severity", &diagnostic::severity), required("code", &diagnostic::code),
                 omitempty("subject", &diagnostic::subject), defaulted("message", &diagnostic::message)};
};

}  // namespace rcplan::json_detail
