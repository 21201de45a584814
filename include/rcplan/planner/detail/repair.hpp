#pragma once

// The slot repairer behind plan_repair(): it reads every broken slot once and decides its
// repair by the table in planner/repair.hpp, then emits the steps grouped by node.

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/repair.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

/// A master that cannot give or take slots right now.
[[nodiscard]] inline bool unavailable(const cluster_node& n) noexcept {
  return n.failed() || n.flags.handshake || n.flags.noaddr;
}

[[nodiscard]] inline std::optional<std::uint64_t> keys_in(const topology& t, const node_id& n, slot s) {
  const node_observation* o = t.observation(n);
  if (o == nullptr || !o->keys_per_slot) return std::nullopt;
  const auto it = o->keys_per_slot->find(s);
  return it == o->keys_per_slot->end() ? 0 : it->second;
}

/// Whether the result lists every master's slots (plan_repair's promise) or only the masters
/// the repair changes (enough for the rebalance, which reads the rest from the nodes).
enum class ownership_scope : std::uint8_t { every_master, changed };

class slot_repairer {
 public:
  slot_repairer(const topology& t, const std::vector<cluster_node>& nodes,
                ownership_scope scope = ownership_scope::every_master)
      : t_(t), nodes_(nodes) {
    // who claims what, in one pass over each master's words (slot sets skip their empty
    // words): claimed slots, and those more than one master claims
    for (const cluster_node& n : nodes_) {
      if (n.is_master()) {
        if (claimed_.intersects(n.slots)) contested_ |= claimed_ & n.slots;
        claimed_ |= n.slots;
        if (scope == ownership_scope::every_master) out_.ownership.emplace_hint(out_.ownership.end(), n.id, n.slots);
      }
      for (const open_slot& o : n.open_slots)
        (o.dir == open_slot::direction::migrating ? migrating_ : importing_)[o.number].push_back({n.id, o.peer});
    }
  }

  [[nodiscard]] repair_result run() {
    slot_set todo = contested_ | claimed_.complement();
    for (const auto& [s, v] : migrating_) todo.insert(s);
    for (const auto& [s, v] : importing_) todo.insert(s);
    todo.for_each([&](slot s) { repair(s); });
    emit();
    return std::move(out_);
  }

 private:
  struct open_entry {
    node_id node;
    node_id peer;
  };

  /// Only broken slots are looked up, so a scan of the masters is cheap enough.
  [[nodiscard]] std::vector<node_id> owners(slot s) const {
    std::vector<node_id> o;
    if (!claimed_.contains(s)) return o;
    for (const cluster_node& n : nodes_)
      if (n.is_master() && n.slots.contains(s)) o.push_back(n.id);
    return o;
  }
  /// A node's slots as the repair leaves them so far: copied from its line on first change.
  [[nodiscard]] slot_set& owned(const node_id& id) {
    auto [it, inserted] = out_.ownership.try_emplace(id);
    if (inserted)
      if (const cluster_node* n = node(id); n != nullptr && n->is_master()) it->second = n->slots;
    return it->second;
  }
  [[nodiscard]] bool known_empty(const node_id& n, slot s) const {
    const auto k = keys_in(t_, n, s);
    return k && *k == 0;
  }
  [[nodiscard]] const cluster_node* node(const node_id& id) const { return find_node(nodes_, id); }

  /// The migration's source died and `owner` took its slots over (a promoted replica holds the
  /// keys that had not moved yet): the owner finishes the migration in the source's place. The
  /// source is gone, or back as a replica of the owner.
  [[nodiscard]] bool source_replaced(const node_id& source, const node_id& owner) const {
    const cluster_node* src = node(source);
    const cluster_node* own = node(owner);
    if (own == nullptr || own->failed()) return false;
    return src == nullptr || (src->is_master() && src->failed() && src->slots.empty()) ||
           (!src->is_master() && src->master_id == owner);
  }

  void block(slot s, const std::string& code, const std::string& message) {
    out_.blocked = true;
    blocked_[{code, message}].insert(s);
  }
  void give(slot s, const node_id& from, const node_id& to) {
    owned(from).erase(s);
    owned(to).insert(s);
  }

