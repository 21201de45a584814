#include "claims.hpp"
#include "context.hpp"
#include "directory.hpp"
#include "migrate.hpp"
#include "quiet.hpp"
#include "reporter.hpp"
#include "waits.hpp"

#include <rcplan/error.hpp>
#include <rcplan/redis/execute.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <set>
#include <string>
#include <thread>
#include <type_traits>
#include <variant>
#include <vector>

namespace rcplan::redis {

namespace {

void check_options(const execute_options& o) {
  if (o.parallel < 1) throw error("rcplan.redis.options", "parallel must be at least 1, got " + std::to_string(o.parallel));
  if (o.key_batch == 0) throw error("rcplan.redis.options", "key_batch must be at least 1");
  if (o.quiet_timeout.count() < 0)
    throw error("rcplan.redis.options", "quiet_timeout must not be negative, got " + std::to_string(o.quiet_timeout.count()) + " ms");
  if (o.latency_budget && o.latency_budget->count() < 0)
    throw error("rcplan.redis.options",
                "latency_budget must not be negative, got " + std::to_string(o.latency_budget->count()) + " us");
  if (o.max_waves && *o.max_waves < 0)
    throw error("rcplan.redis.options", "max_waves must not be negative, got " + std::to_string(*o.max_waves));
  check_tls_options(o.tls);
}

/// How every connection of one execution connects: all under one executor name.
detail::connect_options connecting(const execute_options& o, std::string name) {
  detail::connect_options c;
  c.password = o.password;
  c.previous_password = o.previous_password;
  c.connect_timeout = o.connect_timeout;
  c.command_timeout = o.command_timeout;
  c.tls = o.tls;
  c.client_name = std::move(name);
  return c;
}

/// Every node the commands may go to: those that answered, and those nobody tried.
lower_context lowering_of(const topology& observed, const execute_options& o) {
  lower_context c;
  for (cluster_node& n : merged_nodes(observed)) {
    const node_observation* ob = observed.observation(n.id);
    if ((ob != nullptr && !ob->reachable) || n.flags.handshake || n.flags.noaddr) continue;
    c.nodes.push_back(std::move(n));
  }
  c.password = !o.password.empty();
  c.key_batch = o.key_batch;
  c.migrate_timeout_ms = o.migrate_timeout_ms;
  return c;
}

[[nodiscard]] bool needs_platform(const action& a) {
  if (!is_redis_action(a)) return true;
  const auto* w = std::get_if<wait_until>(&a);
  return w != nullptr && w->condition == wait_condition::pods_ready;
}

/// The action with pod names of nodes created since the observation replaced by node ids.
action resolved(detail::directory& dir, const action& a) {
  auto id = [&](const node_id& n) { return n.empty() ? n : dir.real_id(n); };
  return std::visit(
      [&](const auto& x) -> action {
        using T = std::decay_t<decltype(x)>;
        T r = x;
        if constexpr (std::is_same_v<T, meet>) r.via = id(x.via);
        else if constexpr (std::is_same_v<T, replicate>) {
          r.replica = id(x.replica);
          r.master = id(x.master);
        } else if constexpr (std::is_same_v<T, migrate_slots>) {
          r.source = id(x.source);
          r.target = id(x.target);
        } else if constexpr (std::is_same_v<T, set_slot_node>) {
          r.node = id(x.node);
          r.owner = id(x.owner);
        } else if constexpr (std::is_same_v<T, failover>) r.replica = id(x.replica);
        else if constexpr (std::is_same_v<T, add_slots> || std::is_same_v<T, set_config_epoch> ||
                           std::is_same_v<T, set_slot_stable> || std::is_same_v<T, reset> ||
                           std::is_same_v<T, config_set>)
          r.node = id(x.node);
        return r;  // forget names a node the cluster knows; waits and Kubernetes actions as they are
      },
      a);
}

/// Errors that mean the command's effect is already there.
[[nodiscard]] bool already_done(const detail::argv& a, const detail::reply& r) {
  return a.size() > 1 && a[0] == "CLUSTER" && a[1] == "FORGET" && r.str.find("Unknown node") != std::string::npos;
}

class executor {
 public:
  executor(const plan& p, const topology& observed, const execute_options& o)
      : p_(p), o_(o), rep_(o.progress, o.password, o.previous_password), name_(detail::new_executor_name()),
        dir_(observed, o.platform, connecting(o, name_)),
        pacer_(o.latency_budget.value_or(default_latency_budget), o.max_keys_per_second.value_or(0), rep_),
        ctx_{o, observed, dir_, rep_, lowering_of(observed, o), pacer_, {}} {}

