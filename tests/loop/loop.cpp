// The controller loop with fake observe/plan/execute callables: when it stops, what it
// executes, how long it lets time pass, and in which order it calls what.

#include <rcplan/loop/loop.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

namespace {
using rcplan::plan;
using rcplan::plan_status;
using rcplan::step;

const rcplan::action some_action = rcplan::meet{};
const rcplan::action some_wait = rcplan::wait_until{rcplan::wait_condition::views_agree, "", 0};

plan with_status(plan_status s, std::vector<step> steps = {}) {
  plan p;
  p.status = s;
  p.steps = std::move(steps);
  return p;
}

plan actions() { return with_status(plan_status::actions_planned, {step{0, "do", some_action}}); }

/// A loop whose planner returns `script[i]` at iteration i (the last one after the end), and
/// that records every call in `calls`.
struct scripted {
  std::vector<plan> script;
  std::vector<std::string> calls;
  std::vector<std::chrono::milliseconds> delays;
  std::vector<int> waves_executed;
  std::vector<rcplan::execution> results;  ///< what execute returns, in turn (complete when run out)
  std::size_t observed = 0;

  rcplan::loop_callables<std::size_t> callables() {
    rcplan::loop_callables<std::size_t> c;
    c.observe = [this] {
      calls.emplace_back("observe");
      return observed++;
    };
    c.make_plan = [this](const std::size_t& at) {
      calls.emplace_back("plan");
      return script.at(at < script.size() ? at : script.size() - 1);
    };
    c.execute = [this](const std::size_t&, const plan&, int waves) {
      calls.emplace_back("execute");
      waves_executed.push_back(waves);
      const std::size_t i = waves_executed.size() - 1;
      return i < results.size() ? results[i] : rcplan::execution{};
    };
    c.let_time_pass = [this](std::chrono::milliseconds d) {
      calls.emplace_back("pause");
      delays.push_back(d);
    };
    return c;
  }
};

rcplan::loop_options options(std::size_t max_iterations) {
  rcplan::loop_options o;
  o.max_iterations = max_iterations;
  o.backoff = 100ms;
  o.backoff_max = 400ms;
  return o;
}

}  // namespace

TEST_CASE("loop: a converged first plan ends the loop at once, without executing or waiting") {
  scripted s{{with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(10));
  CHECK(r.converged());
  CHECK(r.end == rcplan::loop_end::converged);
  CHECK(r.iterations == 1);
  CHECK(s.calls == std::vector<std::string>{"observe", "plan"});
}

TEST_CASE("loop: actions are executed until the plan is converged") {
  scripted s{{actions(), actions(), with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(10));
  CHECK(r.converged());
  CHECK(r.iterations == 3);
  CHECK(s.calls == std::vector<std::string>{"observe", "plan", "execute", "pause", "observe", "plan", "execute",
                                            "pause", "observe", "plan"});
  CHECK(s.delays == std::vector<std::chrono::milliseconds>{0ms, 0ms});  // work done: observe again at once
}

TEST_CASE("loop: a blocked plan stops the loop without executing it") {
  scripted s{{actions(), with_status(plan_status::blocked, {step{0, "do", some_action}})}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(10));
  CHECK_FALSE(r.converged());
  CHECK(r.end == rcplan::loop_end::blocked);
  CHECK(r.iterations == 2);
  CHECK(r.last_plan.status == plan_status::blocked);
  CHECK(s.waves_executed.size() == 1);
}

TEST_CASE("loop: a waiting plan is not executed, and the wait doubles up to its ceiling") {
  scripted s{{with_status(plan_status::waiting, {step{0, "wait", some_wait}})}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(5));
  CHECK(r.end == rcplan::loop_end::iteration_limit);
  CHECK(r.iterations == 5);
  CHECK(s.waves_executed.empty());
  CHECK(s.delays == std::vector<std::chrono::milliseconds>{100ms, 200ms, 400ms, 400ms, 400ms});
}

TEST_CASE("loop: work done resets the backoff - an execution cut short backs off") {
  const plan waiting = with_status(plan_status::waiting);
  scripted s{{waiting, waiting, actions(), waiting, actions(), actions(), with_status(plan_status::converged)},
             {}, {}, {}, {}, 0};
  rcplan::execution cut;
  cut.complete = false;
  cut.diagnostics.push_back({rcplan::severity::error, "cut", "", "connection dropped"});
  s.results = {rcplan::execution{}, cut, rcplan::execution{}};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(20));
  CHECK(r.converged());
  CHECK(r.iterations == 7);
  CHECK(s.delays == std::vector<std::chrono::milliseconds>{100ms, 200ms, 0ms, 100ms, 200ms, 0ms});
  CHECK(r.diagnostics.empty());  // those of the last execution, which completed
}

TEST_CASE("loop: the result keeps the diagnostics of the last execution") {
  scripted s{{actions()}, {}, {}, {}, {}, 0};
  rcplan::execution cut;
  cut.complete = false;
  cut.diagnostics.push_back({rcplan::severity::error, "cut", "", "connection dropped"});
  s.results = {rcplan::execution{}, cut};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(2));
  CHECK(r.end == rcplan::loop_end::iteration_limit);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics.front().code == "cut");
}

