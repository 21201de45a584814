#pragma once

// The commands the simulator models, as typed values, and the parser from a lowered argv to
// them. Anything else (an unknown command or CLUSTER subcommand, a wrong number of
// arguments, an argument that is not a number or keyword where one belongs) is refused
// before it reaches the cluster, so no command passes unchecked.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/plan/action.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace rcplan::sim::detail {

struct cluster_meet {
  std::string host;
  std::uint16_t port = 0;  ///< the bus port, when given, plays no part in the model
};
enum class setslot_kind : std::uint8_t { importing, migrating, node, stable };
struct cluster_setslot {
  slot number = 0;
  setslot_kind kind = setslot_kind::stable;
  node_id peer;  ///< empty for STABLE
};
struct cluster_addslotsrange {
  std::vector<slot_range> ranges;
};
struct cluster_replicate {
  node_id master;
};
struct cluster_failover {
  failover_mode mode = failover_mode::default_mode;
};
struct cluster_forget {
  node_id node;
};
struct cluster_set_config_epoch {
  std::uint64_t epoch = 0;
};
struct cluster_reset {
  reset_mode mode = reset_mode::soft;
};
struct config_set_pair {
  std::string parameter;
  std::string value;
};

using command = std::variant<cluster_meet, cluster_setslot, cluster_addslotsrange, cluster_replicate,
                             cluster_failover, cluster_forget, cluster_set_config_epoch, cluster_reset,
                             config_set_pair>;

/// Why an argv is not a command the simulator knows.
struct unknown {
  std::string why;
};

/// Redis matches command names and keywords without regard to case.
[[nodiscard]] inline bool keyword_is(std::string_view word, std::string_view upper) noexcept {
  if (word.size() != upper.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    const char c = word[i] >= 'a' && word[i] <= 'z' ? static_cast<char>(word[i] - 'a' + 'A') : word[i];
    if (c != upper[i]) return false;
  }
  return true;
}

/// A whole-string unsigned decimal no greater than `max`.
template <typename T>
[[nodiscard]] std::optional<T> parse_number(std::string_view s, T max = std::numeric_limits<T>::max()) {
  T v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

[[nodiscard]] inline std::optional<slot> parse_slot(std::string_view s) {
  return parse_number<slot>(s, max_slot);
}

using argv_t = std::vector<std::string>;
using parsed = std::variant<command, unknown>;

[[nodiscard]] inline unknown arity(const argv_t& a) {
  return {"wrong number of arguments (" + std::to_string(a.size()) + ") for " + a[0] + " " + a[1]};
}
[[nodiscard]] inline unknown not_a(const char* what, const std::string& arg) {
  return {"'" + arg + "' is not " + what};
}

[[nodiscard]] inline parsed parse_meet(const argv_t& a) {
  if (a.size() != 4 && a.size() != 5) return arity(a);
  const auto port = parse_number<std::uint16_t>(a[3]);
  if (!port) return not_a("a port", a[3]);
  if (a.size() == 5 && !parse_number<std::uint16_t>(a[4])) return not_a("a bus port", a[4]);
  return command{cluster_meet{a[2], *port}};
}

[[nodiscard]] inline parsed parse_setslot(const argv_t& a) {
  if (a.size() < 4) return arity(a);
  const auto s = parse_slot(a[2]);
  if (!s) return not_a("a slot", a[2]);
  if (keyword_is(a[3], "STABLE")) {
    if (a.size() != 4) return arity(a);
    return command{cluster_setslot{*s, setslot_kind::stable, {}}};
  }
  setslot_kind k{};
  if (keyword_is(a[3], "IMPORTING")) k = setslot_kind::importing;
  else if (keyword_is(a[3], "MIGRATING")) k = setslot_kind::migrating;
  else if (keyword_is(a[3], "NODE")) k = setslot_kind::node;
  else return not_a("a SETSLOT subcommand", a[3]);
  if (a.size() != 5) return arity(a);
  return command{cluster_setslot{*s, k, node_id{a[4]}}};
}

[[nodiscard]] inline parsed parse_addslotsrange(const argv_t& a) {
  if (a.size() < 4 || a.size() % 2 != 0) return arity(a);
  cluster_addslotsrange c;
  for (std::size_t i = 2; i < a.size(); i += 2) {
    const auto first = parse_slot(a[i]), last = parse_slot(a[i + 1]);
    if (!first) return not_a("a slot", a[i]);
    if (!last) return not_a("a slot", a[i + 1]);
    if (*first > *last) return unknown{"range " + a[i] + "-" + a[i + 1] + " ends before it starts"};
    c.ranges.push_back({*first, *last});
  }
  return command{std::move(c)};
}

[[nodiscard]] inline parsed parse_failover(const argv_t& a) {
  if (a.size() == 2) return command{cluster_failover{}};
  if (a.size() != 3) return arity(a);
  if (keyword_is(a[2], "FORCE")) return command{cluster_failover{failover_mode::force}};
  if (keyword_is(a[2], "TAKEOVER")) return command{cluster_failover{failover_mode::takeover}};
  return not_a("a FAILOVER option", a[2]);
}

[[nodiscard]] inline parsed parse_reset(const argv_t& a) {
  if (a.size() == 2) return command{cluster_reset{}};
  if (a.size() != 3) return arity(a);
  if (keyword_is(a[2], "SOFT")) return command{cluster_reset{reset_mode::soft}};
  if (keyword_is(a[2], "HARD")) return command{cluster_reset{reset_mode::hard}};
  return not_a("a RESET mode", a[2]);
}

[[nodiscard]] inline parsed parse_cluster(const argv_t& a) {
  if (a.size() < 2) return unknown{"CLUSTER without a subcommand"};
  const std::string& sub = a[1];
  if (keyword_is(sub, "MEET")) return parse_meet(a);
  if (keyword_is(sub, "SETSLOT")) return parse_setslot(a);
  if (keyword_is(sub, "ADDSLOTSRANGE")) return parse_addslotsrange(a);
  if (keyword_is(sub, "FAILOVER")) return parse_failover(a);
  if (keyword_is(sub, "RESET")) return parse_reset(a);
  if (keyword_is(sub, "REPLICATE")) return a.size() == 3 ? parsed{command{cluster_replicate{node_id{a[2]}}}} : arity(a);
  if (keyword_is(sub, "FORGET")) return a.size() == 3 ? parsed{command{cluster_forget{node_id{a[2]}}}} : arity(a);
  if (keyword_is(sub, "SET-CONFIG-EPOCH")) {
    if (a.size() != 3) return arity(a);
    const auto e = parse_number<std::uint64_t>(a[2]);
    if (!e) return not_a("a config epoch", a[2]);
    return command{cluster_set_config_epoch{*e}};
  }
  return unknown{"unknown CLUSTER subcommand '" + sub + "'"};
}

/// `argv` as a command the simulator models, or why it is not one.
[[nodiscard]] inline parsed parse_command(const argv_t& a) {
  if (a.empty()) return unknown{"empty command"};
  if (keyword_is(a[0], "CLUSTER")) return parse_cluster(a);
  if (keyword_is(a[0], "CONFIG") && a.size() >= 2 && keyword_is(a[1], "SET")) {
    // Redis 7 takes several pairs; lowering sends one, and the model knows one
    if (a.size() != 4) return arity(a);
    return command{config_set_pair{a[2], a[3]}};
  }
  return unknown{"unknown command '" + a[0] + (a.size() >= 2 ? " " + a[1] : std::string{}) + "'"};
}

}  // namespace rcplan::sim::detail
