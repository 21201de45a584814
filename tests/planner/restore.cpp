// plan_restore() and reconcile() restoring a backup: where the files go, the shards the cluster
// starts with, the restored nodes' manifest slots (and nothing else), refusals of manifests and
// of nodes holding what the backup does not put there; and once formed, an ordinary cluster.

#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/restore.hpp>

#include "support/plan_steps.hpp"
#include "support/kube_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using rcplan::plan_status;
using rcplan::slot_set;

template <typename A>
std::vector<A> actions(const auto& p) {
  return rcplan_test::actions_of<A>(p);
}

bool has_code(const std::vector<rcplan::diagnostic>& d, const char* code) {
  return std::any_of(d.begin(), d.end(), [&](const rcplan::diagnostic& x) { return x.code == code; });
}

/// A manifest of `cuts.size() + 1` shards, shard i holding slots [cuts[i-1], cuts[i]).
rcplan::backup_manifest manifest(const std::vector<int>& cuts, std::uint64_t keys = 100) {
  rcplan::backup_manifest m;
  m.cluster = "source";
  int first = 0;
  for (std::size_t i = 0; i <= cuts.size(); ++i) {
    const int last = i < cuts.size() ? cuts[i] - 1 : 16383;
    rcplan::backup_shard s;
    s.index = static_cast<int>(i);
    s.slots = slot_set{rcplan::slot_range{static_cast<rcplan::slot>(first), static_cast<rcplan::slot>(last)}};
    s.keys = keys;
    s.sha256 = std::string(64, 'b');
    s.file = "shard-" + std::to_string(i) + ".rdb";
    m.shards.push_back(s);
    first = last + 1;
  }
  return m;
}

/// `shards` shards of `pods` pods, every node fresh (alone, no slots, epoch 0, no keys) as
/// pods on new volumes are; the StatefulSets as the desired objects of `r` write them.
rcplan_test::kube_cluster fresh(const rcplan::cluster_resource& r, int shards, int pods) {
  auto k = rcplan_test::kube(r.metadata.name, shards, pods);
  rcplan::cluster_resource d = r;
  d.spec.master_size = shards;
  rcplan_test::sync_statefulsets(k, d);
  std::vector<rcplan::cluster_node> all = k.t.views.front().nodes;
  k.t.views.clear();
  for (auto n : all) {
    n.slots.clear();
    n.config_epoch = 0;
    n.flags = {};
    n.flags.master = true;
    n.flags.myself = true;
    n.master_id.reset();
    k.t.views.push_back({n.id, {n}});
  }
  for (auto& o : k.t.observations) o.keys_per_slot = std::map<rcplan::slot, std::uint64_t>{};
  return k;
}

/// What Redis does when a node starts on an RDB: it claims every slot that holds keys.
void load(rcplan_test::kube_cluster& k, int shard, const slot_set& with_keys) {
  const rcplan::node_id id = k.ids.at(static_cast<std::size_t>(shard)).at(0);
  for (auto& v : k.t.views)
    if (v.observer == id) v.nodes.front().slots = with_keys;
  auto& o = k.observed(id);
  o.keys_per_slot = std::map<rcplan::slot, std::uint64_t>{};
  with_keys.for_each([&](rcplan::slot s) { (*o.keys_per_slot)[s] = 3; });
}

rcplan::reconcile_options restoring(const rcplan::backup_manifest& m) {
  rcplan::reconcile_options o;
  o.restore = m;
  return o;
}

/// Every slot of a backup shard that has keys: every third slot, as if keys were spread.
slot_set some_of(const slot_set& s) {
  slot_set out;
  int i = 0;
  for (const rcplan::slot x : s.slots())
    if (i++ % 3 == 0) out.insert(x);
  return out;
}

}  // namespace

TEST_CASE("plan_restore: each shard's file goes to its StatefulSet's first pod") {
  const auto m = manifest({5000, 11000});
  SECTION("as many masters as shards") {
    const auto p = rcplan::plan_restore(m, rcplan_test::resource("new", 3, 1));
    REQUIRE(p.status == plan_status::actions_planned);
    CHECK(p.shards_at_start == 3);
    CHECK(p.masters == 3);
    REQUIRE(p.placements.size() == 3);
    CHECK(p.placements[1].pod == "drc-new-1-0");
    CHECK(p.placements[1].statefulset == "drc-new-1");
    CHECK(p.placements[1].file == "shard-1.rdb");
    CHECK(p.placements[1].sha256 == m.shards[1].sha256);
    CHECK_FALSE(has_code(p.diagnostics, rcplan::restore_code::fewer_masters));
  }
  SECTION("more masters: the new ones start empty") {
    const auto p = rcplan::plan_restore(m, rcplan_test::resource("new", 5, 1));
    CHECK(p.shards_at_start == 5);
    CHECK(p.placements.size() == 3);
  }
  SECTION("fewer masters: the cluster starts with the backup's shards and says the rest drain") {
    const auto p = rcplan::plan_restore(m, rcplan_test::resource("new", 2, 1));
    REQUIRE(p.status == plan_status::actions_planned);
    CHECK(p.shards_at_start == 3);
    CHECK(p.masters == 2);
    CHECK(has_code(p.diagnostics, rcplan::restore_code::fewer_masters));
  }
  SECTION("the same input, the same plan") {
    CHECK(rcplan::plan_restore(m, rcplan_test::resource("new", 2, 1)) ==
          rcplan::plan_restore(m, rcplan_test::resource("new", 2, 1)));
  }
}

