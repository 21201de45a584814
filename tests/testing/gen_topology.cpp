#include <rcplan/testing/gen_topology.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using rcplan::testing::slot_layout;
using rcplan::testing::topology_options;

std::vector<rcplan::cluster_node> masters_of(const rcplan::topology& t) {
  std::vector<rcplan::cluster_node> out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t))
    if (n.is_master()) out.push_back(n);
  return out;
}

std::map<rcplan::node_id, std::size_t> replicas_per_master(const rcplan::topology& t) {
  std::map<rcplan::node_id, std::size_t> out;
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t)) {
    if (n.is_master()) out[n.id] += 0;
    else out[*n.master_id] += 1;
  }
  return out;
}

/// Open slots as each observer states them on its own line.
struct open_state {
  std::size_t pairs = 0;
  std::size_t half_open = 0;
};

open_state open_slots_of(const rcplan::topology& t) {
  using dir = rcplan::open_slot::direction;
  std::set<std::tuple<rcplan::slot, rcplan::node_id, rcplan::node_id>> migrating, importing;  // (slot, from, to)
  for (const rcplan::cluster_node& n : rcplan::merged_nodes(t))
    for (const rcplan::open_slot& o : n.open_slots)
      (o.dir == dir::migrating ? migrating : importing)
          .insert(o.dir == dir::migrating ? std::tuple{o.number, n.id, o.peer} : std::tuple{o.number, o.peer, n.id});
  open_state s;
  for (const auto& m : migrating) s.pairs += importing.count(m);
  s.half_open = migrating.size() + importing.size() - 2 * s.pairs;
  return s;
}

topology_options healthy(std::size_t masters) {
  topology_options o;
  o.min_masters = o.max_masters = masters;
  return o;
}

}  // namespace

TEST_CASE("gen_topology: masters and replicas within the asked ranges", "[testing][gen]") {
  rc::prop("counts", [] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(1, 8);
    o.max_masters = o.min_masters + *rc::gen::inRange<std::size_t>(0, 5);
    o.min_replicas = *rc::gen::inRange<std::size_t>(0, 3);
    o.max_replicas = o.min_replicas + *rc::gen::inRange<std::size_t>(0, 2);
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const auto replicas = replicas_per_master(t);
    RC_ASSERT(replicas.size() >= o.min_masters);
    RC_ASSERT(replicas.size() <= o.max_masters);
    for (const auto& [id, count] : replicas) {
      RC_ASSERT(count >= o.min_replicas);
      RC_ASSERT(count <= o.max_replicas);
    }
    // Healthy by default: every slot owned once, one view per node, all agreeing.
    const auto merged = rcplan::merged_nodes(t);
    RC_ASSERT(rcplan::uncovered_slots(merged).empty());
    RC_ASSERT(rcplan::contested_slots(merged).empty());
    RC_ASSERT(t.views.size() == merged.size());
    RC_ASSERT(rcplan::views_agree(t));
    for (const rcplan::cluster_node& n : merged) RC_ASSERT(!n.failed());
  });
}

TEST_CASE("gen_topology: each view is one node's own, complete listing", "[testing][gen]") {
  rc::prop("views", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    std::set<rcplan::node_id> observers;
    for (const rcplan::cluster_view& v : t.views) {
      RC_ASSERT(observers.insert(v.observer).second);
      RC_ASSERT(std::count_if(v.nodes.begin(), v.nodes.end(), [](const auto& n) { return n.flags.myself; }) == 1);
      for (const rcplan::cluster_node& n : v.nodes) {
        RC_ASSERT(n.flags.myself == (n.id == v.observer));
        if (n.id != v.observer) RC_ASSERT(n.open_slots.empty());
        RC_ASSERT(n.flags.master != n.flags.replica);
      }
    }
  });
}

TEST_CASE("gen_topology: slot layouts look as promised", "[testing][gen]") {
  rc::prop("contiguous: one range each, sizes within one slot", [] {
    const auto masters = *rc::gen::inRange<std::size_t>(1, 20);
    auto o = healthy(masters);
    o.layout = slot_layout::contiguous;
    const auto owners = masters_of(*rcplan::testing::gen_topology(o));
    RC_ASSERT(owners.size() == masters);
    std::size_t low = rcplan::slot_count, high = 0;
    for (const auto& m : owners) {
      RC_ASSERT(m.slots.range_count() == 1U);
      low = std::min(low, m.slots.count());
      high = std::max(high, m.slots.count());
    }
    RC_ASSERT(high - low <= 1U);
  });
  rc::prop("fragmented: several ranges per master", [] {
    const auto masters = *rc::gen::inRange<std::size_t>(2, 20);
    auto o = healthy(masters);
    o.layout = slot_layout::fragmented;
    for (const auto& m : masters_of(*rcplan::testing::gen_topology(o))) RC_ASSERT(m.slots.range_count() > 1U);
  });
  rc::prop("weighted: one range each, uneven sizes", [] {
    const auto masters = *rc::gen::inRange<std::size_t>(2, 20);
    auto o = healthy(masters);
    o.layout = slot_layout::weighted;
    std::size_t low = rcplan::slot_count, high = 0;
    for (const auto& m : masters_of(*rcplan::testing::gen_topology(o))) {
      RC_ASSERT(m.slots.range_count() == 1U);
      low = std::min(low, m.slots.count());
      high = std::max(high, m.slots.count());
    }
    RC_ASSERT(high - low > 1U);
  });
}

