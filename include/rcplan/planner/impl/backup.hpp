#pragma once

// The definitions of what rcplan/planner/backup.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/backup.hpp>

namespace rcplan {

RCPLAN_ENTRY backup_plan plan_backup(const topology& t, const backup_planning& options) {
  backup_plan out;
  const auto block = [&](const char* code, std::string subject, std::string message) {
    out.diagnostics.push_back({severity::error, code, std::move(subject), std::move(message)});
  };
  if (!views_agree(t))
    block(backup_code::views_disagree, {}, "the nodes disagree about the cluster: wait until they agree");
  const std::vector<cluster_node> nodes = merged_nodes(t);
  slot_set open;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots) open.insert(o.number);
  if (!open.empty())
    block(backup_code::open_slots, to_string(open), "slots " + to_string(open) + " are being migrated: finish or repair that first");
  const slot_set uncovered = uncovered_slots(nodes);
  if (!uncovered.empty())
    block(backup_code::uncovered_slots, to_string(uncovered), "slots " + to_string(uncovered) + " are served by no master");

  std::vector<const cluster_node*> masters;
  slot_set claimed, contested;
  for (const cluster_node& n : nodes)
    if (n.is_master() && !n.slots.empty()) {
      masters.push_back(&n);
      contested |= claimed & n.slots;
      claimed |= n.slots;
    }
  if (!contested.empty())
    block(backup_code::contested_slots, to_string(contested),
          "slots " + to_string(contested) + " are claimed by more than one master: repair that first");
  std::sort(masters.begin(), masters.end(),
            [](const cluster_node* a, const cluster_node* b) { return *a->slots.first() < *b->slots.first(); });
  for (std::size_t i = 0; i < masters.size(); ++i) {
    const cluster_node& m = *masters[i];
    snapshot_source s;
    s.shard = static_cast<int>(i);
    s.slots = m.slots;
    s.master = m.id;
    if (const cluster_node* r = planner_detail::synced_replica(t, nodes, m, options.max_replica_lag_bytes)) {
      s.node = r->id;
      s.addr = r->addr;
      s.replica = true;
    } else if (const node_observation* o = t.observation(m.id); !m.failed() && o != nullptr && o->reachable) {
      s.node = m.id;
      s.addr = m.addr;
      out.diagnostics.push_back({severity::info, backup_code::from_master, "shard " + std::to_string(i),
                                 "no replica of " + short_id(m.id) + " is in sync: the snapshot is taken from the master"});
    } else {
      block(backup_code::shard_unavailable, "shard " + std::to_string(i),
            "shard " + std::to_string(i) + " (slots " + to_string(m.slots) + ") has no healthy node to take a snapshot from");
      continue;
    }
    out.sources.push_back(std::move(s));
  }
  if (has_errors(out.diagnostics)) {
    out.sources.clear();
    out.status = plan_status::blocked;
  } else {
    out.status = plan_status::actions_planned;
  }
  return out;
}

RCPLAN_ENTRY std::vector<diagnostic> check_manifest(const backup_manifest& m) {
  std::vector<diagnostic> out;
  const auto error = [&](const char* code, std::string subject, std::string message) {
    out.push_back({severity::error, code, std::move(subject), std::move(message)});
  };
  if (m.shards.empty()) error(backup_code::no_shards, "shards", "the manifest lists no shard");
  std::vector<int> seen(m.shards.size(), 0);
  slot_set covered;
  for (std::size_t i = 0; i < m.shards.size(); ++i) {
    const backup_shard& s = m.shards[i];
    const std::string at = "shards[" + std::to_string(i) + "]";
    if (s.index < 0 || static_cast<std::size_t>(s.index) >= m.shards.size() || seen[static_cast<std::size_t>(s.index)]++ != 0)
      error(backup_code::shard_index, at + ".index",
            "index " + std::to_string(s.index) + " is out of 0.." + std::to_string(m.shards.size() - 1) + " or repeated");
    const slot_set twice = covered & s.slots;
    if (!twice.empty()) error(backup_code::slots_overlap, at + ".slots", "slots " + to_string(twice) + " are in more than one shard");
    covered |= s.slots;
    if (s.sha256.size() != 64 || !planner_detail::is_lower_hex(s.sha256))
      error(backup_code::checksum_malformed, at + ".sha256", "not a SHA-256 (64 lowercase hex digits)");
    if (s.file.empty() || s.file.find('/') != std::string::npos || s.file == "." || s.file == "..")
      error(backup_code::file_name, at + ".file", "\"" + s.file + "\" is not a plain file name");
  }
  const slot_set missing = covered.complement();
  if (!m.shards.empty() && !missing.empty())
    error(backup_code::slots_missing, "shards", "slots " + to_string(missing) + " are in no shard: a shard is missing");
  return out;
}

RCPLAN_ENTRY backup_status backup_succeeded(const backup_manifest& m, std::string start_time,
                                            std::string completion_time, std::string location) {
  backup_status s;
  s.phase = phase_succeeded;
  s.start_time = std::move(start_time);
  s.completion_time = std::move(completion_time);
  s.master_size = static_cast<int>(m.shards.size());
  for (const backup_shard& x : m.shards) {
    s.keys += x.keys;
    s.size_bytes += x.rdb_bytes;
  }
  s.location = std::move(location);
  return s;
}

RCPLAN_ENTRY backup_status backup_failed(std::string reason, std::string start_time,
                                         std::string completion_time) {
  backup_status s;
  s.phase = phase_failed;
  s.reason = std::move(reason);
  s.start_time = std::move(start_time);
  s.completion_time = std::move(completion_time);
  return s;
}

}  // namespace rcplan
