#include "waits.hpp"

#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/parse/info_replication.hpp>
#include <rcplan/redis/observe.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rcplan::redis::detail {

namespace {

std::string_view condition_name(wait_condition c) {
  switch (c) {
    case wait_condition::views_agree: return "views_agree";
    case wait_condition::replica_synced: return "replica_synced";
    case wait_condition::node_known: return "node_known";
    case wait_condition::pods_ready: return "pods_ready";
    case wait_condition::node_reachable: return "node_reachable";
    case wait_condition::failover_done: return "failover_done";
  }
  return "unknown";
}

/// Whether `c` is the node `id` (an address may now belong to another node: pod IPs are reused).
bool is_node(connection& c, const node_id& id) {
  return !id.well_formed() || c.command({"CLUSTER", "MYID"}).str == id.value;
}

/// A connection to the node, found again where it answers now when it moved (a pod restarted
/// with a new IP after the observation the plan was made from).
connection open(exec_context& ctx, const node_id& id_or_pod) {
  const auto at = ctx.dir.find(id_or_pod);
  if (!at) throw transport_error("no address known for " + id_or_pod.value);
  try {
    connection c(at->host, at->port, ctx.dir.options());
    if (is_node(c, id_or_pod)) return c;
  } catch (const transport_error&) {
  }
  const auto now = ctx.dir.relocate(id_or_pod);
  if (!now) throw transport_error("no address known for " + id_or_pod.value + " any more");
  connection c(now->host, now->port, ctx.dir.options());
  if (!is_node(c, id_or_pod)) throw transport_error(c.where() + " is not " + id_or_pod.value);
  return c;
}

replication_info replication_of(connection& c) {
  const reply r = c.command({"INFO", "replication"});
  if (r.type != reply::kind::string) throw transport_error(c.where() + ": INFO failed");
  return parse_info_replication(r.str);
}

observe_options light_observe(const exec_context& ctx) {
  observe_options o;
  o.password = ctx.dir.options().password;
  o.previous_password = ctx.dir.options().previous_password;
  o.connect_timeout = ctx.dir.options().connect_timeout;
  o.command_timeout = ctx.dir.options().command_timeout;
  o.tls = ctx.dir.options().tls;
  return o;
}

bool views_agree_now(exec_context& ctx) {
  std::vector<address> seeds;
  for (const auto& [id, e] : ctx.dir.reachable()) seeds.push_back(address{e.host, e.port, 0, {}});
  return views_agree(observe(seeds, light_observe(ctx)));
}

/// The replica's link is up and it has caught up with what its master had a moment before.
bool replica_synced_now(exec_context& ctx, const node_id& subject) {
  connection replica = open(ctx, subject);
  const replication_info before = replication_of(replica);
  if (before.role != node_role::replica || !before.master_link_up || before.master_sync_in_progress) return false;
  connection master(before.master_host, before.master_port, ctx.dir.options());
  const std::uint64_t wanted = replication_of(master).master_repl_offset;
  const replication_info after = replication_of(replica);
  return after.master_link_up && after.replica_repl_offset >= wanted;
}

bool node_known_now(exec_context& ctx, const node_id& subject) {
  const node_id id = ctx.dir.real_id(subject);
  for (const auto& [other, e] : ctx.dir.reachable()) {
    if (other == id) continue;
    connection c(e.host, e.port, ctx.dir.options());
    const cluster_view v = read_view(c);
    const cluster_node* n = find_node(v.nodes, id);
    if (n == nullptr || n->flags.handshake) return false;
  }
  return true;
}

bool failover_done_now(exec_context& ctx, const node_id& subject) {
  connection c = open(ctx, subject);
  return replication_of(c).role == node_role::master;
}

bool reachable_now(exec_context& ctx, const node_id& subject) {
  connection c = open(ctx, subject);
  return c.command({"PING"}).str == "PONG";
}

}  // namespace

bool holds(exec_context& ctx, const wait_until& w) {
  const node_id subject{w.subject};
  try {
    switch (w.condition) {
      case wait_condition::views_agree: return views_agree_now(ctx);
      case wait_condition::replica_synced: return replica_synced_now(ctx, subject);
      case wait_condition::node_known: return node_known_now(ctx, subject);
      case wait_condition::node_reachable: return reachable_now(ctx, subject);
      case wait_condition::failover_done: return failover_done_now(ctx, subject);
      case wait_condition::pods_ready:
        return ctx.options.platform != nullptr && ctx.options.platform->pods_ready(w.subject);
    }
  } catch (const transport_error&) {
  } catch (const auth_error&) {
  } catch (const rcplan::error&) {  // no seed answered, a reply that does not parse: not yet
  }
  return false;
}

