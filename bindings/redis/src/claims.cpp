#include "claims.hpp"

#include "context.hpp"

#include <rcplan/parse/cluster_nodes.hpp>

#include <array>
#include <charconv>
#include <cstdint>
#include <exception>
#include <map>
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

/// A view's line of node `id` (parsed views keep Redis' order), or null.
const cluster_node* line_of(const cluster_view& v, const node_id& id) {
  for (const cluster_node& n : v.nodes)
    if (n.id == id) return &n;
  return nullptr;
}

/// Polls `done` every 5 ms until it holds or `deadline` passes; whether it held.
template <typename Done>
bool poll_until(std::chrono::steady_clock::time_point deadline, Done&& done) {
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
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
  if (const cluster_node* t = line_of(v, target)) out.target = t->addr;
  if (out.target)
    for (const cluster_node& n : v.nodes)
      if (n.flags.handshake && n.addr.host == out.target->host && n.addr.port == out.target->port)
        out.handshaking = true;
  return out;
}

/// Every slot has an owner in the node's table and the node serves: migrations may go on.
bool complete_and_ok(connection& c) {
  const reply r = c.command({"CLUSTER", "INFO"});
  return info_value(r.str, "cluster_state") == "ok" && info_value(r.str, "cluster_slots_assigned") == "16384";
}

/// One source's part in a settle at the target: the slot the target forgets, and the target's
/// bus address as the source knows it (where its MEET goes).
struct source_part {
  node_id source;
  node_id source_id;  ///< as the nodes name it
  slot forgotten = 0;
  address target;
};

/// The part of `source` (moving `moving` to the target): a slot the source claims, the target
/// gives it, and that does not move to the target; nullopt when there is none.
std::optional<source_part> part_of(node_pool& pool, directory& dir, const cluster_view& at_target,
                                   const node_id& target_id, const node_id& source, const slot_set& moving) {
  const node_id source_id = dir.real_id(source);
  const cluster_node* held = line_of(at_target, source_id);
  if (held == nullptr) return std::nullopt;
  const cluster_view own = parse_cluster_nodes(pool.get(source).command({"CLUSTER", "NODES"}).str);
  const cluster_node* claims = line_of(own, own.observer);
  const cluster_node* target = line_of(own, target_id);
  if (claims == nullptr || target == nullptr || claims->id != source_id) return std::nullopt;
  const std::optional<slot> spare = ((claims->slots & held->slots) - moving).first();
  if (!spare) return std::nullopt;
  return source_part{source, source_id, *spare, target->addr};
}

