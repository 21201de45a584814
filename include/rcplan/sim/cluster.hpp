#pragma once

// A Redis Cluster in memory that runs the commands `lower()` produces, refuses what Redis
// refuses or what it does not model, and checks the invariants of design §6 after every
// command. Start here to test a plan; `world.hpp` adds the Kubernetes objects around it.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/sim/detail/interpreter.hpp>
#include <rcplan/sim/detail/invariants.hpp>
#include <rcplan/sim/detail/state.hpp>
#include <rcplan/sim/detail/topology.hpp>
#include <rcplan/sim/node_state.hpp>
#include <rcplan/sim/violation.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

namespace rcplan::sim {

/// A Redis Cluster in memory, driven by the same lowered commands a binding sends to real
/// nodes, with Redis' own refusals (SETSLOT MIGRATING on a non-owner, NODE while keys remain,
/// REPLICATE of a node with slots...) and the invariants of design §6 checked for every slot a
/// command touches. A command it does not model is an `unknown_command` violation. Each node's
/// claims are its own view; the slot's owner is the claimant with the highest config epoch, as
/// gossip would settle it.
class cluster {
 public:
  /// The merged view of `t`; key counts from its observations (an unobserved node holds none).
  [[nodiscard]] static cluster from_topology(const topology& t) {
    cluster c;
    c.s_ = detail::state_from_topology(t);
    return c;
  }

  [[nodiscard]] const std::map<node_id, node_state>& nodes() const noexcept { return s_.nodes; }
  [[nodiscard]] const node_state* find(const node_id& id) const { return s_.find(id); }
  /// Slots whose owner changed (a target claimed them) since construction.
  [[nodiscard]] std::size_t slots_moved() const noexcept { return s_.slots_moved; }
  [[nodiscard]] std::size_t commands_applied() const noexcept { return s_.applied; }

  /// The claimant with the highest config epoch (then lowest id), if any.
  [[nodiscard]] std::optional<node_id> owner(slot s) const { return s_.owner(s); }
  [[nodiscard]] slot_set covered() const { return s_.covered(); }
  [[nodiscard]] std::uint64_t total_keys() const {
    std::uint64_t k = 0;
    for (const auto& [id, n] : s_.nodes)
      for (const auto& [s, c] : n.keys) k += c;
    return k;
  }

  // --- processes, membership, time --------------------------------------------------------

  /// A fresh redis-server: its own id, empty, a master without slots, knowing only itself.
  void add_node(const node_id& id, const address& addr) {
    node_state s;
    s.id = id;
    s.addr = addr;
    s.pong_ms = s_.now_ms;
    s_.nodes.insert_or_assign(id, std::move(s));
  }
  /// The process dies; its claims, keys and peers stay (they are on its disk).
  void kill(const node_id& id) {
    if (node_state* n = s_.get(id); n != nullptr && n->alive) {
      n->alive = false;
      n->failed = true;
    }
  }
  /// The process starts again from its disk, possibly at a new address. A replica resyncs.
  /// It starts with the password now in force (a pod reads it from its Secret at start).
  void revive(const node_id& id, const std::optional<address>& addr = std::nullopt) {
    node_state* n = s_.get(id);
    if (n == nullptr) return;
    n->alive = true;
    n->requirepass_current = true;
    n->masterauth_current = true;
    n->failed = false;
    n->pong_ms = s_.now_ms;
    if (addr) n->addr = *addr;
    if (!n->master) n->synced = false;
  }
  /// The node now listens at `addr`; the others keep the address they knew until a MEET.
  void set_address(const node_id& id, const address& addr) {
    if (node_state* n = s_.get(id)) n->addr = addr;
  }
  /// The process is gone for good (its disk too). The others keep its line until they forget
  /// it; a node nobody knows disappears.
  void discard(const node_id& id) {
    kill(id);
    if (!known_by_anyone(id)) detail::drop(s_, id);
  }
  /// The plan gave up `id`'s keys (its diagnostics say so, under `data_loss_code`): once it is
  /// dead, it may be forgotten with its slots and keys.
  void write_off(const node_id& id) { s_.written_off.insert(id); }
  /// Keys given up by plans that were allowed to.
  [[nodiscard]] std::uint64_t lost_keys() const noexcept { return s_.lost_keys; }
  /// Preloads `count` keys into slot `s` on its owner (or on `on`); they count as initial keys.
  void add_keys(slot s, std::uint64_t count, std::optional<node_id> on = std::nullopt) {
    if (!on) on = owner(s);
    node_state* n = on ? s_.get(*on) : nullptr;
    if (n == nullptr || count == 0) return;
    n->keys[s] += count;
    s_.initial_keys[s] += count;
  }
  /// Whether some other node lists `id` in its table.
  [[nodiscard]] bool known_by_anyone(const node_id& id) const { return s_.known_by_anyone(id); }
  /// Part of a cluster: it knows or is known by another node, or claims slots. A fresh node
  /// before its MEET is not.
  [[nodiscard]] bool is_member(const node_id& id) const { return s_.is_member(id); }
  /// The password Secret changed: every running node still has the old one. From now on the
  /// observations report each node's password state.
  void rotate_password() {
    s_.password_tracked = true;
    for (auto& [id, n] : s_.nodes) {
      n.requirepass_current = false;
      n.masterauth_current = false;
    }
  }
  [[nodiscard]] std::uint64_t now_ms() const noexcept { return s_.now_ms; }
  void set_clock(std::uint64_t ms) noexcept { s_.now_ms = ms; }