std::string epoch_hazard(const std::vector<master_epochs>& masters, const std::vector<node_id>& sources,
                         const std::vector<node_id>& targets) {
  const auto find = [&](const node_id& id) -> const master_epochs* {
    for (const master_epochs& m : masters)
      if (m.id == id) return &m;
    return nullptr;
  };
  std::uint64_t highest_source = 0;
  for (const node_id& s : sources) {
    const master_epochs* e = find(s);
    if (e == nullptr) return "the config epoch of source " + short_id(s) + " is not known";
    highest_source = std::max(highest_source, e->config);
    for (const master_epochs& other : masters)
      if (other.id != s && other.config == e->config)
        return "source " + short_id(s) + " and master " + short_id(other.id) + " share config epoch " +
               std::to_string(e->config) + " until Redis settles the collision";
  }
  for (const node_id& t : targets) {
    const master_epochs* e = find(t);
    if (e == nullptr) return "the epochs of target " + short_id(t) + " are not known";
    if (e->current < highest_source)
      return "target " + short_id(t) + " has heard of epoch " + std::to_string(e->current) +
             " only, below its sources' " + std::to_string(highest_source);
  }
  return {};
}

namespace {

std::uint64_t info_field(const std::string& info, std::string_view name) {
  const auto v = info_value(info, name);
  if (!v) throw transport_error("CLUSTER INFO has no " + std::string{name});
  return std::strtoull(std::string{*v}.c_str(), nullptr, 10);
}

/// A wave's end that does not answer: its migrations cannot run, so waiting is pointless.
struct end_unreachable : transport_error {
  using transport_error::transport_error;
};

/// The wave's ends and every master the observation listed, each once.
std::vector<node_id> epoch_subjects(const exec_context& ctx, const std::vector<node_id>& ends) {
  std::vector<node_id> ids = ends;
  for (const cluster_node& n : merged_nodes(ctx.observed))
    if (n.is_master() && !n.failed()) ids.push_back(n.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

/// The epochs of `ids` that are masters now. One that is not an end and does not answer is
/// left out: down, it settles no collision (the observation after it returns sees its epoch).
std::vector<master_epochs> read_epochs(exec_context& ctx, const std::vector<node_id>& ids,
                                       const std::vector<node_id>& ends) {
  std::vector<master_epochs> out;
  for (const node_id& id : ids) {
    std::optional<connection> opened;
    try {
      opened.emplace(open(ctx, id));
    } catch (const transport_error& e) {
      if (std::find(ends.begin(), ends.end(), id) != ends.end()) throw end_unreachable(e.what());
      continue;
    }
    connection& c = *opened;
    if (replication_of(c).role != node_role::master) continue;  // a failed-over master: no claim
    const reply r = c.command({"CLUSTER", "INFO"});
    if (r.type != reply::kind::string) throw transport_error(c.where() + ": CLUSTER INFO failed");
    out.push_back({id, info_field(r.str, "cluster_my_epoch"), info_field(r.str, "cluster_current_epoch")});
  }
  return out;
}

}  // namespace

bool settle_epochs(exec_context& ctx, std::size_t step, const std::vector<node_id>& sources,
                   const std::vector<node_id>& targets) {
  std::vector<node_id> ends = sources;
  ends.insert(ends.end(), targets.begin(), targets.end());
  const std::vector<node_id> ids = epoch_subjects(ctx, ends);
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + ctx.options.wait_timeout;
  auto pause = std::chrono::milliseconds(20);
  std::string why;
  for (int polls = 0;; ++polls) {
    try {
      why = epoch_hazard(read_epochs(ctx, ids, ends), sources, targets);
    } catch (const end_unreachable& e) {
      ctx.rep.diagnose(severity::error, "rcplan.redis.unreachable", std::to_string(step),
                       "step " + std::to_string(step) + ": no slot moved: " + e.what());
      return false;
    } catch (const std::exception& e) {  // a reply that does not parse, a dropped connection: not yet
      why = e.what();
    }
    if (why.empty()) return true;
    if (clock::now() >= deadline) break;
    if (polls % 10 == 0) ctx.rep.note(progress_event::kind::waiting, step, "waiting for config epochs: " + why);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(200));
  }
  ctx.rep.diagnose(severity::error, "rcplan.redis.epochs_unsettled", std::to_string(step),
                   "step " + std::to_string(step) + ": no slot moved: " + why);
  return false;
}

bool run_wait(exec_context& ctx, std::size_t step, const wait_until& w) {
  using clock = std::chrono::steady_clock;
  const auto timeout = w.timeout_seconds > 0 ? std::chrono::milliseconds(std::chrono::seconds(w.timeout_seconds))
                                             : ctx.options.wait_timeout;
  const auto deadline = clock::now() + timeout;
  const std::string what = std::string{condition_name(w.condition)} + (w.subject.empty() ? "" : " " + w.subject);
  auto pause = std::chrono::milliseconds(50);
  for (int polls = 0;; ++polls) {
    if (holds(ctx, w)) return true;
    if (clock::now() >= deadline) break;
    if (polls % 10 == 0) ctx.rep.note(progress_event::kind::waiting, step, "waiting for " + what);
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
  ctx.rep.diagnose(severity::error, "rcplan.redis.wait_timeout", w.subject,
                   "step " + std::to_string(step) + ": " + what + " did not hold within " +
                       std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s");
  return false;
}

}  // namespace rcplan::redis::detail
