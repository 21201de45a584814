#include "converge_run.hpp"

#include "plan_text.hpp"
#include "stop_signal.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/plan/action.hpp>

#include <algorithm>
#include <iostream>
#include <optional>
#include <ostream>
#include <string>

namespace rcplan::cli {
namespace {

/// Ends run_until_converged() from inside its on_plan callback.
struct stuck_at_kubernetes {
  plan last;
  std::size_t iteration = 0;
};

}  // namespace

converge_run converge_printing(std::ostream& out, const std::vector<address>& seeds, const cluster_resource& desired,
                               const converge_settings& settings, redis::platform* platform) {
  converge_run run;
  progress_reporter progress(std::cerr, stderr_is_tty(), settings.quiet_progress);
  redis::converge_options co;
  co.observe.password = settings.password;
  co.execute.password = settings.password;
  co.observe.previous_password = settings.previous_password;
  co.execute.previous_password = settings.previous_password;
  co.observe.tls = settings.tls;
  co.execute.tls = settings.tls;
  co.execute.parallel = settings.parallel;
  apply_pace(settings.pace, co.execute);
  co.execute.progress = progress.callback();
  co.execute.stop = &stop_requested();
  co.reconcile.node_timeout_ms = settings.node_timeout_ms;
  co.reconcile.restore = settings.restore;
  co.max_iterations = settings.max_iterations;
  // Without a platform a Kubernetes step can never run: the loop would plan it again and again
  // until max_iterations. The plan after the one that reached it ends the loop instead.
  bool kubernetes_ahead = false;
  std::optional<plan> last_printed;
  co.on_plan = [&](std::size_t iteration, const plan& p) {
    if (platform == nullptr && kubernetes_ahead) throw stuck_at_kubernetes{p, iteration};
    kubernetes_ahead = std::any_of(p.steps.begin(), p.steps.end(), [&](const step& s) {
      return s.wave == p.steps.front().wave && !is_redis_action(s.action);
    });
    if (!worth_printing(p, last_printed)) return;
    last_printed = p;
    progress.finish();
    if (settings.format == output_format::text) {
      out << "\niteration " << iteration << '\n';
      print_plan_text(out, p, {});
      out.flush();
    } else {
      run.plans.push_back(nlohmann::ordered_json(p));
    }
    progress.start(p, "iteration " + std::to_string(iteration));
  };
  try {
    run.result = redis::run_until_converged(seeds, desired, co, platform);
  } catch (const stuck_at_kubernetes& stuck) {
    run.result.converged = false;
    run.result.last_plan = stuck.last;
    run.result.iterations = stuck.iteration;
  }
  progress.finish();
  if (stop_requested().load())
    for (const diagnostic& d : run.result.diagnostics) std::cerr << "rcplan: " << d.code << ": " << d.message << '\n';
  end_if_stopped();
  return run;
}

void add_converge_result(nlohmann::ordered_json& doc, const converge_run& run) {
  const redis::converge_result& r = run.result;
  doc["plans"] = run.plans;
  doc["result"] = {{"converged", r.converged},
                   {"iterations", r.iterations},
                   {"status", r.last_plan.status},
                   {"diagnostics", r.diagnostics}};
}

}  // namespace rcplan::cli