  execute_result run() {
    execute_result out;
    if (!p_.steps.empty() && o_.max_waves.value_or(1) > 0 && !quiet_.run(ctx_.observed, o_.quiet_timeout, rep_)) {
      out.diagnostics = rep_.take_diagnostics();
      return out;
    }
    std::set<int> waves;
    for (const step& s : p_.steps) waves.insert(s.wave);
    bool ok = true;
    for (const int wave : waves) {
      if (o_.max_waves && out.waves_done >= *o_.max_waves) break;
      if (detail::stop_requested(o_)) {
        ok = false;
        break;
      }
      std::vector<std::size_t> steps;
      for (std::size_t i = 0; i < p_.steps.size(); ++i)
        if (p_.steps[i].wave == wave) steps.push_back(i);
      if (!platform_available(steps)) {
        ok = false;
        break;
      }
      progress_event e;
      e.what = progress_event::kind::wave_started;
      e.wave = wave;
      e.total = steps.size();
      e.message = "wave " + std::to_string(wave) + ": " + std::to_string(steps.size()) + " steps";
      rep_.progress(std::move(e));
      ok = run_wave(steps);
      if (!ok) break;
      ++out.waves_done;
    }
    out.complete = ok;
    out.steps_done = steps_done_;
    if (detail::stop_requested(o_) && !ok)
      rep_.diagnose(severity::error, "rcplan.redis.stopped", "execution",
                    "stopped on request after " + std::to_string(steps_done_) + " of " + std::to_string(p_.steps.size()) +
                        " steps; no new step or batch of slots started, the slots being handed over finished");
    rep_.commands_sent += pool_.commands_sent();
    out.commands_sent = rep_.commands_sent;
    out.keys_moved = rep_.keys_moved;
    out.slots_moved = rep_.slots_moved;
    const detail::pacer::summary probed = pacer_.totals();
    out.probes.samples = probed.samples;
    out.probes.p99_ms = static_cast<double>(probed.p99_us) / 1000.0;
    out.probes.max_ms = static_cast<double>(probed.max_us) / 1000.0;
    out.diagnostics = rep_.take_diagnostics();
    return out;
  }

 private:
  bool platform_available(const std::vector<std::size_t>& steps) {
    if (o_.platform != nullptr) return true;
    for (const std::size_t i : steps) {
      if (!needs_platform(p_.steps[i].action)) continue;
      rep_.diagnose(severity::error, "rcplan.redis.no_platform", std::string{action_type_name(p_.steps[i].action)},
                    "step " + std::to_string(i) + " (" + std::string{action_type_name(p_.steps[i].action)} +
                        ") needs a platform to carry out Kubernetes actions; execution stops before wave " +
                        std::to_string(p_.steps[i].wave));
      return false;
    }
    return true;
  }

  bool run_wave(const std::vector<std::size_t>& steps) {
    std::vector<std::pair<std::size_t, migrate_slots>> migrations;
    for (const std::size_t i : steps) {
      const action& a = p_.steps[i].action;
      if (std::holds_alternative<migrate_slots>(a)) {
        std::optional<action> r = resolve(i, a);
        if (!r) return false;
        migrations.emplace_back(i, std::get<migrate_slots>(std::move(*r)));
        continue;
      }
      if (detail::stop_requested(o_)) return false;
      started(i);
      if (!guarded(i, [&] { return run_step(i, a); })) return false;
      finished(i);
    }
    if (!migrations.empty()) {
      std::vector<node_id> sources, targets;
      for (const auto& [i, m] : migrations) {
        sources.push_back(m.source);
        targets.push_back(m.target);
      }
      if (!detail::settle_epochs(ctx_, migrations.front().first, sources, targets)) return false;
    }
    ctx_.claims_settled = detail::settle_idle_targets(ctx_, migrations, detail::settle_timeout);
    return run_migrations(migrations);
  }

  bool run_migrations(const std::vector<std::pair<std::size_t, migrate_slots>>& jobs) {
    if (jobs.empty()) return true;
    probe_migrating_nodes(jobs);
    const bool ok = run_migration_jobs(jobs);
    pacer_.stop();
    return ok;
  }

