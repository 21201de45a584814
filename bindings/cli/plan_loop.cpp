#include "plan_loop.hpp"

#include "cli.hpp"
#include "plan_text.hpp"

#include <rcplan/json/plan.hpp>
#include <rcplan/redis/execute.hpp>

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <thread>

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

void print_plan(const plan& p, const topology& t, const plan_loop_settings& s, int round) {
  if (s.format != output_format::text) return;
  if (round > 1) std::cout << "\nround " << round << '\n';
  print_plan_text(std::cout, p, merged_nodes(t));
  std::cout.flush();
}

}  // namespace

void run_plan_loop(const connection_options& connection, const plan_loop_settings& settings,
                   const std::function<plan(const topology&)>& make_plan) {
  const std::vector<address> seeds = parse_seeds(connection.redis);
  const redis::secret password = resolve_password(connection);
  progress_reporter progress(std::cerr, stderr_is_tty());
  nlohmann::ordered_json plans = nlohmann::ordered_json::array();
  totals sum;
  std::vector<diagnostic> stopped;
  const auto started = std::chrono::steady_clock::now();
  bool converged = false;
  plan last;
  int round = 1;
  for (; round <= settings.max_rounds; ++round) {
    topology t = observe_cluster(seeds, password, settings.keys_per_slot);
    if (!settings.keys_per_slot && settings.want_key_counts && settings.want_key_counts(t))
      t = observe_cluster(seeds, password, true);
    last = make_plan(t);
    // a round that finds nothing to do is not worth printing after a first that did work
    if (round == 1 || !last.empty()) print_plan(last, t, settings, round);
    if (round == 1 || !last.empty()) plans.push_back(last);
    if (settings.dry_run) {
      if (settings.format == output_format::json) print_json(std::cout, nlohmann::ordered_json(last));
      std::cout.flush();
      if (last.status == plan_status::blocked) throw command_exit(exit_blocked);
      return;
    }
    if (last.status == plan_status::blocked) break;
    if (last.empty()) {
      converged = last.status == plan_status::converged || last.status == plan_status::actions_planned;
      if (converged) break;
      std::this_thread::sleep_for(std::chrono::seconds(1));  // waiting, nothing to run: look again
      continue;
    }
    progress.start(last, round > 1 ? "round " + std::to_string(round) : std::string{});
    const redis::execute_result r = redis::execute(last, t, execute_options_for(connection, password, progress));
    progress.finish();
    sum.add(r);
    stopped = r.diagnostics;
    for (const diagnostic& d : r.diagnostics) progress.note("stopped early: " + d.message);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (settings.format == output_format::json) {
    nlohmann::ordered_json doc;
    doc["plans"] = plans;
    nlohmann::ordered_json& res = doc["result"];
    res["converged"] = converged;
    res["status"] = last.status;
    res["rounds"] = std::min(round, settings.max_rounds);
    res["steps_done"] = sum.steps_done;
    res["slots_moved"] = sum.slots_moved;
    res["keys_moved"] = sum.keys_moved;
    res["commands_sent"] = sum.commands_sent;
    res["seconds"] = seconds;
    res["diagnostics"] = converged ? nlohmann::ordered_json::array() : nlohmann::ordered_json(stopped);
    print_json(std::cout, doc);
  } else {
    std::cout << "\nresult: " << (converged ? "done" : "not finished") << ", " << sum.slots_moved << " slots and "
              << sum.keys_moved << " keys moved with " << sum.commands_sent << " commands in " << std::fixed
              << std::setprecision(2) << seconds << " s\n";
    if (!converged && last.status == plan_status::blocked) std::cout << "the last plan is blocked; see its diagnostics\n";
  }
  std::cout.flush();
  if (!converged) throw command_exit(exit_blocked);
}

}  // namespace rcplan::cli
