#pragma once

// reconcile()'s definition and the order of its phases: what rcplan::compiled compiles once,
// and what a header-only user's translation unit compiles with reconcile.hpp.

#include <rcplan/config.hpp>
#include <rcplan/planner/reconcile.hpp>

#include <rcplan/diagnostic.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/plan.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/planner/placement.hpp>
#include <rcplan/planner/reconcile/config.hpp>
#include <rcplan/planner/reconcile/context.hpp>
#include <rcplan/planner/reconcile/failures.hpp>
#include <rcplan/planner/reconcile/membership.hpp>
#include <rcplan/planner/reconcile/objects.hpp>
#include <rcplan/planner/reconcile/placement.hpp>
#include <rcplan/planner/reconcile/removal.hpp>
#include <rcplan/planner/reconcile/restore.hpp>
#include <rcplan/planner/reconcile/rolling_update.hpp>
#include <rcplan/planner/reconcile/slots.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace rcplan {

namespace planner_detail {

/// A phase: a pure function of the context; it acts when its result has steps or a status.
using phase = phase_result (*)(const reconcile_context&);

/// reconcile()'s phases in the order they are tried (see reconcile() for what each does).
inline constexpr phase reconcile_phases[] = {
    apply_objects,
    handle_failures,
    wait_for_pods,
    change_password,
    create_or_restore_cluster,
    join_nodes,
    assign_roles,
    give_shards_masters,
    finish_interrupted_removals,
    remove_extra_replicas,
    balance_slots,
    remove_drained_shards,
    restart_outdated_pods,
    set_live_config,
    spread_masters,
};

}  // namespace planner_detail

RCPLAN_ENTRY plan reconcile(const topology& t, const cluster_resource& desired, const reconcile_options& options) {
  cluster_resource r = desired;
  apply_defaults(r);
  std::vector<diagnostic> problems = validate(r);
  if (has_errors(problems)) {
    plan p;
    p.status = plan_status::blocked;
    p.diagnostics = std::move(problems);
    return p;
  }
  // validation warnings travel with whatever plan comes out
  const auto with_warnings = [&problems](plan p) {
    p.diagnostics.insert(p.diagnostics.begin(), problems.begin(), problems.end());
    return p;
  };
  const bool restoring = options.restore && !planner_detail::cluster_formed(t);
  if (restoring)
    r.spec.master_size = std::max(master_count(r.spec), static_cast<std::int32_t>(options.restore->shards.size()));
  const planner_detail::reconcile_context c(t, r, options.node_timeout_ms, restoring ? &*options.restore : nullptr);
  for (const planner_detail::phase f : planner_detail::reconcile_phases)
    if (planner_detail::phase_result x = f(c); x.acts()) return with_warnings(planner_detail::to_plan(std::move(x)));
  plan done;
  done.status = plan_status::converged;
  done.diagnostics = placement_findings(c.layout, c.desired.spec.placement);
  return with_warnings(std::move(done));
}

}  // namespace rcplan