  void repair(slot s) {
    std::vector<node_id> own = owners(s);
    std::vector<open_entry> mig = list(migrating_, s), imp = list(importing_, s);
    if (own.empty()) return repair_uncovered(s, imp);
    if (own.size() > 1) {
      const contest c = repair_contested(s, own, mig);
      if (c == contest::blocked) return;
      if (c == contest::half_finished) return count(s);  // SETSLOT NODE closed the source too
      own = owners_after(s);
    }
    const node_id& o = own.front();
    // importers that hold nothing are closed first: they are the cheap, safe part
    std::vector<open_entry> live;
    for (const open_entry& e : imp) {
      if (known_empty(e.node, s)) stable_target_[e.node].insert(s);
      else live.push_back(e);
    }
    // a replica cannot own the slot, and Redis takes SETSLOT from masters only
    for (const open_entry& e : live)
      if (const cluster_node* n = node(e.node); n == nullptr || !n->is_master())
        return block(s, repair_code::importer_not_master,
                     "a node that is not a master imports the slot and may hold keys of it; SETSLOT reaches masters "
                     "only: make it a master again or move its keys by hand");
    const open_entry* m = nullptr;
    for (const open_entry& e : mig)
      if (e.node == o) m = &e;
      else stable_source_[e.node].insert(s);  // migrating on a non-owner means nothing to Redis
    if (live.size() > 1)
      return block(s, repair_code::several_importers,
                   "several nodes import the slot and may hold its keys; move them by hand");
    if (live.empty()) {
      // Migrating only. Closing the source is safe only if its target is known to hold none of
      // the slot's keys; the target may be importing unseen (its view was not observed) with
      // keys already moved, so otherwise the migration is finished instead.
      if (m != nullptr && known_empty(m->peer, s)) stable_source_[o].insert(s);
      else if (m != nullptr && node(m->peer) != nullptr && node(m->peer)->is_master()) {
        finish_[{o, m->peer}].insert(s);
        give(s, o, m->peer);
      } else if (m != nullptr) {
        return block(s, repair_code::migrating_to_unknown,
                     "the slot is migrating toward a node that is not a known master and may hold keys");
      }
      count(s);
      return;
    }
    const open_entry& i = live.front();
    if (i.peer != o && (m == nullptr || m->peer != i.node) && !source_replaced(i.peer, o))
      return block(s, repair_code::foreign_importer,
                   "a node imports the slot from a node that does not own it and may hold keys");
    if (i.peer != o && (m == nullptr || m->peer != i.node) && !table_names(i.node, s, o)) repoint_[{i.node, o}].insert(s);
    finish_[{o, i.node}].insert(s);
    give(s, o, i.node);
    count(s);
  }

  /// Whether `viewer`'s own table gives slot `s` to `owner`. An importer ignores gossip about
  /// the slot, so after its source failed over its table keeps the old source, or nobody once
  /// the source turned replica; it then refuses even the keys MIGRATE brings it
  /// ("CLUSTERDOWN Hash slot not served").
  [[nodiscard]] bool table_names(const node_id& viewer, slot s, const node_id& owner) const {
    for (const cluster_view& v : t_.views)
      if (v.observer == viewer) {  // a view is in print order unless a binding sorted it
        const auto n = std::find_if(v.nodes.begin(), v.nodes.end(), [&](const cluster_node& c) { return c.id == owner; });
        return n != v.nodes.end() && n->is_master() && n->slots.contains(s);
      }
    return false;
  }

  /// Owners of a contested slot once the contest gave it away: every claimant was changed.
  [[nodiscard]] std::vector<node_id> owners_after(slot s) const {
    std::vector<node_id> o;
    for (const auto& [id, slots] : out_.ownership)
      if (slots.contains(s)) o.push_back(id);
    return o;
  }

