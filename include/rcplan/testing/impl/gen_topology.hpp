#pragma once

// What rcplan/testing/gen_topology.hpp declares, the topology generators: included by that
// header when header-only, compiled once into rcplan::testing_compiled otherwise (config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/testing/impl/gen_model.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include <rapidcheck.h>

namespace rcplan::testing {

RCPLAN_TESTING_ENTRY std::size_t min_reachable_nodes(const topology_options& o) noexcept {
  if (o.failed_masters > o.min_masters) return 0;
  const std::size_t failed_replicas =
      o.failed_masters_have_replicas ? std::max<std::size_t>(o.min_replicas, 1) : 0;
  return (o.min_masters - o.failed_masters) * (1 + o.min_replicas) + o.failed_masters * failed_replicas;
}

RCPLAN_TESTING_ENTRY std::optional<std::string> topology_options_error(const topology_options& o) {
  const std::size_t open = o.open_slot_pairs + o.half_open_slots;
  if (o.min_masters < 1 || o.min_masters > o.max_masters || o.max_masters > 256)
    return "masters must satisfy 1 <= min_masters <= max_masters <= 256";
  if (o.min_replicas > o.max_replicas) return "min_replicas exceeds max_replicas";
  if (o.empty_masters >= o.min_masters) return "empty masters leave no master owning slots";
  if (o.failed_masters > o.min_masters - o.empty_masters)
    return "more failed masters than masters owning slots";
  if (o.failed_masters > 0 && o.failed_masters_have_replicas && o.max_replicas == 0)
    return "failed masters with replicas need max_replicas >= 1";
  if (o.uncovered_slots > slot_count / 2) return "at most half of the slots can be uncovered";
  if (o.contested_slots > 1024) return "at most 1024 contested slots";
  if (o.contested_slots > 0 && o.min_masters - o.empty_masters < 2)
    return "contested slots need two masters owning slots";
  if (open > 16) return "at most 16 open slots";
  if (open > 0 && (o.min_masters - o.failed_masters < 2 ||
                   o.min_masters - o.failed_masters - o.empty_masters < 1))
    return "open slots need a live master owning slots and another live master";
  const std::size_t min_live_nodes = min_reachable_nodes(o);
  if (o.views > min_live_nodes) return "more views than reachable nodes";
  if (open > 0 && o.views == 1) return "open slots need both masters as observers";
  if (!o.views_agree && (o.views == 1 || min_live_nodes < 2))
    return "disagreeing views need two observers";
  return std::nullopt;
}

namespace detail {

/// Splits `total` by `weights` with largest remainders, so the parts sum to `total` exactly.
[[nodiscard]] inline std::vector<std::size_t> split_by_weight(std::size_t total,
                                                              const std::vector<std::size_t>& weights) {
  const std::size_t sum = std::accumulate(weights.begin(), weights.end(), std::size_t{0});
  std::vector<std::size_t> parts(weights.size());
  std::vector<std::pair<std::size_t, std::size_t>> remainders;  // (remainder, index)
  std::size_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    parts[i] = total * weights[i] / sum;
    given += parts[i];
    remainders.emplace_back(total * weights[i] % sum, i);
  }
  std::sort(remainders.begin(), remainders.end(),
            [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second < b.second; });
  for (std::size_t k = 0; given < total; ++k, ++given) ++parts[remainders[k].second];
  return parts;
}

/// Cuts `covered` (ascending) into consecutive runs of the given sizes.
[[nodiscard]] inline std::vector<slot_set> cut_runs(const std::vector<slot>& covered,
                                                    const std::vector<std::size_t>& sizes) {
  std::vector<slot_set> runs;
  std::size_t at = 0;
  for (std::size_t size : sizes) {
    slot_set run;
    for (std::size_t k = 0; k < size; ++k) run.insert(covered[at + k]);
    at += size;
    runs.push_back(run);
  }
  return runs;
}

/// Slot sets for `owners` masters over the `covered` slots, following `layout`.
[[nodiscard]] inline rc::Gen<std::vector<slot_set>> gen_layout(slot_layout layout, std::size_t owners,
                                                              std::vector<slot> covered) {
  return rc::gen::exec([layout, owners, covered] {
    switch (layout) {
      case slot_layout::contiguous:
        return cut_runs(covered, split_by_weight(covered.size(), std::vector<std::size_t>(owners, 1)));
      case slot_layout::weighted: {
        auto weights = *rc::gen::container<std::vector<std::size_t>>(owners, rc::gen::inRange<std::size_t>(1, 11));
        // Uneven is the point: equal weights would be the contiguous layout again.
        if (owners > 1 && std::all_of(weights.begin(), weights.end(), [&](std::size_t w) { return w == weights[0]; }))
          weights[0] = weights[0] == 1 ? 3 : 1;
        return cut_runs(covered, split_by_weight(covered.size(), weights));
      }
      case slot_layout::fragmented: {
        // Runs dealt round-robin: neighbouring runs belong to different masters, so each master
        // holds as many ranges as runs it is dealt.
        const auto per_owner = *rc::gen::inRange<std::size_t>(2, 5);
        const std::size_t run_count = owners * per_owner;
        const auto weights =
            *rc::gen::container<std::vector<std::size_t>>(run_count, rc::gen::inRange<std::size_t>(1, 5));
        const std::vector<slot_set> runs = cut_runs(covered, split_by_weight(covered.size(), weights));
        std::vector<slot_set> sets(owners);
        for (std::size_t r = 0; r < runs.size(); ++r) sets[r % owners] |= runs[r];
        return sets;
      }
    }
    return std::vector<slot_set>(owners);
  });
}

/// Picks `n` distinct elements of `from`, in the order drawn.
template <typename T>
[[nodiscard]] std::vector<T> pick(std::vector<T> from, std::size_t n) {
  std::vector<T> out;
  for (std::size_t k = 0; k < n && !from.empty(); ++k) {
    const auto at = *rc::gen::inRange<std::size_t>(0, from.size());
    out.push_back(from[at]);
    from.erase(from.begin() + static_cast<std::ptrdiff_t>(at));
  }
  return out;
}

/// 0 .. n-1 in random order (Fisher-Yates, linear where rejecting duplicates is not).
[[nodiscard]] inline std::vector<std::size_t> shuffled(std::size_t n) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[*rc::gen::inRange<std::size_t>(0, i)]);
  return order;
}

