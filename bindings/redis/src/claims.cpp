#include "claims.hpp"

#include "context.hpp"

#include <rcplan/parse/cluster_nodes.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>

namespace rcplan::redis::detail {

namespace {

/// major.minor.patch; nullopt when the text is not three numbers.
std::optional<std::array<int, 3>> version_numbers(std::string_view v) {
  std::array<int, 3> out{};
  for (std::size_t i = 0; i < out.size(); ++i) {
    const char* first = v.data();
    const char* last = v.data() + v.size();
    const auto [ptr, ec] = std::from_chars(first, last, out[i]);
    if (ec != std::errc{} || ptr == first) return std::nullopt;
    v.remove_prefix(static_cast<std::size_t>(ptr - first));
    if (i + 1 < out.size()) {
      if (v.empty() || v.front() != '.') return std::nullopt;
      v.remove_prefix(1);
    }
  }
  return out;
}

std::uint64_t meets_received(connection& c) {
  const reply r = c.command({"CLUSTER", "INFO"});
  const auto v = info_value(r.str, "cluster_stats_messages_meet_received");
  std::uint64_t n = 0;
  if (v) (void)std::from_chars(v->data(), v->data() + v->size(), n);
  return n;  // absent until the first MEET arrives
}

/// The target's line in the source's CLUSTER NODES, and whether a handshake with the target's
/// address is still open there.
struct source_view {
  std::optional<address> target;
  bool handshaking = false;
};

source_view view_from_source(connection& source, const node_id& target) {
  source_view out;
  const cluster_view v = parse_cluster_nodes(source.command({"CLUSTER", "NODES"}).str);
  for (const cluster_node& n : v.nodes)
    if (n.id == target) out.target = n.addr;
  if (out.target)
    for (const cluster_node& n : v.nodes)
      if (n.flags.handshake && n.addr.host == out.target->host && n.addr.port == out.target->port)
        out.handshaking = true;
  return out;
}

}  // namespace

bool keeps_stale_unclaimed_marks(std::string_view info_server) {
  if (info_value(info_server, "valkey_version")) return false;
  const auto text = info_value(info_server, "redis_version");
  const auto v = text ? version_numbers(*text) : std::nullopt;
  if (!v) return true;
  return *v >= std::array<int, 3>{7, 0, 13} && *v < std::array<int, 3>{7, 4, 0};
}

bool source_heard_by_target(node_pool& pool, directory& dir, const node_id& source, const node_id& target,
                            std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  try {
    const node_id target_id = dir.real_id(target);
    connection& s = pool.get(source);
    connection& t = pool.get(target);
    const source_view before = view_from_source(s, target_id);
    if (!before.target) return false;
    const std::uint64_t meets = meets_received(t);
    const address& a = *before.target;
    const reply r = s.command({"CLUSTER", "MEET", a.host, std::to_string(a.port), std::to_string(a.bus_port)});
    if (r.is_error()) return false;
    // The source sends the MEET from its next cron tick (every 100 ms at the default hz).
    const auto deadline = clock::now() + timeout;
    while (clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (meets_received(t) > meets && !view_from_source(s, target_id).handshaking) return true;
    }
  } catch (const std::exception&) {
    pool.drop(source);
    pool.drop(target);
  }
  return false;
}

}  // namespace rcplan::redis::detail
