#include "connection.hpp"
#include "context.hpp"
#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/loop/loop.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rcplan::redis {

namespace {

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

/// A change of an ACL user's password would go out as CONFIG SET requirepass and masterauth,
/// which give the default user the password and make replicas authenticate as the user with a
/// password it does not have: refused before anything is observed or changed.
void check_password_change(const execute_options& exec) {
  if (exec.previous_password.empty() || exec.password.user().empty()) return;
  throw error("rcplan.redis.acl_password_change",
              "a password change for ACL user " + exec.password.user() +
                  " was asked for (a previous password): rcplan changes passwords live with CONFIG SET requirepass, "
                  "which does not reach an ACL user (that needs ACL SETUSER on every node); nothing was changed");
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

/// The executor's settings for `desired`: the spec's migration settings, the observation's
/// passwords unless given, and the platform that carries out Kubernetes steps.
execute_options execution_for(const converge_options& o, const cluster_resource& desired, redis::platform* platform) {
  execute_options exec = o.execute;
  const migration_settings& m = desired.spec.migration;  // validated: every value at least 1
  exec.key_batch = static_cast<std::size_t>(m.key_batch_size);
  exec.migrate_timeout_ms = static_cast<std::uint32_t>(m.migrate_timeout_ms);
  exec.wait_timeout = std::chrono::seconds(m.step_timeout_seconds);
  // the caller's pace (a command-line flag) wins over the spec's
  if (!exec.latency_budget) exec.latency_budget = latency_budget_of(m.latency_budget_ms);
  if (!exec.max_keys_per_second) exec.max_keys_per_second = static_cast<std::uint64_t>(m.max_keys_per_second);
  exec.platform = platform != nullptr ? platform : exec.platform;
  if (exec.password.empty()) exec.password = o.observe.password;
  if (exec.previous_password.empty()) exec.previous_password = o.observe.previous_password;
  return exec;
}

}  // namespace

observe_options observation_for(const cluster_resource& desired, observe_options base) {
  base.keys_per_slot = true;
  for (const auto& [key, value] : effective_config(desired.spec)) {
    if (std::find(base.config_parameters.begin(), base.config_parameters.end(), key) == base.config_parameters.end())
      base.config_parameters.push_back(key);
  }
  return base;
}

converge_result run_until_converged(const std::vector<address>& seeds, const cluster_resource& desired,
                                    const converge_options& options, redis::platform* platform) {
  check_spec(desired);
  const observe_options obs = observation_for(desired, options.observe);
  execute_options exec = execution_for(options, desired, platform);
  check_password_change(exec);  // the passwords as the executor will use them
  loop_callables<topology> c;
  c.observe = [&] {
    return exec.platform != nullptr ? observe(*exec.platform, obs) : observe(seeds, obs);
  };
  c.make_plan = [&](const topology& t) {
    plan p = reconcile(t, desired, options.reconcile);
    if (options.on_observed) options.on_observed(t, p);
    return p;
  };
  c.execute = [&](const topology& t, const plan& p, int waves) {
    exec.max_waves = waves;
    const execute_result r = execute(p, t, exec);
    if (options.on_executed) options.on_executed(r);
    const bool stopped = detail::stop_requested(exec);  // a stop ends the loop too
    return execution{r.complete, stopped, r.diagnostics};
  };
  c.ready = [&](const topology& t) { return cluster_state_ok(t, obs); };
  loop_options lo;
  lo.max_iterations = options.max_iterations;
  lo.backoff = options.waiting_backoff;
  lo.backoff_max = std::max(options.waiting_backoff, options.waiting_backoff_max);
  lo.on_plan = options.on_plan;
  const loop_result r = run_loop(c, lo);
  return converge_result{r.converged(), r.iterations, r.last_plan, r.diagnostics};
}

}  // namespace rcplan::redis
