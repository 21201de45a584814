#pragma once

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/lower.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::sim {

/// A rule of design §6 (or of Redis itself) that a command broke.
struct violation {
  std::string invariant;  ///< stable name, e.g. "keys_stranded"
  std::string detail;     ///< which slot, which nodes
  friend bool operator==(const violation&, const violation&) = default;
};

/// One node as the simulator keeps it: its own claims and open slots, and its keys per slot.
struct node_state {
  node_id id;
  address addr;
  bool master = true;
  std::optional<node_id> master_id;
  bool failed = false;
  std::uint64_t config_epoch = 0;
  slot_set claims;
  std::map<slot, node_id> migrating;
  std::map<slot, node_id> importing;
  std::map<slot, std::uint64_t> keys;
  /// The process runs. A dead node keeps its claims and keys (they are on its disk, and its
  /// replicas hold copies) and is flagged `fail` by the others.
  bool alive = true;
  /// The peers this node knows, with the address it last heard for each. A fresh node knows
  /// no one; MEET and gossip fill it, FORGET and RESET empty it.
  std::map<node_id, address> known;
  std::uint64_t offset = 0;  ///< replication offset
  bool synced = true;        ///< a replica whose initial sync completed
  std::uint64_t pong_ms = 0;  ///< last time the others heard from it
  bool joined = false;        ///< came from an observed cluster; cleared by RESET
  /// Runs with the password now in force (see `cluster::rotate_password`).
  bool requirepass_current = true;
  bool masterauth_current = true;
};

/// How `cluster::to_topology` reports views.
enum class view_mode : std::uint8_t {
  merged,    ///< one view holding every member's own line (cheap)
  per_node,  ///< one view per reachable member, each listing what that node knows
};

/// A Redis Cluster in memory, driven by the same lowered commands a binding sends to real
/// nodes, with Redis' own refusals (SETSLOT MIGRATING on a non-owner, NODE while keys remain,
/// REPLICATE of a node with slots...) and the invariants of design §6 checked for every slot a
/// command touches. Each node's claims are its own view; the slot's owner is the claimant with
/// the highest config epoch, as gossip would settle it.
class cluster {
 public:
  /// The merged view of `t`; key counts from its observations (an unobserved node holds none).
  [[nodiscard]] static cluster from_topology(const topology& t) {
    cluster c;
    for (const cluster_node& n : merged_nodes(t)) {
      node_state s;
      s.id = n.id;
      s.addr = n.addr;
      s.master = n.is_master();
      s.master_id = n.master_id;
      s.failed = n.failed();
      s.config_epoch = n.config_epoch;
      s.claims = n.slots;
      s.pong_ms = n.pong_received;
      s.joined = true;
      for (const open_slot& o : n.open_slots)
        (o.dir == open_slot::direction::migrating ? s.migrating : s.importing)[o.number] = o.peer;
      if (const node_observation* obs = t.observation(n.id); obs && obs->keys_per_slot)
        for (const auto& [sl, k] : *obs->keys_per_slot)
          if (k > 0) s.keys[sl] = k;
      if (const node_observation* obs = t.observation(n.id); obs && obs->replication)
        s.offset = obs->replication->offset();
      if (const node_observation* obs = t.observation(n.id); obs && obs->password) {
        c.password_tracked_ = true;
        s.requirepass_current = obs->password->requirepass_current;
        s.masterauth_current = obs->password->masterauth_current;
      }
      c.nodes_.emplace(n.id, std::move(s));
    }
    // one cluster: everyone knows everyone, as the merged view says
    for (auto& [id, n] : c.nodes_)
      for (const auto& [other, o] : c.nodes_)
        if (other != id) n.known.emplace(other, o.addr);
    c.now_ms_ = t.observed_at_ms;
    for (const auto& [id, n] : c.nodes_)
      for (const auto& [sl, k] : n.keys) c.initial_keys_[sl] += k;
    c.created_ = c.covered().full();
    return c;
  }

  [[nodiscard]] const std::map<node_id, node_state>& nodes() const noexcept { return nodes_; }
  [[nodiscard]] const node_state* find(const node_id& id) const {
    const auto it = nodes_.find(id);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  /// Slots whose owner changed (a target claimed them) since construction.
  [[nodiscard]] std::size_t slots_moved() const noexcept { return slots_moved_; }
  [[nodiscard]] std::size_t commands_applied() const noexcept { return applied_; }

  /// The claimant with the highest config epoch (then lowest id), if any.
  [[nodiscard]] std::optional<node_id> owner(slot s) const {
    const node_state* best = nullptr;
    for (const auto& [id, n] : nodes_)
      if (n.master && n.claims.contains(s) && (best == nullptr || n.config_epoch > best->config_epoch)) best = &n;
    return best ? std::optional<node_id>(best->id) : std::nullopt;
  }
  [[nodiscard]] slot_set covered() const {
    slot_set all;
    for (const auto& [id, n] : nodes_)
      if (n.master) all |= n.claims;
    return all;
  }
  [[nodiscard]] std::uint64_t total_keys() const {
    std::uint64_t k = 0;
    for (const auto& [id, n] : nodes_)
      for (const auto& [s, c] : n.keys) k += c;
    return k;
  }

  // --- processes, membership, time --------------------------------------------------------

  /// A fresh redis-server: its own id, empty, a master without slots, knowing only itself.
  void add_node(const node_id& id, const address& addr) {
    node_state s;
    s.id = id;
    s.addr = addr;
    s.pong_ms = now_ms_;
    nodes_.insert_or_assign(id, std::move(s));
  }
  /// The process dies; its claims, keys and peers stay (they are on its disk).
  void kill(const node_id& id) {
    if (node_state* n = get(id); n != nullptr && n->alive) {
      n->alive = false;
      n->failed = true;
    }
  }
  /// The process starts again from its disk, possibly at a new address. A replica resyncs.
  /// It starts with the password now in force (a pod reads it from its Secret at start).
  void revive(const node_id& id, const std::optional<address>& addr = std::nullopt) {
    node_state* n = get(id);
    if (n == nullptr) return;
    n->alive = true;
    n->requirepass_current = true;
    n->masterauth_current = true;
    n->failed = false;
    n->pong_ms = now_ms_;
    if (addr) n->addr = *addr;
    if (!n->master) n->synced = false;
  }
  /// The node now listens at `addr`; the others keep the address they knew until a MEET.
  void set_address(const node_id& id, const address& addr) {
    if (node_state* n = get(id)) n->addr = addr;
  }
  /// The process is gone for good (its disk too). The others keep its line until they forget
  /// it; a node nobody knows disappears.
  void discard(const node_id& id) {
    kill(id);
    if (!known_by_anyone(id)) drop(id);
  }
  /// The plan gave up `id`'s keys (its diagnostics say so, under `data_loss_code`): once it is
  /// dead, it may be forgotten with its slots and keys.
  void write_off(const node_id& id) { written_off_.insert(id); }
  /// Keys given up by plans that were allowed to.
  [[nodiscard]] std::uint64_t lost_keys() const noexcept { return lost_keys_; }
  /// Preloads `count` keys into slot `s` on its owner (or on `on`); they count as initial keys.
  void add_keys(slot s, std::uint64_t count, std::optional<node_id> on = std::nullopt) {
    if (!on) on = owner(s);
    node_state* n = on ? get(*on) : nullptr;
    if (n == nullptr || count == 0) return;
    n->keys[s] += count;
    initial_keys_[s] += count;
  }
  /// Whether some other node lists `id` in its table.
  [[nodiscard]] bool known_by_anyone(const node_id& id) const {
    for (const auto& [other, n] : nodes_)
      if (other != id && n.known.count(id) != 0) return true;
    return false;
  }
  /// Part of a cluster: it knows or is known by another node, or claims slots. A fresh node
  /// before its MEET is not.
  [[nodiscard]] bool is_member(const node_id& id) const {
    const node_state* n = find(id);
    return n != nullptr && (n->joined || !n->known.empty() || !n->claims.empty() || known_by_anyone(id));
  }
  /// The password Secret changed: every running node still has the old one. From now on the
  /// observations report each node's password state.
  void rotate_password() {
    password_tracked_ = true;
    for (auto& [id, n] : nodes_) {
      n.requirepass_current = false;
      n.masterauth_current = false;
    }
  }
  [[nodiscard]] std::uint64_t now_ms() const noexcept { return now_ms_; }
  void set_clock(std::uint64_t ms) noexcept { now_ms_ = ms; }

  /// Time passes: live nodes answer pings, masters that own slots take writes (their offset
  /// grows), replicas of live masters finish their sync and catch up.
  void advance(std::uint64_t ms) {
    now_ms_ += ms;
    for (auto& [id, n] : nodes_) {
      if (!n.alive) continue;
      n.pong_ms = now_ms_;
      if (n.master && !n.claims.empty()) n.offset += ms;
    }
    for (auto& [id, n] : nodes_) {
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
    for (const auto& [id, n] : nodes_)
      if (n.master && !n.alive && !n.claims.empty() && now_ms_ - std::min(now_ms_, n.pong_ms) >= min_down_ms)
        failed_masters.push_back(id);
    for (const node_id& m : failed_masters) {
      if (!voting_majority_alive()) break;
      const node_state* best = nullptr;
      for (const auto& [id, n] : nodes_)
        if (!n.master && n.alive && n.master_id == m && electable(id) && (best == nullptr || n.offset > best->offset))
          best = &n;
      if (best == nullptr) continue;
      const node_id r = best->id;
      promote(*get(r));
      promoted.push_back(r);
    }
    return promoted;
  }

  /// Masters ignore vote requests from a node they do not know: a replica the cluster forgot
  /// cannot win an election, only one known to more than half of the slot-owning masters.
  [[nodiscard]] bool electable(const node_id& replica) const {
    std::size_t owners = 0, voters = 0;
    for (const auto& [id, n] : nodes_)
      if (n.master && !n.claims.empty()) {
        ++owners;
        if (n.alive && n.known.count(replica) != 0) ++voters;
      }
    return 2 * voters > owners;
  }

  /// More than half of the masters that own slots are alive (they elect a replica).
  [[nodiscard]] bool voting_majority_alive() const {
    std::size_t owners = 0, alive = 0;
    for (const auto& [id, n] : nodes_)
      if (n.master && !n.claims.empty()) {
        ++owners;
        if (n.alive) ++alive;
      }
    return 2 * alive > owners;
  }

  /// The lines a binding would use to lower a plan: every reachable member.
  [[nodiscard]] std::vector<cluster_node> reachable_node_list() const {
    std::vector<cluster_node> out;
    for (cluster_node& c : node_list())
      if (const node_state* n = find(c.id); n->alive && is_member(c.id)) out.push_back(std::move(c));
    return out;
  }

  /// Applies one lowered command; the first refusal or broken invariant is returned.
  [[nodiscard]] std::optional<violation> apply(const lowered_command& c) {
    ++applied_;
    return std::visit([&](const auto& x) { return run(x); }, c);
  }

  /// Moves only `fraction` (0..1) of the slot's keys, as a crash in the middle of a
  /// `move_keys` loop would leave them.
  [[nodiscard]] std::optional<violation> apply_partial(const move_keys& m, double fraction) {
    ++applied_;
    return run(m, fraction);
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
  [[nodiscard]] std::optional<violation> check_all() const {
    for (std::size_t s = 0; s < slot_count; ++s)
      if (auto v = check_slot(static_cast<slot>(s))) return v;
    for (const auto& [id, n] : nodes_)
      if (auto v = check_node(n)) return v;
    return std::nullopt;
  }

  /// The state as an observed topology: views (one merged view listing every member, each line
  /// carrying its own open slots, or one view per reachable member listing what it knows), and
  /// observations of every reachable node, met or not, with exact key counts and replication
  /// offsets; dead members appear unreachable. Feed it back to a planner.
  [[nodiscard]] topology to_topology(view_mode mode = view_mode::merged) const {
    topology t;
    t.observed_at_ms = now_ms_;
    const std::vector<cluster_node> lines = node_list();
    if (mode == view_mode::merged) {
      cluster_view v;
      for (const cluster_node& n : lines)
        if (is_member(n.id)) v.nodes.push_back(n);
      if (!v.nodes.empty()) {
        v.observer = v.nodes.front().id;
        v.nodes.front().flags.myself = true;
      }
      t.views.push_back(std::move(v));
    } else {
      for (const cluster_node& self : lines) {
        const node_state& n = nodes_.at(self.id);
        if (!n.alive || !is_member(self.id)) continue;
        cluster_view v;
        v.observer = self.id;
        for (const cluster_node& other : lines) {
          if (other.id == self.id) {
            v.nodes.push_back(other);
            v.nodes.back().flags.myself = true;
            continue;
          }
          const auto k = n.known.find(other.id);
          if (k == n.known.end()) continue;
          cluster_node line = other;
          line.addr = k->second;
          line.open_slots.clear();  // Redis prints open slots only on the `myself` line
          v.nodes.push_back(std::move(line));
        }
        t.views.push_back(std::move(v));
      }
    }
    for (const auto& [id, n] : nodes_) {
      if (!n.alive && !known_by_anyone(id)) continue;
      node_observation o;
      o.id = id;
      o.addr = n.addr;
      if (!n.alive) {
        o.reachable = false;
        o.error = "connection refused";
      } else {
        o.keys_per_slot = std::map<slot, std::uint64_t>(n.keys.begin(), n.keys.end());
        o.replication = replication_of(n);
        if (password_tracked_) o.password = password_state{n.requirepass_current, n.masterauth_current};
      }
      t.observations.push_back(std::move(o));
    }
    return t;
  }

  /// The nodes as `CLUSTER NODES` lines (sorted by id), e.g. for a `lower_context`.
  [[nodiscard]] std::vector<cluster_node> node_list() const {
    std::vector<cluster_node> out;
    for (const auto& [id, n] : nodes_) {
      cluster_node c;
      c.id = id;
      c.addr = n.addr;
      c.flags.master = n.master;
      c.flags.replica = !n.master;
      c.flags.fail = n.failed || !n.alive;
      c.pong_received = n.pong_ms;
      c.link = n.alive ? link_state::connected : link_state::disconnected;
      c.master_id = n.master_id;
      c.config_epoch = n.config_epoch;
      c.slots = n.claims;
      for (const auto& [s, p] : n.migrating) c.open_slots.push_back({s, open_slot::direction::migrating, p});
      for (const auto& [s, p] : n.importing) c.open_slots.push_back({s, open_slot::direction::importing, p});
      std::sort(c.open_slots.begin(), c.open_slots.end());
      out.push_back(std::move(c));
    }
    return out;
  }

 private:
  static violation refused(const std::string& what, slot s, const node_id& n) {
    return {"redis_refused", what + " (slot " + std::to_string(s) + " on " + short_id(n) + ")"};
  }
  [[nodiscard]] replication_info replication_of(const node_state& n) const {
    replication_info r;
    r.master_repl_offset = n.offset;
    if (!n.master && n.master_id) {
      r.role = node_role::replica;
      const node_state* m = find(*n.master_id);
      if (m != nullptr) {
        const auto k = n.known.find(m->id);
        const address& a = k == n.known.end() ? m->addr : k->second;
        r.master_host = a.host;
        r.master_port = a.port;
      }
      r.master_link_up = m != nullptr && m->alive && n.synced;
      r.master_sync_in_progress = !n.synced;
      r.replica_repl_offset = n.offset;
      return r;
    }
    for (const auto& [id, x] : nodes_)
      if (x.alive && !x.master && x.master_id == n.id)
        r.replicas.push_back({x.addr.host, x.addr.port, x.synced ? "online" : "wait_bgsave", x.offset, 0});
    return r;
  }
  node_state* get(const node_id& id) {
    const auto it = nodes_.find(id);
    return it == nodes_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] std::uint64_t max_epoch() const {
    std::uint64_t e = 0;
    for (const auto& [id, n] : nodes_) e = std::max(e, n.config_epoch);
    return e;
  }

  std::optional<violation> run(const redis_command& c) {
    node_state* n = get(c.node);
    if (n == nullptr) return violation{"unknown_node", "command sent to unknown node " + c.node.value};
    if (!n->alive) return violation{"node_unreachable", "command sent to " + short_id(c.node) + ", which is down"};
    const auto& a = c.argv;
    if (a.size() >= 4 && a[0] == "CLUSTER" && a[1] == "MEET") return meet_node(*n, a[2], a[3]);
    if (a.size() >= 4 && a[0] == "CLUSTER" && a[1] == "SETSLOT") return setslot(*n, a);
    if (a.size() >= 2 && a[0] == "CLUSTER" && a[1] == "ADDSLOTSRANGE") return addslots(*n, a);
    if (a.size() == 3 && a[0] == "CLUSTER" && a[1] == "REPLICATE") return replicate_to(*n, node_id{a[2]});
    if (a.size() >= 2 && a[0] == "CLUSTER" && a[1] == "FAILOVER") return fail_over(*n, a.size() > 2 ? a[2] : "");
    if (a.size() == 3 && a[0] == "CLUSTER" && a[1] == "FORGET") return forget_node(*n, node_id{a[2]});
    if (a.size() == 3 && a[0] == "CLUSTER" && a[1] == "SET-CONFIG-EPOCH") {
      n->config_epoch = std::stoull(a[2]);
      return std::nullopt;
    }
    if (a.size() == 3 && a[0] == "CLUSTER" && a[1] == "RESET") {
      if (n->master && !n->keys.empty()) return refused("RESET of a master holding keys", 0, n->id);
      n->claims.clear();
      n->migrating.clear();
      n->importing.clear();
      n->master = true;
      n->master_id.reset();
      n->known.clear();
      n->joined = false;
      n->synced = true;
      if (a[2] == "HARD") {
        n->config_epoch = 0;
        n->offset = 0;
      }
      return std::nullopt;
    }
    if (a.size() == 4 && a[0] == "CONFIG" && a[1] == "SET") return config_set_on(*n, a[2]);
    return std::nullopt;
  }

  /// Only the password parameters matter to the model: a master that requires the new
  /// password while one of its replicas still authenticates with the old one cuts that
  /// replica off (it can no longer sync, and a failover would promote a stale copy).
  std::optional<violation> config_set_on(node_state& n, const std::string& parameter) {
    if (parameter == "masterauth") n.masterauth_current = true;
    if (parameter != "requirepass") return std::nullopt;
    if (n.master)
      for (const auto& [id, r] : nodes_)
        if (r.alive && !r.master && r.master_id == n.id && !r.masterauth_current)
          return violation{"replica_auth_broken", "requirepass changed on " + short_id(n.id) +
                                                      " before its replica " + short_id(id) +
                                                      " knew the new password"};
    n.requirepass_current = true;
    return std::nullopt;
  }

  /// Gossip is immediate: both sides' tables merge, and every live node in them learns of
  /// every other (a dead node's table is frozen on its disk).
  std::optional<violation> meet_node(node_state& via, const std::string& host, const std::string& port) {
    node_state* x = nullptr;
    for (auto& [id, n] : nodes_)
      if (n.alive && n.addr.host == host && std::to_string(n.addr.port) == port) x = &n;
    if (x == nullptr || x == &via) return std::nullopt;  // the handshake never completes
    std::set<node_id> all = {via.id, x->id};
    for (const auto& [id, a] : via.known) all.insert(id);
    for (const auto& [id, a] : x->known) all.insert(id);
    for (const node_id& y : all) {
      node_state* n = get(y);
      if (n == nullptr || !n->alive) continue;
      for (const node_id& z : all) {
        const node_state* o = find(z);
        if (z == y || o == nullptr) continue;
        if (z == x->id) n->known[z] = o->addr;
        else n->known.emplace(z, o->addr);
      }
    }
    return std::nullopt;
  }

  std::optional<violation> setslot(node_state& n, const std::vector<std::string>& a) {
    const auto s = static_cast<slot>(std::stoul(a[2]));
    const std::string& sub = a[3];
    if (sub == "STABLE") {
      n.migrating.erase(s);
      n.importing.erase(s);
      return check_slot(s);
    }
    if (a.size() < 5) return refused("SETSLOT " + sub + " without a node", s, n.id);
    const node_id peer{a[4]};
    if (get(peer) == nullptr || (peer != n.id && n.known.count(peer) == 0))
      return refused("SETSLOT names an unknown node", s, n.id);
    if (sub == "IMPORTING") {
      if (n.claims.contains(s)) return refused("IMPORTING a slot it already owns", s, n.id);
      n.importing[s] = peer;
    } else if (sub == "MIGRATING") {
      if (!n.claims.contains(s)) return refused("MIGRATING a slot it does not own", s, n.id);
      n.migrating[s] = peer;
    } else if (sub == "NODE") {
      if (peer == n.id) {
        if (!n.claims.contains(s) && owner(s) != n.id) ++slots_moved_;
        n.importing.erase(s);
        n.claims.insert(s);
        n.config_epoch = max_epoch() + 1;  // the importing node bumps its epoch to win the slot
      } else {
        if (n.claims.contains(s) && n.keys.count(s) != 0)
          return refused("SETSLOT NODE elsewhere while still holding keys", s, n.id);
        n.claims.erase(s);
        n.migrating.erase(s);
        n.importing.erase(s);
      }
    }
    return check_slot(s);
  }

  std::optional<violation> addslots(node_state& n, const std::vector<std::string>& a) {
    for (std::size_t i = 2; i + 1 < a.size(); i += 2) {
      const auto first = static_cast<slot>(std::stoul(a[i])), last = static_cast<slot>(std::stoul(a[i + 1]));
      for (std::size_t s = first; s <= last; ++s)
        if (owner(static_cast<slot>(s))) return refused("ADDSLOTS of a busy slot", static_cast<slot>(s), n.id);
      n.claims.insert(slot_range{first, last});
      orphaned_.erase(slot_range{first, last});
      for (std::size_t s = first; s <= last; ++s)
        if (auto v = check_slot(static_cast<slot>(s))) return v;
    }
    if (covered().full()) created_ = true;
    return std::nullopt;
  }

  std::optional<violation> replicate_to(node_state& n, const node_id& m) {
    const node_state* target = find(m);
    if (target == nullptr || n.known.count(m) == 0) return refused("REPLICATE of an unknown node", 0, n.id);
    if (!target->master) return refused("REPLICATE of a non-master", 0, n.id);
    if (!n.claims.empty() || !n.keys.empty()) return refused("REPLICATE of a node with slots or keys", 0, n.id);
    n.master = false;
    n.master_id = m;
    n.synced = false;
    n.offset = 0;
    return check_node(n);
  }

  std::optional<violation> fail_over(node_state& r, const std::string& mode) {
    if (r.master || !r.master_id) return refused("FAILOVER on a master", 0, r.id);
    const node_state* m = find(*r.master_id);
    if (m == nullptr) return refused("FAILOVER with an unknown master", 0, r.id);
    // the default hands over with the master's agreement; FORCE skips the master but still
    // needs the votes of a majority; TAKEOVER needs no one
    if (mode.empty() && !m->alive) return refused("FAILOVER while the master is down (needs FORCE)", 0, r.id);
    if (mode == "FORCE" && !voting_majority_alive()) return refused("FAILOVER FORCE without a majority of masters", 0, r.id);
    promote(r);
    return std::nullopt;
  }

  void promote(node_state& r) {
    node_state* m = get(*r.master_id);
    // the replica holds a copy of the master's data: it now serves it
    r.keys = std::move(m->keys);
    m->keys.clear();
    r.claims = m->claims;
    m->claims.clear();
    r.migrating = std::move(m->migrating);
    r.importing = std::move(m->importing);
    m->migrating.clear();
    m->importing.clear();
    r.master = true;
    r.master_id.reset();
    r.config_epoch = max_epoch() + 1;
    m->master = false;
    m->master_id = r.id;
    if (!m->alive) m->synced = false;  // it resyncs from the new master when it returns
    for (auto& [id, n] : nodes_)
      if (!n.master && n.master_id == m->id) n.master_id = r.id;
  }

  std::optional<violation> forget_node(node_state& on, const node_id& x) {
    if (x == on.id) return refused("FORGET of itself", 0, on.id);
    if (on.master_id == x) return refused("FORGET of its own master", 0, on.id);
    const node_state* n = find(x);
    if (n == nullptr) return std::nullopt;  // already forgotten by an earlier command
    const bool given_up = written_off_.count(x) != 0 && !n->alive;
    if ((!n->claims.empty() || !n->keys.empty()) && !given_up)
      return violation{"forget_nonempty", "forgot " + short_id(x) + " while it owns slots or holds keys"};
    on.known.erase(x);
    // a dead node nobody knows any more is gone; a live one is on its own until met again
    if (!n->alive && !known_by_anyone(x)) drop(x);
    return std::nullopt;
  }

  /// Removes a node nobody knows. A written-off master's keys are lost (and no longer
  /// expected) and its slots wait, unowned, for another master to serve them.
  void drop(const node_id& x) {
    const auto it = nodes_.find(x);
    if (it == nodes_.end()) return;
    if (written_off_.count(x) != 0) {
      for (const auto& [sl, k] : it->second.keys) {
        initial_keys_[sl] -= std::min(initial_keys_[sl], k);
        lost_keys_ += k;
      }
      if (it->second.master) orphaned_ |= it->second.claims;
    }
    nodes_.erase(it);
  }

  std::optional<violation> run(const move_keys& m, double fraction = 1.0) {
    node_state* src = get(m.source);
    node_state* dst = get(m.target);
    if (src == nullptr || dst == nullptr) return refused("MIGRATE between unknown nodes", m.number, m.source);
    const auto mig = src->migrating.find(m.number);
    if (mig == src->migrating.end() || mig->second != m.target)
      return refused("MIGRATE without the slot MIGRATING to the target", m.number, m.source);
    const auto imp = dst->importing.find(m.number);
    if (!(imp != dst->importing.end() && imp->second == m.source) && !dst->claims.contains(m.number))
      return refused("MIGRATE to a node neither importing nor owning the slot", m.number, m.target);
    const auto it = src->keys.find(m.number);
    if (it != src->keys.end()) {
      auto moved = static_cast<std::uint64_t>(static_cast<double>(it->second) * fraction);
      if (fraction >= 1.0) moved = it->second;
      dst->keys[m.number] += moved;
      it->second -= moved;
      if (it->second == 0) src->keys.erase(it);
      if (dst->keys[m.number] == 0) dst->keys.erase(m.number);
    }
    return check_slot(m.number);
  }

  [[nodiscard]] std::optional<violation> check_slot(slot s) const {
    // runs after every command: no allocation unless something is wrong
    const auto where = [s] { return "slot " + std::to_string(s); };
    const node_state* claimants[2] = {nullptr, nullptr};
    std::size_t claims = 0;
    std::uint64_t keys = 0;
    for (const auto& [id, n] : nodes_) {
      if (n.master && n.claims.contains(s)) {
        if (claims < 2) claimants[claims] = &n;
        ++claims;
      }
      if (!n.keys.empty())
        if (const auto k = n.keys.find(s); k != n.keys.end()) keys += k->second;
    }
    if (created_ && claims == 0 && !orphaned_.contains(s)) return violation{"slot_unowned", where() + " has no owner"};
    if (claims > 2) return violation{"slot_contested", where() + " claimed by more than two masters"};
    if (claims == 2) {
      // target claimed, source not yet told: the older claimant must be migrating to the newer
      const node_state* older = claimants[0]->config_epoch < claimants[1]->config_epoch ? claimants[0] : claimants[1];
      const node_state* newer = older == claimants[0] ? claimants[1] : claimants[0];
      const auto m = older->migrating.find(s);
      const bool handing_over = m != older->migrating.end() && m->second == newer->id;
      if (!handing_over || older->config_epoch == newer->config_epoch)
        return violation{"slot_contested", where() + " claimed by several masters"};
    }
    const auto init = initial_keys_.find(s);
    const std::uint64_t want = init == initial_keys_.end() ? 0 : init->second;
    if (keys != want)
      return violation{"keys_not_conserved", where() + " holds " + std::to_string(keys) + " keys, expected " +
                                                 std::to_string(want)};
    // stranded keys first: the most serious finding wins the report
    for (const auto& [id, n] : nodes_) {
      if (n.keys.empty() || n.keys.count(s) == 0) continue;
      if (n.master && !n.claims.contains(s) && !n.importing.count(s))
        return violation{"keys_stranded", where() + " keys on " + short_id(id) +
                                              ", which neither owns nor imports the slot"};
    }
    for (const auto& [id, n] : nodes_) {
      if (n.migrating.empty()) continue;
      const auto m = n.migrating.find(s);
      if (m == n.migrating.end()) continue;
      const node_state* t = find(m->second);
      const auto imp = t ? t->importing.find(s) : std::map<slot, node_id>::const_iterator{};
      const bool paired = t != nullptr && ((imp != t->importing.end() && imp->second == n.id) || t->claims.contains(s));
      if (!paired) return violation{"open_slot_unpaired", where() + " MIGRATING on " + short_id(id) +
                                                              " toward a node not importing it"};
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<violation> check_node(const node_state& n) const {
    if (n.master) return std::nullopt;
    const node_state* m = n.master_id ? find(*n.master_id) : nullptr;
    if (m == nullptr || !m->master)
      return violation{"replica_without_master", short_id(n.id) + " follows no master"};
    return std::nullopt;
  }

  std::map<node_id, node_state> nodes_;
  std::map<slot, std::uint64_t> initial_keys_;
  bool created_ = false;
  std::size_t slots_moved_ = 0;
  std::size_t applied_ = 0;
  std::uint64_t now_ms_ = 0;
  bool password_tracked_ = false;
  std::set<node_id> written_off_;
  slot_set orphaned_;
  std::uint64_t lost_keys_ = 0;
};

}  // namespace rcplan::sim