  void repair_uncovered(slot s, const std::vector<open_entry>& imp) {
    std::vector<node_id> holders;
    bool unknown = false;
    for (const cluster_node& n : nodes_) {
      // a node in handshake is not a member yet (often a known node met again by its address)
      if (!n.is_master() || n.failed() || n.flags.handshake) continue;
      const auto k = keys_in(t_, n.id, s);
      if (!k) unknown = true;
      else if (*k > 0) holders.push_back(n.id);
    }
    if (unknown)
      return block(s, repair_code::uncovered_unknown_keys,
                   "no master owns the slot and key counts are not known for every master");
    if (holders.size() > 1)
      return block(s, repair_code::uncovered_many_holders,
                   "no master owns the slot and several hold keys of it; merge them by hand");
    for (const open_entry& e : imp) stable_target_[e.node].insert(s);
    count(s);
    if (holders.empty()) {
      // With an importer, key counts may race a migration still in flight (a dead executor's
      // commands): its keys may be on their way to a node counted before they arrived, and a
      // wrong adopter would make that node drop them. Only a settled hand-over is adopted.
      if (const cluster_node* a = imp.empty() ? keyless_adopter(s) : handed_to_importer(s, imp)) {
        adopt_[a->id].insert(s);
        owned(a->id).insert(s);
      } else {
        out_.unassigned.insert(s);
      }
      return;
    }
    (assigned_in_some_view(s) ? adopt_ : claim_)[holders.front()].insert(s);
    owned(holders.front()).insert(s);
  }

  /// Whether some node's table gives the slot to another node although no node claims it for
  /// itself: a hand-over whose two sides each think the other owns the slot. ADDSLOTS is
  /// refused there ("already busy"), and gossip never settles it, as neither side advertises
  /// the slot.
  [[nodiscard]] bool assigned_in_some_view(slot s) const {
    for (const cluster_view& v : t_.views)
      for (const cluster_node& n : v.nodes)
        if (n.id != v.observer && n.is_master() && n.slots.contains(s)) return true;
    return false;
  }

  /// Who takes a keyless slot nobody claims although some table gives it away: the balancer's
  /// ADDSLOTS would be refused there. The live master most tables name keeps the hand-over's
  /// intent; when none is named, the one holding fewest slots. Null when no table assigns it.
  [[nodiscard]] const cluster_node* keyless_adopter(slot s) const {
    if (!assigned_in_some_view(s)) return nullptr;
    std::map<node_id, int> named;
    for (const cluster_view& v : t_.views)
      for (const cluster_node& n : v.nodes)
        if (n.id != v.observer && n.is_master() && n.slots.contains(s)) ++named[n.id];
    const cluster_node* best = nullptr;
    int best_named = -1;
    for (const cluster_node& n : nodes_) {
      if (!n.is_master() || unavailable(n)) continue;
      const auto it = named.find(n.id);
      const int k = it == named.end() ? 0 : it->second;
      if (best == nullptr || k > best_named || (k == best_named && k == 0 && n.slots.count() < best->slots.count())) {
        best = &n;
        best_named = k;
      }
    }
    return best;
  }

  /// The importer whose source let the keyless slot go to it: the source's own table names the
  /// importer and the source holds no key of it. Nothing can still be on its way then (a source
  /// takes SETSLOT NODE only once empty, and MIGRATE has finished before that).
  [[nodiscard]] const cluster_node* handed_to_importer(slot s, const std::vector<open_entry>& imp) const {
    if (imp.size() != 1) return nullptr;
    const open_entry& e = imp.front();
    const cluster_node* n = node(e.node);
    if (n == nullptr || !n->is_master() || unavailable(*n)) return nullptr;
    return known_empty(e.peer, s) && table_names(e.peer, s, e.node) ? n : nullptr;
  }

  enum class contest { blocked, resolved, half_finished };

  /// Picks the winner of a slot claimed by several masters.
  contest repair_contested(slot s, const std::vector<node_id>& own, const std::vector<open_entry>& mig) {
    // a half-finished migration: the source still migrating toward a target that took the slot
    for (const open_entry& e : mig) {
      if (std::find(own.begin(), own.end(), e.peer) == own.end() || own.size() != 2) continue;
      if (!known_empty(e.node, s)) {
        block(s, repair_code::half_finished_migration,
              "the target already owns the slot but the source may still hold keys of it");
        return contest::blocked;
      }
      set_node_[{e.node, e.peer}].insert(s);
      give(s, e.node, e.peer);
      return contest::half_finished;
    }
    const node_id* best = &own.front();
    for (const node_id& n : own) if (better_claim(n, *best, s)) best = &n;
    for (const node_id& n : own) {
      if (n == *best) continue;
      if (!known_empty(n, s)) {
        block(s, repair_code::contested_slot,
              "several masters claim the slot and a losing claimant may hold keys of it");
        return contest::blocked;
      }
      set_node_[{n, *best}].insert(s);
      give(s, n, *best);
    }
    return contest::resolved;
  }

