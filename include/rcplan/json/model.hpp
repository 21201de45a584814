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
// Each struct's fields are listed once, in a `json_detail::fields_of` below, which drives both
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

template <> inline constexpr name_table<node_role, 2> enum_names<node_role>{
    {{node_role::master, "master"}, {node_role::replica, "replica"}}};
template <> inline constexpr name_table<link_state, 2> enum_names<link_state>{
    {{link_state::connected, "connected"}, {link_state::disconnected, "disconnected"}}};
template <> inline constexpr name_table<open_slot::direction, 2> enum_names<open_slot::direction>{
    {{open_slot::direction::migrating, "migrating"}, {open_slot::direction::importing, "importing"}}};
template <> inline constexpr name_table<view_disagreement::kind, 4> enum_names<view_disagreement::kind>{
    {{view_disagreement::kind::unknown_node, "unknown_node"}, {view_disagreement::kind::role, "role"},
     {view_disagreement::kind::master, "master"}, {view_disagreement::kind::slots, "slots"}}};
template <> inline constexpr name_table<severity, 3> enum_names<severity>{
    {{severity::info, "info"}, {severity::warning, "warning"}, {severity::error, "error"}}};

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

// --- values with a shape of their own: slots, ids, flags --------------------------------

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

template <> inline constexpr auto fields_of<address> = std::tuple{defaulted("host", &address::host),
    defaulted("port", &address::port), defaulted("bus_port", &address::bus_port),
    defaulted("hostname", &address::hostname)};

template <> inline constexpr auto fields_of<open_slot> = std::tuple{
    required("number", &open_slot::number, slot_number{}), required("dir", &open_slot::dir),
    required("peer", &open_slot::peer)};

template <> inline constexpr auto fields_of<cluster_node> = std::tuple{required("id", &cluster_node::id),
    defaulted("addr", &cluster_node::addr), defaulted("flags", &cluster_node::flags),
    omitempty("master_id", &cluster_node::master_id), defaulted("ping_sent", &cluster_node::ping_sent),
    defaulted("pong_received", &cluster_node::pong_received), defaulted("config_epoch", &cluster_node::config_epoch),
    defaulted("link", &cluster_node::link), defaulted("slots", &cluster_node::slots),
    defaulted("open_slots", &cluster_node::open_slots)};

template <> inline constexpr auto fields_of<cluster_view> = std::tuple{required("observer", &cluster_view::observer),
    defaulted("nodes", &cluster_view::nodes)};

template <> inline constexpr auto fields_of<replica_link> = std::tuple{defaulted("host", &replica_link::host),
    defaulted("port", &replica_link::port), defaulted("state", &replica_link::state),
    defaulted("offset", &replica_link::offset), defaulted("lag", &replica_link::lag)};

template <> inline constexpr auto fields_of<replication_info> = std::tuple{defaulted("role", &replication_info::role),
    defaulted("master_host", &replication_info::master_host), defaulted("master_port", &replication_info::master_port),
    defaulted("master_link_up", &replication_info::master_link_up),
    omitempty("master_last_io_seconds_ago", &replication_info::master_last_io_seconds_ago),
    defaulted("master_sync_in_progress", &replication_info::master_sync_in_progress),
    defaulted("replica_repl_offset", &replication_info::replica_repl_offset),
    defaulted("replica_priority", &replication_info::replica_priority),
    defaulted("replica_read_only", &replication_info::replica_read_only),
    defaulted("replicas", &replication_info::replicas), defaulted("master_replid", &replication_info::master_replid),
    defaulted("master_repl_offset", &replication_info::master_repl_offset)};

template <> inline constexpr auto fields_of<password_state> = std::tuple{
    defaulted("requirepass_current", &password_state::requirepass_current),
    defaulted("masterauth_current", &password_state::masterauth_current)};

template <> inline constexpr auto fields_of<node_observation> = std::tuple{required("id", &node_observation::id),
    defaulted("addr", &node_observation::addr), defaulted("reachable", &node_observation::reachable),
    defaulted("error", &node_observation::error), omitempty("replication", &node_observation::replication),
    omitempty("keys_per_slot", &node_observation::keys_per_slot, keyed_map<slot_key, codec<std::uint64_t>>{}),
    omitempty("config", &node_observation::config), omitempty("password", &node_observation::password)};

template <> inline constexpr auto fields_of<pod> = std::tuple{required("name", &pod::name),
    defaulted("shard_index", &pod::shard_index), defaulted("ordinal", &pod::ordinal),
    defaulted("kube_node", &pod::kube_node), defaulted("zone", &pod::zone), defaulted("ip", &pod::ip),
    defaulted("port", &pod::port), defaulted("ready", &pod::ready), defaulted("terminating", &pod::terminating),
    defaulted("revision", &pod::revision)};

template <> inline constexpr auto fields_of<statefulset> = std::tuple{required("name", &statefulset::name),
    defaulted("shard_index", &statefulset::shard_index), defaulted("replicas", &statefulset::replicas),
    defaulted("ready_replicas", &statefulset::ready_replicas),
    defaulted("current_revision", &statefulset::current_revision),
    defaulted("update_revision", &statefulset::update_revision), omitempty("image", &statefulset::image),
    omitempty("config_hash", &statefulset::config_hash), omitempty("password_secret", &statefulset::password_secret)};

template <> inline constexpr auto fields_of<topology> = std::tuple{defaulted("views", &topology::views),
    defaulted("observations", &topology::observations), defaulted("pods", &topology::pods),
    defaulted("statefulsets", &topology::statefulsets), omitempty("observed_at_ms", &topology::observed_at_ms)};

template <> inline constexpr auto fields_of<view_disagreement> = std::tuple{
    required("observer", &view_disagreement::observer), required("subject", &view_disagreement::subject),
    required("what", &view_disagreement::what)};

template <> inline constexpr auto fields_of<diagnostic> = std::tuple{required("severity", &diagnostic::severity),
    required("code", &diagnostic::code), omitempty("subject", &diagnostic::subject),
    defaulted("message", &diagnostic::message)};

}  // namespace rcplan::json_detail

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_MODEL_RECORDS(X) X(address) X(open_slot) X(cluster_node) X(cluster_view) \
  X(replica_link) X(replication_info) X(password_state) X(node_observation) X(pod) X(statefulset) \
  X(topology) X(view_disagreement) X(diagnostic)
namespace rcplan {
RCPLAN_JSON_MODEL_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