TEST_CASE("loop: an execution that asks to stop ends the loop there") {
  scripted s{{actions()}, {}, {}, {}, {}, 0};
  rcplan::execution broken;
  broken.stop = true;
  s.results = {rcplan::execution{}, broken};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(10));
  CHECK(r.end == rcplan::loop_end::stopped);
  CHECK(r.iterations == 2);
  CHECK(s.calls.back() == "execute");  // no time passes after it
}

TEST_CASE("loop: max_iterations bounds the plans computed - zero computes none") {
  scripted s{{actions()}, {}, {}, {}, {}, 0};
  CHECK(rcplan::run_loop(s.callables(), options(3)).iterations == 3);
  CHECK(s.waves_executed.size() == 3);
  scripted none{{actions()}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(none.callables(), options(0));
  CHECK(r.iterations == 0);
  CHECK(r.end == rcplan::loop_end::iteration_limit);
  CHECK(none.calls.empty());
}

TEST_CASE("loop: a converged plan waits for `ready`, which sees the observation") {
  scripted s{{with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  rcplan::loop_callables<std::size_t> c = s.callables();
  std::vector<std::size_t> asked;
  c.ready = [&](const std::size_t& at) {
    asked.push_back(at);
    return at == 2;
  };
  const rcplan::loop_result r = rcplan::run_loop(c, options(10));
  CHECK(r.converged());
  CHECK(r.iterations == 3);
  CHECK(asked == std::vector<std::size_t>{0, 1, 2});
  CHECK(s.delays == std::vector<std::chrono::milliseconds>{100ms, 200ms});
}

TEST_CASE("loop: each iteration executes only the first wave and the waits right after it") {
  const plan two_waves = with_status(plan_status::actions_planned, {step{0, "a", some_action}, step{1, "b", some_action}});
  const plan then_waits = with_status(plan_status::actions_planned, {step{0, "a", some_action}, step{1, "w", some_wait},
                                                                     step{2, "w", some_wait}, step{3, "b", some_action}});
  scripted s{{two_waves, then_waits, with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  const rcplan::loop_result r = rcplan::run_loop(s.callables(), options(10));
  CHECK(r.converged());
  CHECK(s.waves_executed == std::vector<int>{1, 3});
}

TEST_CASE("loop: on_plan sees every plan before it is executed, on_result every execution after") {
  scripted s{{actions(), with_status(plan_status::waiting), with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  rcplan::loop_options o = options(10);
  o.on_plan = [&](std::size_t i, const plan& p) {
    s.calls.push_back("on_plan " + std::to_string(i) + " " + std::string(rcplan::to_string(p.status)));
  };
  o.on_result = [&](std::size_t i, const rcplan::execution& e) {
    s.calls.push_back("on_result " + std::to_string(i) + (e.complete ? " complete" : " cut"));
  };
  (void)rcplan::run_loop(s.callables(), o);
  CHECK(s.calls == std::vector<std::string>{"observe", "plan", "on_plan 1 actions_planned", "execute",
                                            "on_result 1 complete", "pause", "observe", "plan",
                                            "on_plan 2 waiting", "pause", "observe", "plan", "on_plan 3 converged"});
}

TEST_CASE("first_wave_and_its_waits: the first wave, and the waves of nothing but waits after it") {
  const rcplan::action fo = rcplan::failover{rcplan::node_id{std::string(40, 'a')}, {}};
  const rcplan::action wait = rcplan::wait_until{rcplan::wait_condition::failover_done, "x", 0};
  const rcplan::action met = rcplan::meet{};
  plan p;
  CHECK(rcplan::first_wave_and_its_waits(p) == 1);
  p.steps = {step{0, "", fo}, step{1, "", wait}};
  CHECK(rcplan::first_wave_and_its_waits(p) == 2);
  p.steps = {step{0, "", fo}, step{1, "", wait}, step{2, "", wait}, step{3, "", met}, step{4, "", wait}};
  CHECK(rcplan::first_wave_and_its_waits(p) == 3);
  p.steps = {step{0, "", fo}, step{1, "", wait}, step{1, "", met}};
  CHECK(rcplan::first_wave_and_its_waits(p) == 1);
  p.steps = {step{0, "", wait}, step{1, "", wait}, step{2, "", fo}};  // a wave of waits first
  CHECK(rcplan::first_wave_and_its_waits(p) == 2);
}

TEST_CASE("loop: unset let_time_pass sleeps the thread for the backoff") {
  scripted s{{with_status(plan_status::waiting)}, {}, {}, {}, {}, 0};
  rcplan::loop_callables<std::size_t> c = s.callables();
  c.let_time_pass = nullptr;
  rcplan::loop_options o = options(2);
  o.backoff = o.backoff_max = 30ms;
  const auto start = std::chrono::steady_clock::now();
  (void)rcplan::run_loop(c, o);
  CHECK(std::chrono::steady_clock::now() - start >= 60ms);
}

TEST_CASE("loop: first_wave_only = false executes every wave of a plan before re-planning") {
  const plan gaps = with_status(plan_status::actions_planned, {step{0, "a", some_action}, step{2, "b", some_action},
                                                               step{2, "c", some_action}, step{5, "w", some_wait}});
  scripted s{{gaps, with_status(plan_status::converged)}, {}, {}, {}, {}, 0};
  rcplan::loop_options o = options(10);
  o.first_wave_only = false;
  CHECK(rcplan::run_loop(s.callables(), o).converged());
  CHECK(s.waves_executed == std::vector<int>{3});  // waves 0, 2 and 5
}