TEST_CASE("plan_restore: refused before anything starts") {
  auto m = manifest({5000, 11000});
  SECTION("a missing shard") {
    m.shards.pop_back();
    const auto p = rcplan::plan_restore(m, rcplan_test::resource("new", 3, 1));
    CHECK(p.status == plan_status::blocked);
    CHECK(p.placements.empty());
    CHECK(has_code(p.diagnostics, rcplan::backup_code::slots_missing));
  }
  SECTION("overlapping ranges") {
    m.shards[1].slots.insert(0);
    const auto p = rcplan::plan_restore(m, rcplan_test::resource("new", 3, 1));
    CHECK(p.status == plan_status::blocked);
    CHECK(has_code(p.diagnostics, rcplan::backup_code::slots_overlap));
  }
  SECTION("an invalid spec") {
    auto r = rcplan_test::resource("new", 3, 1);
    r.spec.master_size = 0;
    const auto p = rcplan::plan_restore(m, r);
    CHECK(p.status == plan_status::blocked);
    CHECK(p.placements.empty());
  }
}

TEST_CASE("reconcile restoring: the objects of max(K, masterSize) shards first") {
  const auto m = manifest({5000, 11000});
  const auto fewer = rcplan::reconcile(rcplan::topology{}, rcplan_test::resource("new", 2, 1), restoring(m));
  CHECK(actions<rcplan::apply_statefulset>(fewer).size() == 3);
  const auto more = rcplan::reconcile(rcplan::topology{}, rcplan_test::resource("new", 5, 1), restoring(m));
  CHECK(actions<rcplan::apply_statefulset>(more).size() == 5);
}

TEST_CASE("reconcile restoring: restored nodes get the rest of their shards' slots, then MEET") {
  const auto m = manifest({5000, 11000});
  const auto r = rcplan_test::resource("new", 4, 1);
  auto k = fresh(r, 4, 2);
  for (int i = 0; i < 3; ++i) load(k, i, some_of(m.shards[static_cast<std::size_t>(i)].slots));
  const auto p = rcplan::reconcile(k.t, r, restoring(m));
  REQUIRE(p.status == plan_status::actions_planned);
  const auto add = actions<rcplan::add_slots>(p);
  REQUIRE(add.size() == 3);
  for (int i = 0; i < 3; ++i) {
    const auto& want = m.shards[static_cast<std::size_t>(i)].slots;
    CHECK(add[static_cast<std::size_t>(i)].node == k.ids[static_cast<std::size_t>(i)][0]);
    CHECK(add[static_cast<std::size_t>(i)].slots == want - some_of(want));
  }
  CHECK(actions<rcplan::set_config_epoch>(p).size() == 4);  // the empty fourth shard too
  CHECK(actions<rcplan::meet>(p).size() == 7);
  SECTION("restoring only until the cluster is formed: then it is an ordinary cluster") {
    auto formed = rcplan_test::kube("new", 4, 2);
    const auto with = rcplan::reconcile(formed.t, r, restoring(m));
    const auto without = rcplan::reconcile(formed.t, r);
    CHECK(with == without);
  }
}