  /// Time passes: live nodes answer pings, masters that own slots take writes (their offset
  /// grows), replicas of live masters finish their sync and catch up.
  void advance(std::uint64_t ms) {
    s_.now_ms += ms;
    for (auto& [id, n] : s_.nodes) {
      if (!n.alive) continue;
      n.pong_ms = s_.now_ms;
      if (n.master && !n.claims.empty()) n.offset += ms;
    }
    for (auto& [id, n] : s_.nodes) {
      if (!n.alive || n.master || !n.master_id) continue;
      const node_state* m = find(*n.master_id);
      if (m == nullptr || !m->alive || !m->master) continue;
      n.synced = true;
      n.offset = m->offset;
    }
  }

  /// What Redis does once a master has been unreachable for the node timeout: its live replica
  /// with the highest offset (then the lowest id) takes over, if a majority of the slot-owning
  /// masters is alive to vote. `min_down_ms` is that timeout. Returns the promoted replicas.
  std::vector<node_id> auto_failover(std::uint64_t min_down_ms = 0) {
    std::vector<node_id> promoted;
    std::vector<node_id> failed_masters;
    for (const auto& [id, n] : s_.nodes)
      if (n.master && !n.alive && !n.claims.empty() && s_.now_ms - std::min(s_.now_ms, n.pong_ms) >= min_down_ms)
        failed_masters.push_back(id);
    for (const node_id& m : failed_masters) {
      if (!voting_majority_alive()) break;
      const node_state* best = nullptr;
      for (const auto& [id, n] : s_.nodes)
        if (!n.master && n.alive && n.master_id == m && electable(id) && (best == nullptr || n.offset > best->offset))
          best = &n;
      if (best == nullptr) continue;
      const node_id r = best->id;
      detail::promote(s_, *s_.get(r));
      promoted.push_back(r);
    }
    return promoted;
  }

  /// Masters ignore vote requests from a node they do not know: a replica the cluster forgot
  /// cannot win an election, only one known to more than half of the slot-owning masters.
  [[nodiscard]] bool electable(const node_id& replica) const { return s_.electable(replica); }
  /// More than half of the masters that own slots are alive (they elect a replica).
  [[nodiscard]] bool voting_majority_alive() const { return s_.voting_majority_alive(); }

  // --- commands -------------------------------------------------------------------------------

  /// Applies one lowered command; the first refusal or broken invariant is returned. A
  /// command the simulator does not model (unknown name or CLUSTER subcommand, wrong number
  /// of arguments, a malformed number or keyword) is `invariant::unknown_command`.
  [[nodiscard]] std::optional<violation> apply(const lowered_command& c) {
    ++s_.applied;
    return std::visit([&](const auto& x) { return detail::run(s_, x); }, c);
  }

  /// Moves only `fraction` (0..1) of the slot's keys, as a crash in the middle of a
  /// `move_keys` loop would leave them.
  [[nodiscard]] std::optional<violation> apply_partial(const move_keys& m, double fraction) {
    ++s_.applied;
    return detail::run(s_, m, fraction);
  }

  /// Lowers `a` against the current state and applies every command.
  [[nodiscard]] std::optional<violation> apply(const action& a, lower_context ctx = {}) {
    ctx.nodes = reachable_node_list();
    for (const lowered_command& c : lower(a, ctx))
      if (auto v = apply(c)) return v;
    return std::nullopt;
  }

  /// Every invariant on every slot and node (the per-command checks only look at what the
  /// command touched).
  [[nodiscard]] std::optional<violation> check_all() const { return detail::check_all(s_); }

  // --- observing ------------------------------------------------------------------------------

  /// The state as an observed topology: views (one merged view listing every member, each line
  /// carrying its own open slots, or one view per reachable member listing what it knows), and
  /// observations of every reachable node, met or not, with exact key counts and replication
  /// offsets; dead members appear unreachable. Feed it back to a planner.
  [[nodiscard]] topology to_topology(view_mode mode = view_mode::merged) const {
    return detail::to_topology(s_, mode);
  }

  /// The nodes as `CLUSTER NODES` lines (sorted by id), e.g. for a `lower_context`.
  [[nodiscard]] std::vector<cluster_node> node_list() const { return detail::node_list(s_); }

  /// The lines a binding would use to lower a plan: every reachable member.
  [[nodiscard]] std::vector<cluster_node> reachable_node_list() const {
    std::vector<cluster_node> out;
    for (cluster_node& c : node_list())
      if (find(c.id)->alive && is_member(c.id)) out.push_back(std::move(c));
    return out;
  }

 private:
  detail::cluster_state s_;
};

}  // namespace rcplan::sim