[[nodiscard]] inline std::string pod_ip(std::size_t shard, std::size_t ordinal) {
  return "10." + std::to_string(shard / 256 + 1) + "." + std::to_string(shard % 256) + "." +
         std::to_string(ordinal + 10);
}

/// One generated node and where it lives, before it is spread over views.
struct planned_node {
  cluster_node line;  ///< the line every observer prints for it (without `myself`)
  std::size_t shard = 0;
  std::size_t ordinal = 0;
  bool live = true;
};

/// Makes one observer's view disagree with the merged picture about another observed node.
inline void disagree(cluster_view& view, const node_id& subject, const std::vector<node_id>& masters) {
  const auto it = std::find_if(view.nodes.begin(), view.nodes.end(),
                               [&](const cluster_node& n) { return n.id == subject; });
  cluster_node& n = *it;
  std::vector<int> kinds{0, 1};  // unknown node, slots
  if (!n.is_master()) kinds.push_back(2);  // role
  if (!n.is_master() && masters.size() > 1) kinds.push_back(3);  // master
  switch (*rc::gen::elementOf(kinds)) {
    case 0:
      view.nodes.erase(it);
      return;
    case 1: {
      const auto s = *rc::gen::inRange<slot>(0, static_cast<slot>(max_slot));
      if (n.slots.contains(s)) n.slots.erase(s);
      else n.slots.insert(s);
      return;
    }
    case 2:
      n.flags.replica = false;
      n.flags.master = true;
      n.master_id.reset();
      return;
    default: {
      std::vector<node_id> others;
      for (const node_id& m : masters)
        if (m != n.master_id) others.push_back(m);
      n.master_id = *rc::gen::elementOf(others);
      return;
    }
  }
}

}  // namespace detail

