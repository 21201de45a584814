// plan_backup() and check_manifest(): one source per shard, a synced replica before the master,
// blocked on any state a backup would not match; manifests refused for every way they cannot be
// restored. A property over generated topologies (healthy and broken) checks the invariants.

#include "support/topology_builder.hpp"

#include <rcplan/planner/backup.hpp>
#include <rcplan/testing/gen_topology.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <set>

using rcplan::backup_code::from_master;
using rcplan::plan_status;
using rcplan_test::topology_builder;

namespace {

/// Replication facts for `id`: a master at `offset`, or a replica caught up to `offset`.
void replication(rcplan::topology& t, const rcplan::node_id& id, bool master, std::uint64_t offset, bool link_up = true) {
  rcplan::node_observation* o = nullptr;
  for (auto& x : t.observations)
    if (x.id == id) o = &x;
  if (o == nullptr) {
    t.observations.push_back({});
    o = &t.observations.back();
    o->id = id;
  }
  rcplan::replication_info r;
  r.role = master ? rcplan::node_role::master : rcplan::node_role::replica;
  r.master_repl_offset = offset;
  r.replica_repl_offset = master ? 0 : offset;
  r.master_link_up = link_up;
  o->replication = r;
}

struct three_by_one {
  rcplan::topology t;
  std::vector<rcplan::node_id> masters, replicas;
};

three_by_one healthy_cluster() {
  topology_builder b;
  three_by_one out;
  const auto ranges = rcplan_test::contiguous(3);
  // Masters added in reverse slot order: shard numbers follow slots, not insertion.
  for (int i = 2; i >= 0; --i) out.masters.insert(out.masters.begin(), b.master(ranges[static_cast<std::size_t>(i)]));
  for (const auto& m : out.masters) out.replicas.push_back(b.replica(m));
  out.t = b.build();
  for (std::size_t i = 0; i < 3; ++i) {
    replication(out.t, out.masters[i], true, 1000);
    replication(out.t, out.replicas[i], false, 1000);
  }
  return out;
}

rcplan::backup_manifest manifest_of(const rcplan::backup_plan& p) {
  rcplan::backup_manifest m;
  m.cluster = "demo";
  for (const auto& s : p.sources) {
    rcplan::backup_shard b;
    b.index = s.shard;
    b.slots = s.slots;
    b.source = s.node.value;
    b.from_replica = s.replica;
    b.sha256 = std::string(64, 'a');
    b.file = "shard-" + std::to_string(s.shard) + ".rdb";
    m.shards.push_back(b);
  }
  return m;
}

bool has_code(const std::vector<rcplan::diagnostic>& d, const char* code) {
  for (const auto& x : d)
    if (x.code == code) return true;
  return false;
}

}  // namespace

TEST_CASE("plan_backup: a synced replica of every shard, shards numbered by their lowest slot") {
  const three_by_one c = healthy_cluster();
  const rcplan::backup_plan p = rcplan::plan_backup(c.t);
  REQUIRE(p.status == plan_status::actions_planned);
  REQUIRE(p.sources.size() == 3);
  rcplan::slot_set all;
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(p.sources[i].shard == static_cast<int>(i));
    CHECK(p.sources[i].master == c.masters[i]);
    CHECK(p.sources[i].node == c.replicas[i]);
    CHECK(p.sources[i].replica);
    CHECK_FALSE(all.intersects(p.sources[i].slots));
    all |= p.sources[i].slots;
  }
  CHECK(all.full());
  CHECK(p.diagnostics.empty());
  CHECK(rcplan::plan_backup(c.t) == p);
  CHECK(rcplan::check_manifest(manifest_of(p)).empty());
}

TEST_CASE("plan_backup: a replica behind, syncing or cut off leaves the snapshot to the master") {
  three_by_one c = healthy_cluster();
  replication(c.t, c.replicas[0], false, 1000);
  replication(c.t, c.masters[0], true, 1000 + 1024 * 1024 + 1);  // the replica is over 1 MiB behind
  replication(c.t, c.replicas[1], false, 1000, false);    // link down
  const rcplan::backup_plan p = rcplan::plan_backup(c.t);
  REQUIRE(p.status == plan_status::actions_planned);
  CHECK(p.sources[0].node == c.masters[0]);
  CHECK_FALSE(p.sources[0].replica);
  CHECK(p.sources[1].node == c.masters[1]);
  CHECK(p.sources[2].node == c.replicas[2]);
  std::size_t infos = 0;
  for (const auto& d : p.diagnostics) infos += d.code == std::string(from_master) && d.severity == rcplan::severity::info;
  CHECK(infos == 2);
  SECTION("a replica a little behind, as offsets read a moment apart show, is in sync") {
    replication(c.t, c.masters[0], true, 1000 + 4096);
    CHECK(rcplan::plan_backup(c.t).sources[0].node == c.replicas[0]);
    rcplan::backup_planning strict;
    strict.max_replica_lag_bytes = 0;
    CHECK(rcplan::plan_backup(c.t, strict).sources[0].node == c.masters[0]);
  }
}

TEST_CASE("plan_backup: blocked, with nothing to take, when a shard has no healthy node") {
  three_by_one c = healthy_cluster();
  replication(c.t, c.replicas[2], false, 10, false);  // cut off from its master, which failed
  for (auto& n : c.t.views[0].nodes)
    if (n.id == c.masters[2]) n.flags.fail = true;
  const rcplan::backup_plan p = rcplan::plan_backup(c.t);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.sources.empty());
  CHECK(has_code(p.diagnostics, rcplan::backup_code::shard_unavailable));
}