TEST_CASE("gen_topology: empty, uncovered and contested slots are exact", "[testing][gen]") {
  rc::prop("counts", [] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(3, 8);
    o.max_masters = o.min_masters + 2;
    o.layout = *rc::gen::element(slot_layout::contiguous, slot_layout::fragmented, slot_layout::weighted);
    o.empty_masters = *rc::gen::inRange<std::size_t>(0, o.min_masters - 1);
    o.uncovered_slots = *rc::gen::inRange<std::size_t>(0, 5000);
    o.contested_slots = *rc::gen::inRange<std::size_t>(0, 100);
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const auto merged = rcplan::merged_nodes(t);
    RC_ASSERT(rcplan::uncovered_slots(merged).count() == o.uncovered_slots);
    RC_ASSERT(rcplan::contested_slots(merged).count() == o.contested_slots);
    const auto masters = masters_of(t);
    RC_ASSERT(static_cast<std::size_t>(std::count_if(masters.begin(), masters.end(), [](const auto& m) {
                return m.slots.empty();
              })) == o.empty_masters);
  });
}

TEST_CASE("gen_topology: failed masters are flagged and unreachable", "[testing][gen]") {
  rc::prop("failed", [] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(2, 7);
    o.max_masters = o.min_masters + 1;
    o.max_replicas = 2;
    o.failed_masters = *rc::gen::inRange<std::size_t>(1, o.min_masters);
    o.failed_masters_have_replicas = *rc::gen::arbitrary<bool>();
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const auto replicas = replicas_per_master(t);
    std::size_t failed = 0;
    for (const auto& m : masters_of(t)) {
      RC_ASSERT(m.flags.fail == (m.link == rcplan::link_state::disconnected));
      if (!m.flags.fail) continue;
      ++failed;
      RC_ASSERT(!m.slots.empty());
      RC_ASSERT((replicas.at(m.id) > 0) == o.failed_masters_have_replicas);
      RC_ASSERT(t.observation(m.id) != nullptr);
      RC_ASSERT(!t.observation(m.id)->reachable);
      for (const auto& v : t.views) RC_ASSERT(v.observer != m.id);
      for (const auto& p : t.pods)
        if (p.ip == m.addr.host) RC_ASSERT(!p.ready);
    }
    RC_ASSERT(failed == o.failed_masters);
  });
}

TEST_CASE("gen_topology: open slots pair up between two observing masters", "[testing][gen]") {
  rc::prop("open slots", [] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(2, 6);
    o.max_masters = o.min_masters + 2;
    o.open_slot_pairs = *rc::gen::inRange<std::size_t>(0, 6);
    o.half_open_slots = *rc::gen::inRange<std::size_t>(0, 6);
    o.views = *rc::gen::element<std::size_t>(0, 2);
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const open_state s = open_slots_of(t);
    RC_ASSERT(s.pairs == o.open_slot_pairs);
    RC_ASSERT(s.half_open == o.half_open_slots);
    for (const auto& n : rcplan::merged_nodes(t))
      for (const auto& open : n.open_slots) {
        const bool owns = n.slots.contains(open.number);
        RC_ASSERT(owns == (open.dir == rcplan::open_slot::direction::migrating));
      }
    RC_ASSERT(rcplan::views_agree(t));
  });
}

TEST_CASE("gen_topology: views agree or disagree as asked", "[testing][gen]") {
  rc::prop("agreement", [] {
    topology_options o;
    o.min_masters = *rc::gen::inRange<std::size_t>(2, 5);
    o.max_masters = o.min_masters + 2;
    o.min_replicas = 1;
    o.max_replicas = 2;
    o.views = *rc::gen::element<std::size_t>(0, 2, 3);
    o.views_agree = *rc::gen::arbitrary<bool>();
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    RC_ASSERT(rcplan::views_agree(t) == o.views_agree);
    RC_ASSERT(rcplan::view_disagreements(t).empty() == o.views_agree);
    if (o.views > 0) RC_ASSERT(t.views.size() == o.views);
    // Disagreement never touches the merged picture the planners rely on.
    RC_ASSERT(rcplan::uncovered_slots(rcplan::merged_nodes(t)).empty());
  });
}

