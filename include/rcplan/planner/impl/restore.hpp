#pragma once

// The definitions of what rcplan/planner/restore.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/planner/restore.hpp>
#include <rcplan/planner/reconcile/restore.hpp>

namespace rcplan {

RCPLAN_ENTRY restore_plan plan_restore(const backup_manifest& m, const cluster_resource& resource) {
  restore_plan out;
  cluster_resource r = resource;
  apply_defaults(r);
  out.diagnostics = check_manifest(m);
  for (diagnostic& d : out.diagnostics)
    if (d.severity == severity::error) d.message = "the backup cannot be restored: " + d.message;
  for (diagnostic& d : validate(r.spec)) out.diagnostics.push_back(std::move(d));
  if (has_errors(out.diagnostics)) return out;

  const int k = static_cast<int>(m.shards.size());
  out.masters = master_count(r.spec);
  out.shards_at_start = std::max(k, out.masters);
  if (k > out.masters)
    out.diagnostics.push_back({severity::info, restore_code::fewer_masters, "spec.masterSize",
                               "the backup has " + std::to_string(k) + " shards: the cluster starts with " +
                                   std::to_string(k) + " masters, then " +
                                   (k - out.masters == 1 ? "shard " + std::to_string(out.masters) + " drains"
                                                         : "shards " + std::to_string(out.masters) + ".." +
                                                               std::to_string(k - 1) + " drain") +
                                   " into the others and " + (k - out.masters == 1 ? "is" : "are") + " removed"});
  for (const backup_shard& s : m.shards)
    out.placements.push_back({s.index, s.file, s.sha256, s.keys, statefulset_name(r.metadata.name, s.index),
                              pod_name(r.metadata.name, s.index, 0)});
  std::sort(out.placements.begin(), out.placements.end(),
            [](const restore_placement& a, const restore_placement& b) { return a.shard < b.shard; });
  out.status = plan_status::actions_planned;
  return out;
}

RCPLAN_ENTRY restore_status restore_progress(const topology& t, const plan& next, std::string backup) {
  restore_status s;
  s.backup = std::move(backup);
  const bool formed = planner_detail::cluster_formed(t);
  if (formed && next.status == plan_status::converged) s.phase = phase_succeeded;
  else if (!formed && next.status == plan_status::blocked) s.phase = phase_failed;
  else s.phase = phase_running;
  return s;
}

}  // namespace rcplan
