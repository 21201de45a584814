#include "plan_loop.hpp"

#include "cli.hpp"
#include "plan_text.hpp"
#include "stop_signal.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/loop/loop.hpp>
#include <rcplan/redis/execute.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::cli {
namespace {

struct totals {
  std::size_t steps_done = 0, slots_moved = 0, keys_moved = 0, commands_sent = 0;
  void add(const redis::execute_result& r) {
    steps_done += r.steps_done;
    slots_moved += r.slots_moved;
    keys_moved += r.keys_moved;
    commands_sent += r.commands_sent;
  }
};

void print_plan(const plan& p, const topology& t, const plan_loop_settings& s, std::size_t round) {
  if (s.format != output_format::text) return;
  if (round > 1) std::cout << "\nround " << round << '\n';
  print_plan_text(std::cout, p, merged_nodes(t));
  std::cout.flush();
}

/// A dry run: the first plan, printed, nothing executed.
void print_only(const topology& t, const plan& p, const plan_loop_settings& settings) {
  print_plan(p, t, settings, 1);
  if (settings.format == output_format::json) print_json(std::cout, nlohmann::ordered_json(p));
  std::cout.flush();
  if (p.status == plan_status::blocked) throw command_exit(exit_blocked);
}

void print_result(const loop_result& r, const totals& sum, const nlohmann::ordered_json& plans, double seconds,
                  const plan_loop_settings& settings) {
  const bool converged = r.converged();
  if (settings.format == output_format::json) {
    nlohmann::ordered_json doc;
    doc["plans"] = plans;
    nlohmann::ordered_json& res = doc["result"];
    res["converged"] = converged;
    res["status"] = r.last_plan.status;
    res["rounds"] = r.iterations;
    res["steps_done"] = sum.steps_done;
    res["slots_moved"] = sum.slots_moved;
    res["keys_moved"] = sum.keys_moved;
    res["commands_sent"] = sum.commands_sent;
    res["seconds"] = seconds;
    res["diagnostics"] = converged ? nlohmann::ordered_json::array() : nlohmann::ordered_json(r.diagnostics);
    print_json(std::cout, doc);
  } else {
    std::cout << "\nresult: " << (converged ? "done" : "not finished") << ", " << sum.slots_moved << " slots and "
              << sum.keys_moved << " keys moved with " << sum.commands_sent << " commands in " << std::fixed
              << std::setprecision(2) << seconds << " s\n";
    if (r.end == loop_end::blocked) {
      std::cout << "the last plan is blocked:\n";
      for (const diagnostic& d : r.last_plan.diagnostics)
        if (d.severity == severity::error) std::cout << "  " << d.code << " [" << d.subject << "]: " << d.message << '\n';
    }
  }
  std::cout.flush();
}

}  // namespace

void run_plan_loop(const connection_options& connection, const plan_loop_settings& settings,
                   const std::function<plan(const topology&)>& make_plan) {
  const std::vector<address> seeds = parse_seeds(connection.redis);
  const redis::secret password = resolve_password(connection);
  const redis::tls_options tls = tls_options_for(connection.tls);
  loop_callables<topology> c;
  c.observe = [&] {
    topology t = observe_cluster(seeds, password, settings.keys_per_slot, tls);
    if (!settings.keys_per_slot && settings.want_key_counts && settings.want_key_counts(t))
      t = observe_cluster(seeds, password, true, tls);
    return t;
  };
  if (settings.dry_run) {
    const topology t = c.observe();
    print_only(t, make_plan(t), settings);
    return;
  }
  progress_reporter progress(std::cerr, stderr_is_tty());
  nlohmann::ordered_json plans = nlohmann::ordered_json::array();
  totals sum;
  std::size_t round = 0;
  const topology* observed = nullptr;  // what the plan being printed was made from
  c.make_plan = [&](const topology& t) {
    observed = &t;
    return make_plan(t);
  };
  c.execute = [&](const topology& t, const plan& p, int waves) {
    progress.start(p, round > 1 ? "round " + std::to_string(round) : std::string{});
    redis::execute_options eo = execute_options_for(connection, password, progress);
    eo.max_waves = waves;
    const redis::execute_result r = redis::execute(p, t, eo);
    progress.finish();
    sum.add(r);
    for (const diagnostic& d : r.diagnostics) progress.note("stopped early: " + d.message);
    return execution{r.complete, stop_requested().load(), r.diagnostics};
  };
  loop_options o;
  o.max_iterations = static_cast<std::size_t>(std::max(settings.max_rounds, 0));
  o.backoff = o.backoff_max = std::chrono::seconds(1);
  o.first_wave_only = false;  // the runbook printed is the runbook run
  std::optional<plan> last_printed;
  o.on_plan = [&](std::size_t i, const plan& p) {
    round = i;
    if (i > 1 && !worth_printing(p, last_printed)) return;
    print_plan(p, *observed, settings, i);
    plans.push_back(p);
    last_printed = p;
  };
  const auto started = std::chrono::steady_clock::now();
  const loop_result r = run_loop(c, o);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_result(r, sum, plans, seconds, settings);
  end_if_stopped();
  if (!r.converged()) throw command_exit(exit_blocked);
}

}  // namespace rcplan::cli