TEST_CASE("reconcile restoring: refuses nodes holding what the backup does not put there") {
  const auto m = manifest({8192});
  const auto r = rcplan_test::resource("new", 2, 1);
  auto k = fresh(r, 2, 2);
  load(k, 0, some_of(m.shards[0].slots));
  load(k, 1, some_of(m.shards[1].slots));
  SECTION("a restored node with keys of another shard") {
    load(k, 0, some_of(m.shards[0].slots) | slot_set{rcplan::slot_range{9000, 9001}});
    const auto p = rcplan::reconcile(k.t, r, restoring(m));
    CHECK(p.status == plan_status::blocked);
    CHECK(p.steps.empty());
    CHECK(has_code(p.diagnostics, rcplan::restore_code::foreign_slots));
  }
  SECTION("a replica's pod with keys of its own") {
    const rcplan::node_id id = k.ids[1][1];
    for (auto& v : k.t.views)
      if (v.observer == id) v.nodes.front().slots = slot_set{rcplan::slot_range{9000, 9001}};
    const auto p = rcplan::reconcile(k.t, r, restoring(m));
    CHECK(p.status == plan_status::blocked);
    CHECK(has_code(p.diagnostics, rcplan::restore_code::foreign_slots));
  }
  SECTION("a restored shard's pod that did not load its file") {
    load(k, 1, {});
    const auto p = rcplan::reconcile(k.t, r, restoring(m));
    CHECK(p.status == plan_status::blocked);
    CHECK(has_code(p.diagnostics, rcplan::restore_code::data_missing));
  }
  SECTION("a restored shard's pod not running yet: wait") {
    k.t.pods.erase(std::remove_if(k.t.pods.begin(), k.t.pods.end(),
                                  [](const rcplan::pod& p) { return p.shard_index == 1 && p.ordinal == 0; }),
                   k.t.pods.end());
    const auto p = rcplan::reconcile(k.t, r, restoring(m));
    CHECK(p.status == plan_status::waiting);
    CHECK(actions<rcplan::add_slots>(p).empty());
  }
}

TEST_CASE("reconcile restoring: every slot served once, each restored node exactly its backup shard's") {
  rc::prop("for any split of the backup and any masterSize", [] {
    const int k_shards = *rc::gen::inRange(1, 6);
    const int masters = *rc::gen::inRange(1, 7);
    std::vector<int> cuts = *rc::gen::unique<std::vector<int>>(static_cast<std::size_t>(k_shards - 1),
                                                                 rc::gen::inRange(1, 16384));
    std::sort(cuts.begin(), cuts.end());
    const auto m = manifest(cuts);
    const auto r = rcplan_test::resource("new", masters, 1);
    const int start = std::max(k_shards, masters);
    RC_ASSERT(rcplan::plan_restore(m, r).shards_at_start == start);
    auto k = fresh(r, start, 2);
    for (int i = 0; i < k_shards; ++i) load(k, i, some_of(m.shards[static_cast<std::size_t>(i)].slots));
    const auto p = rcplan::reconcile(k.t, r, restoring(m));
    RC_ASSERT(p.status == plan_status::actions_planned);
    std::vector<slot_set> served(static_cast<std::size_t>(start));
    for (int i = 0; i < k_shards; ++i) served[static_cast<std::size_t>(i)] = some_of(m.shards[static_cast<std::size_t>(i)].slots);
    for (const auto& a : actions<rcplan::add_slots>(p)) {
      int shard = -1;
      for (int i = 0; i < start; ++i)
        if (k.ids[static_cast<std::size_t>(i)][0] == a.node) shard = i;
      RC_ASSERT(shard >= 0);
      RC_ASSERT((served[static_cast<std::size_t>(shard)] & a.slots).empty());
      served[static_cast<std::size_t>(shard)] |= a.slots;
    }
    slot_set all;
    for (int i = 0; i < start; ++i) {
      const auto& s = served[static_cast<std::size_t>(i)];
      RC_ASSERT((all & s).empty());
      all |= s;
      if (i < k_shards) RC_ASSERT(s == m.shards[static_cast<std::size_t>(i)].slots);
      else RC_ASSERT(s.empty());
    }
    RC_ASSERT(all.full());
  });
}

TEST_CASE("restore_progress: Running until formed and converged, Failed when blocked before") {
  const auto m = manifest({8192});
  const auto r = rcplan_test::resource("new", 2, 1);
  auto k = fresh(r, 2, 2);
  load(k, 0, some_of(m.shards[0].slots));
  load(k, 1, some_of(m.shards[1].slots));
  const auto running = rcplan::restore_progress(k.t, rcplan::reconcile(k.t, r, restoring(m)), "shu/nightly");
  CHECK(running.phase == "Running");
  CHECK(running.backup == "shu/nightly");
  load(k, 1, {});  // its file was not loaded: blocked
  CHECK(rcplan::restore_progress(k.t, rcplan::reconcile(k.t, r, restoring(m)), "shu/nightly").phase == "Failed");
  auto formed = rcplan_test::kube("new", 2, 2);
  rcplan::plan converged;
  converged.status = plan_status::converged;
  CHECK(rcplan::restore_progress(formed.t, converged, "shu/nightly").phase == "Succeeded");
  rcplan::plan moving;
  moving.status = plan_status::actions_planned;
  CHECK(rcplan::restore_progress(formed.t, moving, "shu/nightly").phase == "Running");
}