TEST_CASE("plan_backup: blocked while a slot is migrating, or served by nobody") {
  three_by_one open = healthy_cluster();
  for (auto& n : open.t.views[0].nodes)
    if (n.id == open.masters[0]) {
      rcplan::open_slot o;
      o.number = 5;
      o.dir = rcplan::open_slot::direction::migrating;
      o.peer = open.masters[1];
      n.open_slots.push_back(o);
    }
  const rcplan::backup_plan p = rcplan::plan_backup(open.t);
  CHECK(p.status == plan_status::blocked);
  CHECK(p.sources.empty());
  CHECK(has_code(p.diagnostics, rcplan::backup_code::open_slots));

  three_by_one gap = healthy_cluster();
  for (auto& n : gap.t.views[0].nodes)
    if (n.id == gap.masters[1]) n.slots.erase(6000);
  const rcplan::backup_plan q = rcplan::plan_backup(gap.t);
  CHECK(q.status == plan_status::blocked);
  CHECK(has_code(q.diagnostics, rcplan::backup_code::uncovered_slots));
  CHECK(q.diagnostics.front().subject == "6000");
}

TEST_CASE("check_manifest: a missing shard, overlapping ranges, bad checksums, file names and indices are refused") {
  const three_by_one c = healthy_cluster();
  const rcplan::backup_manifest good = manifest_of(rcplan::plan_backup(c.t));
  REQUIRE(rcplan::check_manifest(good).empty());

  rcplan::backup_manifest missing = good;
  missing.shards.pop_back();
  CHECK(has_code(rcplan::check_manifest(missing), rcplan::backup_code::slots_missing));

  rcplan::backup_manifest overlap = good;
  overlap.shards[1].slots.insert(0);
  const auto o = rcplan::check_manifest(overlap);
  REQUIRE(has_code(o, rcplan::backup_code::slots_overlap));
  CHECK(o.front().subject == "shards[1].slots");

  rcplan::backup_manifest sha = good;
  sha.shards[2].sha256 = std::string(64, 'A');
  CHECK(has_code(rcplan::check_manifest(sha), rcplan::backup_code::checksum_malformed));

  rcplan::backup_manifest file = good;
  file.shards[0].file = "../shard-0.rdb";
  CHECK(has_code(rcplan::check_manifest(file), rcplan::backup_code::file_name));

  rcplan::backup_manifest index = good;
  index.shards[2].index = 0;
  CHECK(has_code(rcplan::check_manifest(index), rcplan::backup_code::shard_index));

  CHECK(has_code(rcplan::check_manifest(rcplan::backup_manifest{}), rcplan::backup_code::no_shards));
}

TEST_CASE("plan_backup on generated topologies: disjoint shards covering every slot from the shard's own nodes, or "
          "blocked with nothing") {
  rc::prop("invariants", [] {
    const rcplan::topology t = *rcplan::testing::gen_topology();
    const rcplan::backup_plan p = rcplan::plan_backup(t);
    RC_ASSERT(rcplan::plan_backup(t) == p);
    if (p.status == plan_status::blocked) {
      RC_ASSERT(p.sources.empty());
      RC_ASSERT(rcplan::has_errors(p.diagnostics));
      return;
    }
    RC_ASSERT(p.status == plan_status::actions_planned);
    RC_ASSERT(rcplan::views_agree(t));
    const auto nodes = rcplan::merged_nodes(t);
    rcplan::slot_set all;
    std::set<std::string> masters;
    for (const auto& s : p.sources) {
      RC_ASSERT(!all.intersects(s.slots));
      all |= s.slots;
      RC_ASSERT(masters.insert(s.master.value).second);
      const rcplan::cluster_node* n = rcplan::find_node(nodes, s.node);
      RC_ASSERT(n != nullptr);
      RC_ASSERT(!n->failed());
      const bool own = s.replica ? n->master_id == s.master : n->id == s.master;
      RC_ASSERT(own);
      for (const auto& x : nodes) RC_ASSERT(x.open_slots.empty());
    }
    RC_ASSERT(all.full());
    RC_ASSERT(rcplan::check_manifest(manifest_of(p)).empty());
  });
}

TEST_CASE("backup status: Succeeded with the manifest's totals, Failed with the reason") {
  const three_by_one c = healthy_cluster();
  rcplan::backup_manifest m = manifest_of(rcplan::plan_backup(c.t));
  for (auto& s : m.shards) {
    s.keys = 10;
    s.rdb_bytes = 1000;
  }
  const auto ok = rcplan::backup_succeeded(m, "2026-12-03T10:00:00Z", "2026-12-03T10:00:05Z", "s3://b/p");
  CHECK(ok.phase == "Succeeded");
  CHECK(ok.master_size == 3);
  CHECK(ok.keys == 30);
  CHECK(ok.size_bytes == 3000);
  CHECK(ok.location == "s3://b/p");
  CHECK(ok.completion_time == "2026-12-03T10:00:05Z");
  const auto failed = rcplan::backup_failed("shard 1: node unreachable", "2026-12-03T10:00:00Z", "2026-12-03T10:00:01Z");
  CHECK(failed.phase == "Failed");
  CHECK(failed.reason == "shard 1: node unreachable");
  CHECK(failed.keys == 0);
}
