#pragma once

// An observed cluster: every node's view (`CLUSTER NODES`), per-node observations (reachability,
// replication, keys per slot, config) and the Kubernetes objects; the input of every planner.

#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot_set.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rcplan {

/// What one node said `CLUSTER NODES` looks like: its own line (flag `myself`) and its peers.
struct cluster_view {
  node_id observer;
  std::vector<cluster_node> nodes;

  friend bool operator==(const cluster_view&, const cluster_view&) = default;
};

/// Whether a node runs with the password now in force. The binding that observes the node
/// compares its settings with the password it holds and keeps only the verdicts: the password
/// itself never enters a topology.
struct password_state {
  bool requirepass_current = true;  ///< clients must AUTH with the current password
  bool masterauth_current = true;   ///< as a replica, it authenticates with the current password

  friend bool operator==(const password_state&, const password_state&) = default;
};

/// Node-local facts that are not part of `CLUSTER NODES`.
struct node_observation {
  node_id id;
  address addr;
  bool reachable = true;
  std::string error;  ///< why it was unreachable; never contains a password
  std::optional<replication_info> replication;
  /// Keys held per slot (only slots with keys appear); `nullopt` when not observed, which
  /// planners must treat as "may hold keys".
  std::optional<std::map<slot, std::uint64_t>> keys_per_slot;
  /// `CONFIG GET` values of the parameters the spec sets (never the password).
  std::map<std::string, std::string> config;
  /// `nullopt` when the cluster has no password or it was not checked.
  std::optional<password_state> password;

  friend bool operator==(const node_observation&, const node_observation&) = default;
};

/// Everything observed about one cluster at one moment: the Redis views, node-local facts
/// and the Kubernetes objects. Planners read it, never change it.
struct topology {
  std::vector<cluster_view> views;
  std::vector<node_observation> observations;
  std::vector<pod> pods;
  std::vector<statefulset> statefulsets;
  /// When it was observed, in milliseconds since the Unix epoch (the clock of the
  /// `pong_received` times in `CLUSTER NODES`); 0 when unknown.
  std::uint64_t observed_at_ms = 0;

  [[nodiscard]] const node_observation* observation(const node_id& id) const noexcept {
    const auto it = std::find_if(observations.begin(), observations.end(),
                                 [&](const node_observation& o) { return o.id == id; });
    return it == observations.end() ? nullptr : &*it;
  }

  friend bool operator==(const topology&, const topology&) = default;
};

/// One observer disagreeing with the merged picture about one node.
struct view_disagreement {
  enum class kind : std::uint8_t { unknown_node, role, master, slots };
  node_id observer;
  node_id subject;
  kind what = kind::unknown_node;

  friend bool operator==(const view_disagreement&, const view_disagreement&) = default;
};

/// The node with this id in a list sorted by id (a view's or `merged_nodes`'), or null.
[[nodiscard]] inline const cluster_node* find_node(const std::vector<cluster_node>& nodes,
                                                   const node_id& id) noexcept {
  const auto it = std::lower_bound(nodes.begin(), nodes.end(), id,
                                   [](const cluster_node& n, const node_id& k) { return n.id < k; });
  return it != nodes.end() && it->id == id ? &*it : nullptr;
}

/// One line per node, sorted by id: the node's own line where the node was observed
/// (it is the authority on its role, master, claimed slots and open slots), otherwise the line
/// of the first observer (by id) that knows it. Conflicting slot claims are kept, not
/// resolved, so that planners can see and repair them.
[[nodiscard]] inline std::vector<cluster_node> merged_nodes(const topology& t) {
  // choose a line per id first and copy each chosen line once: lines carry strings and slot sets
  std::vector<const cluster_view*> views;
  views.reserve(t.views.size());
  for (const cluster_view& v : t.views) views.push_back(&v);
  std::sort(views.begin(), views.end(),
            [](const cluster_view* a, const cluster_view* b) { return a->observer < b->observer; });
  struct candidate {
    const cluster_node* line;
    std::size_t view;  ///< position in `views`: the first observer (by id) wins among peers
    bool own;          ///< the node's own line, which wins over every peer's
  };
  std::vector<candidate> all;
  for (std::size_t v = 0; v < views.size(); ++v)
    for (const cluster_node& n : views[v]->nodes) all.push_back({&n, v, n.id == views[v]->observer});
  const auto by_id = [](const candidate& a, const candidate& b) { return a.line->id < b.line->id; };
  // one view (the common case) is often listed in id order already
  if (!std::is_sorted(all.begin(), all.end(), by_id)) std::stable_sort(all.begin(), all.end(), by_id);
  std::vector<cluster_node> out;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t best = i, j = i + 1;
    for (; j < all.size() && all[j].line->id == all[i].line->id; ++j)
      if (all[j].own) best = j;
    out.push_back(*all[best].line);
    out.back().flags.myself = false;
    i = j;
  }
  return out;
}

/// Every way an observer's view differs from the merged picture, sorted by observer then
/// subject. Empty when all views agree. Liveness flags (`fail?`, `fail`) and ping times are not
/// compared: they legitimately differ between observers for a while.
[[nodiscard]] inline std::vector<view_disagreement> view_disagreements(const topology& t,
                                                                     const std::vector<cluster_node>& merged) {
  std::vector<view_disagreement> out;
  if (t.views.size() <= 1) return out;  // the merged picture is that one view
  for (const cluster_view& v : t.views) {
    std::vector<const cluster_node*> mine;
    mine.reserve(v.nodes.size());
    for (const cluster_node& n : v.nodes) mine.push_back(&n);
    std::sort(mine.begin(), mine.end(), [](const cluster_node* a, const cluster_node* b) { return a->id < b->id; });
    for (const cluster_node& m : merged) {
      const auto it = std::lower_bound(mine.begin(), mine.end(), m.id,
                                       [](const cluster_node* n, const node_id& k) { return n->id < k; });
      using k = view_disagreement::kind;
      if (it == mine.end() || (*it)->id != m.id) {
        out.push_back({v.observer, m.id, k::unknown_node});
        continue;
      }
      const cluster_node* seen = *it;
      if (seen->role() != m.role()) out.push_back({v.observer, m.id, k::role});
      else if (seen->master_id != m.master_id) out.push_back({v.observer, m.id, k::master});
      if (seen->slots != m.slots) out.push_back({v.observer, m.id, k::slots});
    }
  }
  std::sort(out.begin(), out.end(), [](const view_disagreement& a, const view_disagreement& b) {
    return a.observer != b.observer ? a.observer < b.observer : a.subject < b.subject;
  });
  return out;
}

[[nodiscard]] inline std::vector<view_disagreement> view_disagreements(const topology& t) {
  return view_disagreements(t, merged_nodes(t));
}

[[nodiscard]] inline bool views_agree(const topology& t) { return view_disagreements(t).empty(); }

/// Slots claimed by no master in the merged picture.
[[nodiscard]] inline slot_set uncovered_slots(const std::vector<cluster_node>& nodes) {
  slot_set covered;
  for (const cluster_node& n : nodes)
    if (n.is_master()) covered |= n.slots;
  return covered.complement();
}

/// Slots claimed by more than one master in the merged picture.
[[nodiscard]] inline slot_set contested_slots(const std::vector<cluster_node>& nodes) {
  slot_set seen, twice;
  for (const cluster_node& n : nodes) {
    if (!n.is_master()) continue;
    twice |= seen & n.slots;
    seen |= n.slots;
  }
  return twice;
}

}  // namespace rcplan
