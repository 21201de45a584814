#pragma once

// `CLUSTER SHARDS` reply -> shard descriptions. Reads the RESP2 shape (arrays of alternating
// names and values) and the RESP3 one (maps). Unknown attributes are skipped so newer servers
// keep parsing; anything else throws rcplan::parse_error with id `rcplan.parse.cluster_shards`
// and a path such as `shard 2: nodes[1]: "port"` naming the offending element.

#include <rcplan/error.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/parse/detail/text.hpp>
#include <rcplan/parse/resp.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

enum class node_health : std::uint8_t { online, failed, loading };

/// One node of a shard as `CLUSTER SHARDS` describes it.
struct shard_node {
  node_id id;
  std::uint16_t port = 0;  ///< 0 when the node only has a TLS port
  std::optional<std::uint16_t> tls_port;
  std::string ip;
  std::string endpoint;  ///< what clients should connect to (ip, hostname or "?")
  std::string hostname;  ///< empty unless announced
  node_role role = node_role::master;
  std::uint64_t replication_offset = 0;
  node_health health = node_health::online;

  friend bool operator==(const shard_node&, const shard_node&) = default;
};

/// One shard: the slots its master serves and its nodes (master first when Redis knows it).
struct shard_description {
  slot_set slots;
  std::vector<shard_node> nodes;

  friend bool operator==(const shard_description&, const shard_description&) = default;
};

namespace parse_detail {

inline constexpr const char* cluster_shards_error_id = "rcplan.parse.cluster_shards";

class cluster_shards_parser {
 public:
  [[nodiscard]] std::vector<shard_description> parse(const resp_value& reply) const {
    if (reply.type == resp_value::kind::error) fail("", "the server answered with an error: " + quote(reply.str));
    expect(reply, resp_value::kind::array, "", "an array of shards");
    std::vector<shard_description> out;
    for (std::size_t i = 0; i < reply.elements.size(); ++i)
      out.push_back(shard(reply.elements[i], "shard " + std::to_string(i + 1)));
    return out;
  }

 private:
  [[noreturn]] static void fail(const std::string& where, const std::string& message) {
    throw parse_error(cluster_shards_error_id, 0, where.empty() ? message : where + ": " + message);
  }

  static std::string describe(const resp_value& v) {
    std::string s{to_string(v.type)};
    if (v.is_string() || v.type == resp_value::kind::error) s += " " + quote(v.str, 40);
    if (v.type == resp_value::kind::integer) s += " " + std::to_string(v.integer);
    if (v.type == resp_value::kind::array || v.type == resp_value::kind::map)
      s += " of " + std::to_string(v.elements.size()) + " elements";
    return s;
  }

  static void expect(const resp_value& v, resp_value::kind k, const std::string& where, std::string_view what) {
    if (v.type != k) fail(where, "expected " + std::string{what} + ", got " + describe(v));
  }

  /// Name/value pairs of an array (RESP2) or a map (RESP3).
  static std::vector<std::pair<std::string, const resp_value*>> attributes(const resp_value& v,
                                                                         const std::string& where) {
    if (v.type != resp_value::kind::array && v.type != resp_value::kind::map)
      fail(where, "expected an array of name/value pairs, got " + describe(v));
    if (v.elements.size() % 2 != 0)
      fail(where, "expected name/value pairs, got an odd count of " + std::to_string(v.elements.size()));
    std::vector<std::pair<std::string, const resp_value*>> out;
    for (std::size_t i = 0; i < v.elements.size(); i += 2) {
      const resp_value& name = v.elements[i];
      if (!name.is_string()) fail(where, "expected an attribute name, got " + describe(name));
      out.emplace_back(name.str, &v.elements[i + 1]);
    }
    return out;
  }

  static std::optional<std::uint64_t> number(const resp_value& v) {
    if (v.type == resp_value::kind::integer)
      return v.integer < 0 ? std::nullopt : std::optional<std::uint64_t>{static_cast<std::uint64_t>(v.integer)};
    if (v.is_string()) return parse_unsigned(v.str);
    return std::nullopt;
  }

  static std::uint64_t unsigned_attr(const resp_value& v, const std::string& where, std::uint64_t max,
                                     std::string_view what) {
    const auto n = number(v);
    if (!n || *n > max) fail(where, "expected " + std::string{what} + ", got " + describe(v));
    return *n;
  }

