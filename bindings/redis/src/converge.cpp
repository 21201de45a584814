#include "connection.hpp"
#include "iteration.hpp"
#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <thread>

namespace rcplan::redis {

namespace {

[[nodiscard]] topology empty_topology() {
  topology t;
  t.observed_at_ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  return t;
}

void check_spec(const cluster_resource& desired) {
  cluster_resource r = desired;
  apply_defaults(r);
  const std::vector<diagnostic> problems = validate(r.spec);
  if (!has_errors(problems)) return;
  std::string text;
  for (const diagnostic& d : problems) {
    if (d.severity != severity::error) continue;
    if (!text.empty()) text += "; ";
    text += d.subject + ": " + d.message;
  }
  throw error("rcplan.redis.invalid_spec", "the spec is invalid: " + text);
}

/// What the planners compare with the spec: its runtime settings (reconcile's live config) and
/// the keys of every node (a drained node is forgotten only once it is proven empty).
observe_options observation_for(const converge_options& o, const cluster_resource& desired) {
  observe_options obs = o.observe;
  obs.keys_per_slot = true;
  for (const auto& [key, value] : effective_config(desired.spec)) obs.config_parameters.push_back(key);
  return obs;
}

/// With a platform, no running pod (a cluster not created yet) or no pod answering (all
/// restarting) is a state to plan from, not an error: reconcile creates or waits for the pods.
/// A rejected password stays an error.
topology observe_or_nothing(const std::vector<address>& from, const observe_options& obs, bool platform) {
  if (platform) {
    if (from.empty()) return empty_topology();
    try {
      return observe(from, obs);
    } catch (const error& e) {
      if (e.id() != "rcplan.redis.unreachable") throw;
      return empty_topology();
    }
  }
  return observe(from, obs);
}

/// Whether every reachable node serves requests (`cluster_state:ok`). A converged topology can
/// still be refused for a moment: a master that just started waits before it accepts writes,
/// and a node needs a cron tick to notice that every slot is covered again.
[[nodiscard]] bool cluster_state_ok(const topology& t, const observe_options& obs) {
  const detail::connect_options co = detail::connect_options_of(obs);
  for (const node_observation& o : t.observations) {
    if (!o.reachable) continue;
    try {
      detail::connection c(o.addr.host, o.addr.port, co);
      if (c.command({"CLUSTER", "INFO"}).str.find("cluster_state:ok") == std::string::npos) return false;
    } catch (const std::runtime_error&) {
      return false;
    }
  }
  return true;
}

}  // namespace

converge_result run_until_converged(const std::vector<address>& seeds, const cluster_resource& desired,
                                    const converge_options& options, redis::platform* platform) {
  check_spec(desired);
  const observe_options obs = observation_for(options, desired);
  execute_options exec = options.execute;
  exec.max_waves = 1;
  exec.platform = platform != nullptr ? platform : exec.platform;
  if (exec.password.empty()) exec.password = options.observe.password;
  if (exec.previous_password.empty()) exec.previous_password = options.observe.previous_password;
  converge_result out;
  for (out.iterations = 1; out.iterations <= options.max_iterations; ++out.iterations) {
    const std::vector<address> from = exec.platform != nullptr ? exec.platform->seeds() : seeds;
    topology t = observe_or_nothing(from, obs, exec.platform != nullptr);
    if (exec.platform != nullptr) exec.platform->observe(t);
    out.last_plan = reconcile(t, desired, options.reconcile);
    if (options.on_plan) options.on_plan(out.iterations, out.last_plan);
    switch (out.last_plan.status) {
      case plan_status::converged:
        if (cluster_state_ok(t, obs)) {
          out.converged = true;
          return out;
        }
        std::this_thread::sleep_for(options.waiting_backoff);
        continue;
      case plan_status::blocked: return out;
      case plan_status::waiting:  // the cluster changes by itself (gossip, failover, a pod starting)
        std::this_thread::sleep_for(options.waiting_backoff);
        continue;
      case plan_status::actions_planned: break;
    }
    exec.max_waves = detail::first_wave_and_its_waits(out.last_plan);
    const execute_result r = execute(out.last_plan, t, exec);
    out.diagnostics = r.diagnostics;
    // a step that could not finish is retried from a fresh observation; give the cluster a moment
    if (!r.complete) std::this_thread::sleep_for(options.waiting_backoff);
  }
  out.iterations = options.max_iterations;
  return out;
}

}  // namespace rcplan::redis