  /// The pacer's probes watch every source and target of the wave (where its load lands).
  void probe_migrating_nodes(const std::vector<std::pair<std::size_t, migrate_slots>>& jobs) {
    std::set<node_id> nodes;
    for (const auto& [i, m] : jobs) {
      nodes.insert(m.source);
      nodes.insert(m.target);
    }
    std::vector<detail::endpoint> where;
    for (const node_id& n : nodes)
      if (const std::optional<detail::endpoint> e = dir_.find(n)) where.push_back(*e);
    pacer_.watch(where, dir_.options());  // under the executor's own name: part of this execution
  }

  bool run_migration_jobs(const std::vector<std::pair<std::size_t, migrate_slots>>& jobs) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> ok{true};
    auto worker = [&] {
      for (std::size_t j = next++; j < jobs.size() && ok; j = next++) {
        if (detail::stop_requested(o_)) {
          ok = false;
          break;
        }
        const auto& [i, m] = jobs[j];
        started(i);
        if (guarded(i, [&, i = i, &m = m] { return detail::run_migration(ctx_, i, m); })) finished(i);
        else ok = false;  // the running ones finish their slots; no new one starts
      }
    };
    const std::size_t threads = std::min(jobs.size(), static_cast<std::size_t>(o_.parallel));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
    if (threads > 0) worker();
    for (std::thread& t : pool) t.join();
    return ok;
  }

  template <typename F>
  bool guarded(std::size_t i, F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {  // a platform or parser failure ends the step, not the process
      rep_.diagnose(severity::error, "rcplan.redis.step_failed", std::to_string(i),
                    "step " + std::to_string(i) + " (" + std::string{action_type_name(p_.steps[i].action)} +
                        "): " + e.what());
      return false;
    }
  }

  std::optional<action> resolve(std::size_t i, const action& a) {
    try {
      return resolved(dir_, a);
    } catch (const std::exception& e) {
      rep_.diagnose(severity::error, "rcplan.redis.unknown_node", std::to_string(i),
                    "step " + std::to_string(i) + ": cannot find a node it names: " + e.what());
      return std::nullopt;
    }
  }

  bool run_step(std::size_t i, const action& a) {
    if (!is_redis_action(a)) {
      o_.platform->apply(a);
      return true;
    }
    if (const auto* w = std::get_if<wait_until>(&a)) return detail::run_wait(ctx_, i, *w);
    const std::optional<action> r = resolve(i, a);
    if (!r) return false;
    const auto* cs = std::get_if<config_set>(&*r);
    const bool secret_value = cs != nullptr && cs->secret;
    if (secret_value && o_.password.empty()) {
      rep_.diagnose(severity::error, "rcplan.redis.no_password", cs->node.value,
                    "step " + std::to_string(i) + " sets " + cs->parameter + " to the password, and none was given");
      return false;
    }
    for (const lowered_command& lc : lower(*r, ctx_.lowering)) {
      const auto* c = std::get_if<redis_command>(&lc);
      if (c == nullptr) continue;  // only migrations lower to move_keys, and they run elsewhere
      detail::reply reply;
      if (!detail::send(ctx_, pool_, i, c->node, detail::with_password(c->argv, o_.password, secret_value), reply))
        return false;
      if (reply.is_error() && !already_done(c->argv, reply)) {
        rep_.diagnose(severity::error, "rcplan.redis.command_failed", c->node.value,
                      "step " + std::to_string(i) + ": " + detail::command_name(c->argv) + " on " + c->node.value +
                          ": " + reply.str);
        return false;
      }
    }
    return true;
  }

  void started(std::size_t i) {
    progress_event e;
    e.what = progress_event::kind::step_started;
    e.wave = p_.steps[i].wave;
    e.step = i;
    e.message = std::string{action_type_name(p_.steps[i].action)} + ": " + p_.steps[i].reason;
    rep_.progress(std::move(e));
  }
  void finished(std::size_t i) {
    ++steps_done_;
    progress_event e;
    e.what = progress_event::kind::step_done;
    e.wave = p_.steps[i].wave;
    e.step = i;
    e.message = std::string{action_type_name(p_.steps[i].action)} + " done";
    rep_.progress(std::move(e));
  }

  const plan& p_;
  const execute_options& o_;
  detail::reporter rep_;
  std::string name_;
  detail::directory dir_;
  detail::pacer pacer_;
  detail::exec_context ctx_;
  detail::node_pool pool_{dir_};
  /// Declared after everything it uses; its connections stay open for the whole execution.
  detail::quiet_check quiet_{dir_, name_};
  std::atomic<std::size_t> steps_done_{0};
};

}  // namespace

execute_result execute(const plan& p, const topology& observed, const execute_options& options) {
  check_options(options);
  return executor(p, observed, options).run();
}

}  // namespace rcplan::redis