  [[nodiscard]] bool better_claim(const node_id& a, const node_id& b, slot s) const {
    const std::uint64_t ka = keys_in(t_, a, s).value_or(0), kb = keys_in(t_, b, s).value_or(0);
    if (ka != kb) return ka > kb;
    const std::uint64_t ea = node(a) ? node(a)->config_epoch : 0, eb = node(b) ? node(b)->config_epoch : 0;
    if (ea != eb) return ea > eb;
    return a < b;
  }

  static std::vector<open_entry> list(const std::map<slot, std::vector<open_entry>>& m, slot s) {
    const auto it = m.find(s);
    return it == m.end() ? std::vector<open_entry>{} : it->second;
  }
  void count(slot) { ++out_.slots_repaired; }

  void emit() {
    // the source side first: a source left MIGRATING toward a closed importer is unpaired
    for (const auto& [n, slots] : stable_source_)
      add(0, set_slot_stable{n, slots}, "stop migrating slots " + to_string(slots) + " on " + short_id(n) +
                                            ": their keys never left it");
    for (const auto& [n, slots] : stable_target_)
      add(0, set_slot_stable{n, slots}, "stop importing slots " + to_string(slots) + " on " + short_id(n) +
                                            ": it holds none of their keys");
    for (const auto& [p, slots] : set_node_)
      add(0, set_slot_node{p.first, p.second, slots},
          "slots " + to_string(slots) + " belong to " + short_id(p.second) + "; " + short_id(p.first) +
              " holds none of their keys");
    for (const auto& [n, slots] : claim_)
      add(0, add_slots{n, slots}, "uncovered slots " + to_string(slots) + " have keys only on " + short_id(n));
    for (const auto& [n, slots] : adopt_) {
      add(0, set_slot_node{n, n, slots}, "nobody claims slots " + to_string(slots) + " although some nodes think "
                                             "another does; their keys are on " + short_id(n) + ", which takes them");
      for (const cluster_node& m : nodes_)
        if (m.is_master() && !m.failed() && m.id != n)
          add(1, set_slot_node{m.id, n, slots}, "tell " + short_id(m.id) + " that " + short_id(n) + " owns slots " +
                                                    to_string(slots) + " (its table names another node)");
    }
    for (const auto& [p, slots] : repoint_)
      add(0, set_slot_node{p.first, p.second, slots},
          "slots " + to_string(slots) + " belong to " + short_id(p.second) + ", which took over from the source " +
              short_id(p.first) + " imports them from; " + short_id(p.first) +
              " keeps importing them, and its table must name the new owner before keys can reach it");
    std::vector<wave_entry> fin;
    for (const auto& [p, slots] : finish_) fin.push_back({p.first, p.second, slots});
    for (const wave_entry& f : fin)
      add(1, migrate_slots{f.a, f.b, f.slots},
          "finish interrupted migration of slots " + to_string(f.slots) + " from " + short_id(f.a) +
              " to " + short_id(f.b));
    for (const auto& [what, slots] : blocked_)
      out_.diagnostics.push_back({severity::error, what.first, to_string(slots), what.second});
  }
  struct wave_entry {
    node_id a, b;
    slot_set slots;
  };
  void add(int wave, action a, std::string reason) {
    out_.steps.push_back({wave, std::move(reason), std::move(a)});
  }

  const topology& t_;
  const std::vector<cluster_node>& nodes_;
  slot_set claimed_;    ///< slots some master claims
  slot_set contested_;  ///< slots more than one master claims
  std::map<slot, std::vector<open_entry>> migrating_, importing_;
  std::map<node_id, slot_set> stable_source_, stable_target_, claim_, adopt_;
  std::map<std::pair<node_id, node_id>, slot_set> set_node_, repoint_, finish_;
  std::map<std::pair<std::string, std::string>, slot_set> blocked_;
  repair_result out_;
};

[[nodiscard]] inline repair_result repair_slots(const topology& t, const std::vector<cluster_node>& nodes,
                                               ownership_scope scope) {
  return slot_repairer(t, nodes, scope).run();
}

[[nodiscard]] inline repair_result repair_slots(const topology& t, const std::vector<cluster_node>& nodes) {
  return repair_slots(t, nodes, ownership_scope::every_master);
}

}  // namespace rcplan::planner_detail