  static std::string string_attr(const resp_value& v, const std::string& where) {
    if (v.type == resp_value::kind::null) return {};
    if (!v.is_string()) fail(where, "expected a string, got " + describe(v));
    return v.str;
  }

  static shard_description shard(const resp_value& v, const std::string& where) {
    shard_description s;
    bool have_slots = false, have_nodes = false;
    for (const auto& [name, value] : attributes(v, where)) {
      const std::string at = where + ": \"" + name + "\"";
      if (name == "slots") {
        have_slots = true;
        expect(*value, resp_value::kind::array, at, "an array of first, last slot pairs");
        if (value->elements.size() % 2 != 0)
          fail(at, "expected first, last slot pairs, got an odd count of " + std::to_string(value->elements.size()));
        for (std::size_t i = 0; i < value->elements.size(); i += 2) {
          const std::string pos = at + "[" + std::to_string(i) + "]";
          const auto first = static_cast<slot>(unsigned_attr(value->elements[i], pos, max_slot, "a slot 0-16383"));
          const std::string pos2 = at + "[" + std::to_string(i + 1) + "]";
          const auto last = static_cast<slot>(unsigned_attr(value->elements[i + 1], pos2, max_slot, "a slot 0-16383"));
          if (first > last)
            fail(at, "slot range " + std::to_string(first) + "-" + std::to_string(last) + " is reversed");
          s.slots.insert(slot_range{first, last});
        }
      } else if (name == "nodes") {
        have_nodes = true;
        expect(*value, resp_value::kind::array, at, "an array of nodes");
        for (std::size_t i = 0; i < value->elements.size(); ++i)
          s.nodes.push_back(node(value->elements[i], where + ": nodes[" + std::to_string(i) + "]"));
      }
    }
    if (!have_slots) fail(where, "missing attribute \"slots\"");
    if (!have_nodes) fail(where, "missing attribute \"nodes\"");
    return s;
  }

  static shard_node node(const resp_value& v, const std::string& where) {
    shard_node n;
    bool have_id = false, have_role = false;
    for (const auto& [name, value] : attributes(v, where)) {
      const std::string at = where + ": \"" + name + "\"";
      if (name == "id") {
        n.id = node_id{string_attr(*value, at)};
        if (!is_node_id(n.id.value)) fail(at, "expected a node id (40 lowercase hex), got " + describe(*value));
        have_id = true;
      } else if (name == "port") {
        n.port = static_cast<std::uint16_t>(unsigned_attr(*value, at, 65535, "a port 0-65535"));
      } else if (name == "tls-port") {
        n.tls_port = static_cast<std::uint16_t>(unsigned_attr(*value, at, 65535, "a port 0-65535"));
      } else if (name == "ip") {
        n.ip = string_attr(*value, at);
      } else if (name == "endpoint") {
        n.endpoint = string_attr(*value, at);
      } else if (name == "hostname") {
        n.hostname = string_attr(*value, at);
      } else if (name == "role") {
        const std::string r = string_attr(*value, at);
        if (r == "master") n.role = node_role::master;
        else if (r == "replica" || r == "slave") n.role = node_role::replica;
        else fail(at, "expected master or replica, got " + describe(*value));
        have_role = true;
      } else if (name == "replication-offset") {
        n.replication_offset = unsigned_attr(*value, at, ~std::uint64_t{0}, "a non-negative integer");
      } else if (name == "health") {
        const std::string h = string_attr(*value, at);
        if (h == "online") n.health = node_health::online;
        else if (h == "failed") n.health = node_health::failed;
        else if (h == "loading") n.health = node_health::loading;
        else fail(at, "expected online, failed or loading, got " + describe(*value));
      }
    }
    if (!have_id) fail(where, "missing attribute \"id\"");
    if (!have_role) fail(where, "missing attribute \"role\"");
    return n;
  }
};

}  // namespace parse_detail

/// Shards in the order the server listed them.
[[nodiscard]] inline std::vector<shard_description> parse_cluster_shards(const resp_value& reply) {
  return parse_detail::cluster_shards_parser{}.parse(reply);
}

/// The same from the raw reply bytes; garbled RESP is reported with this parser's id and the
/// protocol line it was found on.
[[nodiscard]] inline std::vector<shard_description> parse_cluster_shards(std::string_view raw_reply) {
  return parse_cluster_shards(parse_detail::parse_whole_resp(raw_reply, parse_detail::cluster_shards_error_id));
}

}  // namespace rcplan
