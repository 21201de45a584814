#include "converge_run.hpp"

#include "plan_text.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/redis/execute.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <optional>
#include <thread>
#include <ostream>
#include <string>

namespace rcplan::cli {
namespace {

[[nodiscard]] bool handshake_in_progress(const topology& t) {
  for (const cluster_view& v : t.views)
    for (const cluster_node& n : v.nodes)
      if (n.flags.handshake) return true;
  return false;
}

/// Hands everything to `inner`, but gives a MEET's handshake a moment to finish before the
/// loop plans from an observation: mid-handshake, a node shows under a temporary id that
/// reconcile takes for a ghost and forgets, which cancels the handshake, and the loop meets and
/// forgets the same nodes forever. Redis finishes a handshake within a few cluster cron ticks.
class patient_platform final : public redis::platform {
 public:
  patient_platform(redis::platform& inner, redis::observe_options options)
      : inner_(inner), options_(std::move(options)) {}

  void apply(const action& a) override { inner_.apply(a); }
  void observe(topology& t) override {
    for (int i = 0; i < 30 && handshake_in_progress(t); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const std::vector<address> seeds = inner_.seeds();
      if (seeds.empty()) break;
      t = redis::observe(seeds, options_);
    }
    inner_.observe(t);
  }
  [[nodiscard]] std::vector<address> seeds() override { return inner_.seeds(); }
  [[nodiscard]] bool pods_ready(const std::string& name) override { return inner_.pods_ready(name); }

 private:
  redis::platform& inner_;
  redis::observe_options options_;
};

/// Ends run_until_converged() from inside its on_plan callback.
struct stuck_at_kubernetes {
  plan last;
  std::size_t iteration = 0;
};

}  // namespace

std::vector<std::string> config_parameters(const cluster_resource& desired) {
  std::vector<std::string> out;
  for (const auto& [key, value] : desired.spec.config) out.push_back(key);
  return out;
}

converge_run converge_printing(std::ostream& out, const std::vector<address>& seeds, const cluster_resource& desired,
                               const converge_settings& settings, redis::platform* platform) {
  converge_run run;
  progress_reporter progress(std::cerr, stderr_is_tty(), settings.quiet_progress);
  redis::converge_options co;
  co.observe.password = settings.password;
  co.observe.keys_per_slot = true;  // reconcile forgets a node only once it is proven empty
  co.observe.config_parameters = config_parameters(desired);
  co.execute.password = settings.password;
  co.execute.parallel = settings.parallel;
  co.execute.progress = progress.callback();
  co.reconcile.node_timeout_ms = settings.node_timeout_ms;
  co.max_iterations = settings.max_iterations;
  // Without a platform a Kubernetes step can never run: the loop would plan it again and again
  // until max_iterations. The plan after the one that reached it ends the loop instead.
  bool kubernetes_ahead = false;
  co.on_plan = [&](std::size_t iteration, const plan& p) {
    if (platform == nullptr && kubernetes_ahead) throw stuck_at_kubernetes{p, iteration};
    kubernetes_ahead = std::any_of(p.steps.begin(), p.steps.end(), [&](const step& s) {
      return s.wave == p.steps.front().wave && !is_redis_action(s.action);
    });
    if (p.empty()) return;
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
  // run_until_converged() observes from the platform's pods; a platform with none yet (a new
  // local cluster) has nothing to observe, so its first plans (StatefulSets, pods) are run here
  std::size_t first = 1;
  for (; platform != nullptr && platform->seeds().empty() && first <= settings.max_iterations; ++first) {
    topology t;
    platform->observe(t);
    const plan p = reconcile(t, desired, co.reconcile);
    co.on_plan(first, p);
    if (p.status != plan_status::actions_planned) {
      run.result.last_plan = p;
      run.result.iterations = first;
      run.result.converged = p.status == plan_status::converged;
      progress.finish();
      return run;
    }
    redis::execute_options eo = co.execute;
    eo.max_waves = 1;
    eo.platform = platform;
    const redis::execute_result r = redis::execute(p, t, eo);
    if (!r.complete) {
      run.result.last_plan = p;
      run.result.iterations = first;
      run.result.diagnostics = r.diagnostics;
      progress.finish();
      return run;
    }
  }
  redis::observe_options patient_options = co.observe;
  for (const auto& [key, value] : effective_config(desired.spec)) patient_options.config_parameters.push_back(key);
  std::optional<patient_platform> patient;
  if (platform != nullptr) platform = &patient.emplace(*platform, patient_options);
  const auto on_plan = co.on_plan;
  co.on_plan = [&, on_plan](std::size_t iteration, const plan& p) { on_plan(iteration + first - 1, p); };
  try {
    run.result = redis::run_until_converged(seeds, desired, co, platform);
    run.result.iterations += first - 1;
  } catch (const stuck_at_kubernetes& stuck) {
    run.result.converged = false;
    run.result.last_plan = stuck.last;
    run.result.iterations = stuck.iteration + first - 1;
  }
  progress.finish();
  return run;
}

}  // namespace rcplan::cli