/// The settle at one target; returns the sources settled.
std::vector<node_id> settle_at(node_pool& pool, directory& dir, reporter& rep, const node_id& target,
                               const std::map<node_id, slot_set>& moving, std::chrono::milliseconds timeout) {
  connection& t = pool.get(target);
  if (!complete_and_ok(t)) return {};
  const node_id target_id = dir.real_id(target);
  const cluster_view before = parse_cluster_nodes(t.command({"CLUSTER", "NODES"}).str);
  const cluster_node* me = line_of(before, before.observer);
  if (me == nullptr || !me->is_master() || !me->slots.empty() || !me->open_slots.empty()) return {};
  std::vector<source_part> parts;
  for (const auto& [source, slots] : moving)
    if (std::optional<source_part> p = part_of(pool, dir, before, target_id, source, slots)) parts.push_back(*p);
  if (parts.empty()) return {};
  argv forget{"CLUSTER", "DELSLOTS"};
  for (const source_part& p : parts) forget.push_back(std::to_string(p.forgotten));
  if (t.command(forget).is_error()) return {};
  // From here on the target's table lacks those slots until their sources answer, so a source
  // that fails only misses its settle: the wait below ends, and its slot is given back.
  for (const source_part& p : parts) {
    try {
      (void)pool.get(p.source).command({"CLUSTER", "MEET", p.target.host, std::to_string(p.target.port),
                                        std::to_string(p.target.bus_port)});
    } catch (const std::exception&) {
      pool.drop(p.source);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  (void)poll_until(deadline, [&] { return complete_and_ok(t); });
  const cluster_view after = parse_cluster_nodes(t.command({"CLUSTER", "NODES"}).str);
  std::vector<node_id> settled;
  for (const source_part& p : parts) {
    const cluster_node* owner = nullptr;
    for (const cluster_node& n : after.nodes)
      if (n.slots.contains(p.forgotten)) owner = &n;
    if (owner != nullptr && owner->id == p.source_id) {
      settled.push_back(p.source);
      continue;
    }
    if (owner == nullptr)  // the source's answer did not come: the target's table as it was
      (void)t.command({"CLUSTER", "SETSLOT", std::to_string(p.forgotten), "NODE", p.source_id.value});
    rep.diagnose(severity::warning, "rcplan.redis.claims_unsettled", target.value,
                 "could not confirm that target " + short_id(target) + " heard source " + short_id(p.source) +
                     " before the wave (slot " + std::to_string(p.forgotten) +
                     "); its migrations settle with a slot of their own");
  }
  // the sources' handshakes end with the target's answer: leave no half-met node behind
  for (const source_part& p : parts) {
    try {
      (void)poll_until(deadline, [&] { return !view_from_source(pool.get(p.source), target_id).handshaking; });
    } catch (const std::exception&) {
      pool.drop(p.source);
    }
  }
  (void)poll_until(deadline, [&] { return complete_and_ok(t); });
  return settled;
}

}  // namespace

bool keeps_stale_unclaimed_marks(std::string_view info_server) {
  if (info_value(info_server, "valkey_version")) return false;
  const auto text = info_value(info_server, "redis_version");
  const auto v = text ? version_numbers(*text) : std::nullopt;
  if (!v) return true;
  return *v >= std::array<int, 3>{7, 0, 13} && *v < std::array<int, 3>{7, 4, 0};
}

bool needs_claim_guard(const execute_options& o, node_pool& pool, const node_id& target) {
  switch (o.settle_claims) {
    case claim_guard::always:
      return true;
    case claim_guard::never:
      return false;
    case claim_guard::automatic:
      break;
  }
  try {
    return keeps_stale_unclaimed_marks(pool.get(target).command({"INFO", "server"}).str);
  } catch (const std::exception&) {
    pool.drop(target);
    return true;
  }
}

std::set<std::pair<node_id, node_id>> settle_idle_targets(
    exec_context& ctx, const std::vector<std::pair<std::size_t, migrate_slots>>& jobs, std::chrono::milliseconds timeout) {
  std::map<node_id, std::map<node_id, slot_set>> into;  // target -> source -> slots it moves there
  for (const auto& [i, m] : jobs) into[m.target][m.source] |= m.slots;
  std::set<std::pair<node_id, node_id>> out;
  node_pool pool(ctx.dir);
  for (const auto& [target, moving] : into) {
    if (!needs_claim_guard(ctx.options, pool, target)) continue;
    try {
      std::string heard;
      for (const node_id& source : settle_at(pool, ctx.dir, ctx.rep, target, moving, timeout)) {
        out.emplace(target, source);
        heard += (heard.empty() ? "" : ", ") + short_id(source);
      }
      if (!heard.empty())
        ctx.rep.note(progress_event::kind::waiting, jobs.front().first,
                     "claim check: target " + short_id(target) + " heard its sources (" + heard + ") before the wave");
    } catch (const std::exception&) {  // a node stopped answering: those migrations settle the first way
      pool.drop(target);
      for (const auto& [source, slots] : moving) pool.drop(source);
    }
  }
  ctx.rep.commands_sent += pool.commands_sent();
  return out;
}

bool source_heard_by_target(node_pool& pool, directory& dir, const node_id& source, const node_id& target,
                            std::chrono::milliseconds timeout) {
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
    return poll_until(std::chrono::steady_clock::now() + timeout,
                      [&] { return meets_received(t) > meets && !view_from_source(s, target_id).handshaking; });
  } catch (const std::exception&) {
    pool.drop(source);
    pool.drop(target);
  }
  return false;
}

}  // namespace rcplan::redis::detail