RCPLAN_TESTING_ENTRY rc::Gen<topology> gen_topology(const topology_options& o) {
  if (const auto error = topology_options_error(o)) throw std::invalid_argument(*error);
  return rc::gen::exec([o] {
    const auto master_count = *rc::gen::inRange<std::size_t>(o.min_masters, o.max_masters + 1);
    const std::size_t owners = master_count - o.empty_masters;

    // --- slots: uncovered run(s), then the layout over what is left ---------------------
    slot_set uncovered;
    if (o.uncovered_slots > 0) {
      const auto start = *rc::gen::inRange<std::size_t>(0, slot_count - o.uncovered_slots + 1);
      uncovered.insert(slot_range{static_cast<slot>(start), static_cast<slot>(start + o.uncovered_slots - 1)});
    }
    std::vector<slot_set> owned = *detail::gen_layout(o.layout, owners, uncovered.complement().slots());
    owned.resize(master_count);  // empty masters last: the shards a scale-up just added

    // --- which masters fail, which move slots -------------------------------------------
    std::vector<std::size_t> owner_indices(owners);
    std::iota(owner_indices.begin(), owner_indices.end(), std::size_t{0});
    const std::vector<std::size_t> failed_list = detail::pick(owner_indices, o.failed_masters);
    const std::set<std::size_t> failed(failed_list.begin(), failed_list.end());

    std::optional<std::size_t> source, target;
    const std::size_t open_count = o.open_slot_pairs + o.half_open_slots;
    if (open_count > 0) {
      std::vector<std::size_t> live_owners, live_masters;
      for (std::size_t m = 0; m < master_count; ++m)
        if (!failed.contains(m)) {
          live_masters.push_back(m);
          if (m < owners) live_owners.push_back(m);
        }
      // The fullest live owner has enough slots to open: owned sets hold 16 or more slots.
      source = *std::max_element(live_owners.begin(), live_owners.end(),
                                 [&](std::size_t a, std::size_t b) { return owned[a].count() < owned[b].count(); });
      live_masters.erase(std::find(live_masters.begin(), live_masters.end(), *source));
      target = *rc::gen::elementOf(live_masters);
    }

    // Open slots come from the source, contested ones from anywhere else that is owned.
    const std::vector<slot> opened = open_count > 0 ? detail::pick(owned[*source].slots(), open_count)
                                                    : std::vector<slot>{};
    slot_set claimable = uncovered.complement();
    for (slot s : opened) claimable.erase(s);
    std::vector<std::pair<std::size_t, slot>> claims;  // (claimant, slot)
    if (o.contested_slots > 0) {
      std::vector<slot> candidates = claimable.slots();
      for (std::size_t k = 0; k < o.contested_slots; ++k) {
        const auto at = *rc::gen::inRange<std::size_t>(0, candidates.size());
        const slot s = candidates[at];
        candidates[at] = candidates.back();
        candidates.pop_back();
        std::size_t holder = 0;
        while (!owned[holder].contains(s)) ++holder;
        auto claimant = *rc::gen::inRange<std::size_t>(0, owners - 1);
        if (claimant >= holder) ++claimant;
        claims.emplace_back(claimant, s);
      }
    }
    for (const auto& [claimant, s] : claims) owned[claimant].insert(s);

    // --- nodes ----------------------------------------------------------------------------
    std::vector<std::size_t> replica_counts(master_count);
    std::size_t total = 0;
    for (std::size_t m = 0; m < master_count; ++m) {
      auto r = *rc::gen::inRange<std::size_t>(o.min_replicas, o.max_replicas + 1);
      if (failed.contains(m)) r = o.failed_masters_have_replicas ? std::max<std::size_t>(r, 1) : 0;
      replica_counts[m] = r;
      total += 1 + r;
    }
    const auto ids = *rc::gen::unique<std::vector<node_id>>(total, gen_node_id());
    const auto pong_base = *rc::gen::inRange<std::uint64_t>(1'600'000'000'000, 1'900'000'000'000);

    std::vector<detail::planned_node> nodes;
    std::vector<node_id> master_ids;
    for (std::size_t m = 0, next = 0; m < master_count; ++m) {
      const auto master_ordinal = *rc::gen::inRange<std::size_t>(0, replica_counts[m] + 1);
      const node_id& master_id = ids[next];
      master_ids.push_back(master_id);
      for (std::size_t ordinal = 0, replica = 0; ordinal <= replica_counts[m]; ++ordinal) {
        const bool is_master = ordinal == master_ordinal;
        detail::planned_node p;
        p.shard = m;
        p.ordinal = ordinal;
        p.live = !(is_master && failed.contains(m));
        cluster_node& n = p.line;
        n.id = is_master ? master_id : ids[next + 1 + replica++];
        n.addr = address{detail::pod_ip(m, ordinal), 6379, 16379, ""};
        n.flags.master = is_master;
        n.flags.replica = !is_master;
        if (!is_master) n.master_id = master_id;
        n.config_epoch = m + 1;
        n.pong_received = pong_base + (is_master ? 0 : ordinal);
        if (is_master) n.slots = owned[m];
        if (!p.live) {
          n.flags.fail = true;
          n.link = link_state::disconnected;
          n.pong_received = pong_base - 60'000;
        }
        nodes.push_back(std::move(p));
      }
      next += 1 + replica_counts[m];
    }
    const auto index_of = [&](const node_id& id) {
      return static_cast<std::size_t>(std::find_if(nodes.begin(), nodes.end(),
                                                   [&](const detail::planned_node& p) { return p.line.id == id; }) -
                                      nodes.begin());
    };

    // Open slots on the observers' own lines, sorted by slot as Redis prints them.
    std::map<std::size_t, std::vector<open_slot>> open_on;  // node index -> its open slots
    std::vector<slot> imported;                              // slots the target imports
    for (std::size_t k = 0; k < opened.size(); ++k) {
      const node_id& src = master_ids[*source];
      const node_id& dst = master_ids[*target];
      const bool pair = k < o.open_slot_pairs;
      const bool migrating_side = pair || *rc::gen::arbitrary<bool>();
      const bool importing_side = pair || !migrating_side;
      if (migrating_side) open_on[index_of(src)].push_back({opened[k], open_slot::direction::migrating, dst});
      if (importing_side) {
        open_on[index_of(dst)].push_back({opened[k], open_slot::direction::importing, src});
        imported.push_back(opened[k]);
      }
    }
    for (auto& [index, list] : open_on) std::sort(list.begin(), list.end());

    // --- views ------------------------------------------------------------------------------
    std::vector<std::size_t> live;
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (nodes[i].live) live.push_back(i);
    std::vector<std::size_t> observers;
    if (o.views == 0) {
      observers = live;
    } else {
      for (const auto& entry : open_on) observers.push_back(entry.first);
      std::vector<std::size_t> rest;
      for (std::size_t i : live)
        if (!open_on.contains(i)) rest.push_back(i);
      for (std::size_t i : detail::pick(rest, o.views - observers.size())) observers.push_back(i);
      std::sort(observers.begin(), observers.end());
    }

    topology t;
    for (std::size_t obs : observers) {
      cluster_view v;
      v.observer = nodes[obs].line.id;
      // Redis prints its nodes in hash-table order: nothing may depend on position.
      for (std::size_t i : detail::shuffled(nodes.size())) {
        cluster_node n = nodes[i].line;
        if (i == obs) {
          n.flags.myself = true;
          if (const auto it = open_on.find(i); it != open_on.end()) n.open_slots = it->second;
        }
        v.nodes.push_back(std::move(n));
      }
      t.views.push_back(std::move(v));
    }
    if (!o.views_agree) {
      const auto pair = detail::pick(observers, 2);
      const auto view = static_cast<std::size_t>(
          std::find(observers.begin(), observers.end(), pair[0]) - observers.begin());
      detail::disagree(t.views[view], nodes[pair[1]].line.id, master_ids);
    }

    // --- observations -----------------------------------------------------------------------
    if (o.observations) {
      std::vector<std::map<slot, std::uint64_t>> keys(master_count);
      if (o.keys_per_slot)
        for (std::size_t m = 0; m < master_count; ++m) {
          const std::vector<slot> held = owned[m].slots();
          const auto keyed = *rc::gen::inRange<std::size_t>(0, std::min<std::size_t>(held.size(), 64) + 1);
          for (slot s : detail::pick(held, keyed)) keys[m][s] = *rc::gen::inRange<std::uint64_t>(1, 100'000);
        }
      if (o.keys_per_slot)
        for (slot s : opened) keys[*source][s] = *rc::gen::inRange<std::uint64_t>(1, 1000);
      for (slot s : imported)  // a migration half done: some keys already arrived
        if (o.keys_per_slot && *rc::gen::arbitrary<bool>()) keys[*target][s] = *rc::gen::inRange<std::uint64_t>(1, 1000);
      std::vector<std::string> replids(master_count);
      std::vector<std::uint64_t> offsets(master_count);
      for (std::size_t m = 0; m < master_count; ++m) {
        replids[m] = *rc::gen::container<std::string>(40, detail::gen_hex_digit());
        offsets[m] = *rc::gen::inRange<std::uint64_t>(1000, 1'000'000'000);
      }
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        const detail::planned_node& p = nodes[i];
        node_observation ob;
        ob.id = p.line.id;
        ob.addr = p.line.addr;
        ob.reachable = p.live;
        if (!p.live) {
          ob.error = "Connection refused";
          t.observations.push_back(std::move(ob));
          continue;
        }
        replication_info r;
        r.master_replid = replids[p.shard];
        const bool master_live = !failed.contains(p.shard);
        if (p.line.is_master()) {
          r.role = node_role::master;
          r.master_repl_offset = offsets[p.shard];
          for (const detail::planned_node& q : nodes)
            if (q.shard == p.shard && !q.line.is_master())
              r.replicas.push_back({q.line.addr.host, q.line.addr.port, "online",
                                    offsets[p.shard] - q.ordinal, 0});
        } else {
          r.role = node_role::replica;
          for (const detail::planned_node& q : nodes)
            if (q.shard == p.shard && q.line.is_master()) r.master_host = q.line.addr.host;
          r.master_port = 6379;
          r.master_link_up = master_live;
          if (master_live) r.master_last_io_seconds_ago = 1;
          r.replica_repl_offset = offsets[p.shard] - p.ordinal;
          r.master_repl_offset = r.replica_repl_offset;
        }
        ob.replication = std::move(r);
        if (o.keys_per_slot) ob.keys_per_slot = keys[p.shard];  // replicas hold their master's keys
        t.observations.push_back(std::move(ob));
      }
    }

    // --- Kubernetes -------------------------------------------------------------------------
    if (o.kubernetes) {
      const std::string name = *rc::gen::element<std::string>("example", "cache", "sessions");
      const auto hosts = *rc::gen::inRange<std::size_t>(1, nodes.size() + 1);
      const auto zones = *rc::gen::inRange<std::size_t>(1, 4);
      std::vector<int> ready(master_count);
      for (const detail::planned_node& p : nodes) {
        pod q;
        q.name = "drc-" + name + "-" + std::to_string(p.shard) + "-" + std::to_string(p.ordinal);
        q.shard_index = static_cast<int>(p.shard);
        q.ordinal = static_cast<int>(p.ordinal);
        const auto host = *rc::gen::inRange<std::size_t>(0, hosts);
        q.kube_node = "node-" + std::to_string(host);
        q.zone = std::string("zone-") + static_cast<char>('a' + host % zones);
        q.ip = p.line.addr.host;
        q.port = p.line.addr.port;
        q.ready = p.live;
        q.revision = "drc-" + name + "-" + std::to_string(p.shard) + "-7d9f8c";
        if (q.ready) ++ready[p.shard];
        t.pods.push_back(std::move(q));
      }
      for (std::size_t m = 0; m < master_count; ++m) {
        statefulset s;
        s.name = "drc-" + name + "-" + std::to_string(m);
        s.shard_index = static_cast<int>(m);
        s.replicas = static_cast<int>(replica_counts[m] + 1);
        s.ready_replicas = ready[m];
        s.current_revision = s.update_revision = s.name + "-7d9f8c";
        t.statefulsets.push_back(std::move(s));
      }
    }
    return t;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<topology_options> gen_topology_options() {
  return rc::gen::exec([] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(1, 7);
    o.max_masters = o.min_masters + *rc::gen::inRange<std::size_t>(0, 4);
    o.min_replicas = *rc::gen::inRange<std::size_t>(0, 2);
    o.max_replicas = o.min_replicas + *rc::gen::inRange<std::size_t>(0, 2);
    o.layout = *rc::gen::element(slot_layout::contiguous, slot_layout::fragmented, slot_layout::weighted);
    const auto sometimes = [](std::size_t most) {
      return *rc::gen::weightedOneOf<std::size_t>(
          {{3, rc::gen::just<std::size_t>(0)}, {1, rc::gen::inRange<std::size_t>(1, most + 1)}});
    };
    o.empty_masters = o.min_masters > 1 ? std::min(sometimes(2), o.min_masters - 1) : 0;
    o.failed_masters = o.min_masters - o.empty_masters > 1 ? std::min(sometimes(2), o.min_masters - o.empty_masters - 1) : 0;
    o.failed_masters_have_replicas = o.max_replicas > 0 && *rc::gen::arbitrary<bool>();
    o.uncovered_slots = sometimes(300);
    o.contested_slots = o.min_masters - o.empty_masters >= 2 ? sometimes(20) : 0;
    o.open_slot_pairs = sometimes(4);
    o.half_open_slots = sometimes(3);
    o.views = *rc::gen::weightedElement<std::size_t>({{3, 0}, {1, 1}, {1, 2}});
    o.views_agree = *rc::gen::weightedElement<bool>({{3, true}, {1, false}});
    o.observations = *rc::gen::weightedElement<bool>({{4, true}, {1, false}});
    o.keys_per_slot = *rc::gen::arbitrary<bool>();
    o.kubernetes = *rc::gen::weightedElement<bool>({{4, true}, {1, false}});
    // Drop what this draw cannot hold rather than retry: every draw yields a topology.
    if (o.min_masters - o.failed_masters < 2 || o.min_masters - o.failed_masters - o.empty_masters < 1)
      o.open_slot_pairs = o.half_open_slots = 0;
    if (o.views > min_reachable_nodes(o) || (o.views == 1 && o.open_slot_pairs + o.half_open_slots > 0))
      o.views = 0;
    if (o.views == 1 || min_reachable_nodes(o) < 2) o.views_agree = true;
    return o;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<topology> gen_topology() {
  return rc::gen::mapcat(gen_topology_options(), [](const topology_options& o) { return gen_topology(o); });
}

}  // namespace rcplan::testing