TEST_CASE("gen_topology: observations match the nodes", "[testing][gen]") {
  rc::prop("observations", [] {
    auto o = *rcplan::testing::gen_topology_options();
    o.observations = true;
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const auto merged = rcplan::merged_nodes(t);
    RC_ASSERT(t.observations.size() == merged.size());
    for (const auto& n : merged) {
      const rcplan::node_observation* ob = t.observation(n.id);
      RC_ASSERT(ob != nullptr);
      RC_ASSERT(ob->addr == n.addr);
      if (!ob->reachable) continue;
      RC_ASSERT(ob->keys_per_slot.has_value() == o.keys_per_slot);
      RC_ASSERT(ob->replication.has_value());
      RC_ASSERT(ob->replication->role == n.role());
      if (n.is_master() && ob->keys_per_slot) {
        rcplan::slot_set open;
        for (const auto& s : n.open_slots) open.insert(s.number);
        for (const auto& [s, keys] : *ob->keys_per_slot) {
          RC_ASSERT(keys > 0U);
          RC_ASSERT(n.slots.contains(s) || open.contains(s));
        }
      }
      if (!n.is_master()) {
        const rcplan::node_observation* master = t.observation(*n.master_id);
        RC_ASSERT(ob->replication->master_replid == (master->reachable ? master->replication->master_replid
                                                                       : ob->replication->master_replid));
        if (master->reachable) RC_ASSERT(ob->replication->master_host == master->addr.host);
        RC_ASSERT(ob->replication->master_link_up == master->reachable);
      }
    }
  });
}

TEST_CASE("gen_topology: pods and StatefulSets match the nodes", "[testing][gen]") {
  rc::prop("kubernetes", [] {
    auto o = *rcplan::testing::gen_topology_options();
    o.kubernetes = true;
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    const auto merged = rcplan::merged_nodes(t);
    RC_ASSERT(t.pods.size() == merged.size());
    std::map<rcplan::node_id, int> shard_of;
    std::map<int, std::set<int>> ordinals;
    for (const auto& n : merged) {
      const auto pod = std::find_if(t.pods.begin(), t.pods.end(), [&](const auto& p) { return p.ip == n.addr.host; });
      RC_ASSERT(pod != t.pods.end());
      RC_ASSERT(pod->port == n.addr.port);
      RC_ASSERT(pod->ready == !n.failed());
      RC_ASSERT(!pod->kube_node.empty());
      RC_ASSERT(!pod->zone.empty());
      RC_ASSERT(ordinals[pod->shard_index].insert(pod->ordinal).second);
      shard_of[n.id] = pod->shard_index;
    }
    for (const auto& n : merged)
      if (!n.is_master()) RC_ASSERT(shard_of.at(n.id) == shard_of.at(*n.master_id));
    RC_ASSERT(t.statefulsets.size() == ordinals.size());
    for (const auto& s : t.statefulsets) {
      const auto& in_shard = ordinals.at(s.shard_index);
      RC_ASSERT(static_cast<std::size_t>(s.replicas) == in_shard.size());
      RC_ASSERT(*in_shard.rbegin() == s.replicas - 1);  // ordinals 0 .. replicas-1
      for (const auto& p : t.pods)
        if (p.shard_index == s.shard_index)
          RC_ASSERT(p.name == s.name + "-" + std::to_string(p.ordinal));
    }
  });
}

TEST_CASE("gen_topology: features can be left out", "[testing][gen]") {
  rc::prop("no observations, no Kubernetes", [] {
    auto o = *rcplan::testing::gen_topology_options();
    o.observations = false;
    o.kubernetes = false;
    const rcplan::topology t = *rcplan::testing::gen_topology(o);
    RC_ASSERT(t.observations.empty());
    RC_ASSERT(t.pods.empty());
    RC_ASSERT(t.statefulsets.empty());
  });
}

TEST_CASE("gen_topology: contradictory options are refused", "[testing][gen]") {
  auto o = healthy(1);
  o.failed_masters = 2;
  CHECK(rcplan::testing::topology_options_error(o).has_value());
  CHECK_THROWS_AS(rcplan::testing::gen_topology(o), std::invalid_argument);

  o = healthy(2);
  o.empty_masters = 1;
  o.contested_slots = 1;
  CHECK(rcplan::testing::topology_options_error(o).has_value());

  o = healthy(3);
  o.views = 1;
  o.views_agree = false;
  CHECK(rcplan::testing::topology_options_error(o).has_value());

  o = healthy(1);
  o.open_slot_pairs = 1;
  CHECK(rcplan::testing::topology_options_error(o).has_value());

  CHECK_FALSE(rcplan::testing::topology_options_error(healthy(3)).has_value());
}

TEST_CASE("gen_topology(): the mix reaches every feature", "[testing][gen]") {
  const auto gen = rcplan::testing::gen_topology();
  bool failed = false, disagree = false, contested = false, uncovered = false, open = false, keys = false;
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    const rcplan::topology t = gen(rc::Random(seed), 50).value();
    const auto merged = rcplan::merged_nodes(t);
    failed |= std::any_of(merged.begin(), merged.end(), [](const auto& n) { return n.failed(); });
    disagree |= !rcplan::views_agree(t);
    contested |= !rcplan::contested_slots(merged).empty();
    uncovered |= !rcplan::uncovered_slots(merged).empty();
    open |= open_slots_of(t).pairs > 0;
    keys |= std::any_of(t.observations.begin(), t.observations.end(),
                        [](const auto& ob) { return ob.keys_per_slot.has_value(); });
  }
  CHECK(failed);
  CHECK(disagree);
  CHECK(contested);
  CHECK(uncovered);
  CHECK(open);
  CHECK(keys);
}
