// The C ABI (rcplan/c.h) over the header-only planners and the JSON layer. Every entry point
// runs its body inside guarded(): whatever it throws becomes an error document and a status,
// so no exception crosses into C.

#include <rcplan/c.h>

#include <rcplan/error.hpp>
#include <rcplan/json/command.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/options.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/repair.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/planner/objects.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/repair.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/sim/world.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/testing/run_plan.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#ifndef RCPLAN_VERSION_STRING
#error "RCPLAN_VERSION_STRING must be defined by the build"
#endif

namespace {

using nlohmann::json;
using ordered = nlohmann::ordered_json;

/// A copy the caller frees with rcplan_free() (malloc: C's allocator, whatever the caller's
/// C++ runtime is).
char* owned(const std::string& text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) throw std::bad_alloc();
  std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

/// Text of a document; bytes of the input that are not UTF-8 (echoed in a message, or in a
/// node's address) become U+FFFD rather than making the dump fail.
template <typename J>
std::string dump(const J& j) {
  return j.dump(-1, ' ', false, J::error_handler_t::replace);
}

std::string error_document(const std::string& id, const std::string& message, const std::string* path) {
  json e = {{"id", id}, {"message", message}};
  if (path != nullptr) e["path"] = *path;
  return dump(json{{"error", e}});
}

/// The input's JSON document; null is an argument error, not input.
json parse(const char* text, const char* what) {
  if (text == nullptr) throw std::invalid_argument(std::string(what) + " is null");
  return json::parse(text);
}

template <typename T>
T read(const char* text, const char* what) {
  return parse(text, what).get<T>();
}

template <typename T>
std::string write(const T& x) {
  ordered j;
  to_json(j, x);
  return dump(j);
}

/// Runs `body` (which returns the result's text) and hands the result or the error to `out`.
template <typename F>
rcplan_status guarded(char** out, F&& body) noexcept {
  if (out == nullptr) return RCPLAN_INVALID_ARGUMENT;
  *out = nullptr;
  rcplan_status status = RCPLAN_OK;
  std::string text;
  try {
    try {
      text = body();
    } catch (const rcplan::json_error& e) {
      status = RCPLAN_INVALID_INPUT;
      text = error_document(e.id(), e.what(), &e.path());
    } catch (const rcplan::error& e) {
      status = RCPLAN_INVALID_INPUT;
      text = error_document(e.id(), e.what(), nullptr);
    } catch (const json::exception& e) {
      // malformed JSON, or a document of the wrong shape for nlohmann itself
      status = RCPLAN_INVALID_INPUT;
      text = error_document("rcplan.json", "[rcplan.json] " + rcplan::printable(e.what()), nullptr);
    } catch (const std::invalid_argument& e) {
      status = RCPLAN_INVALID_ARGUMENT;
      text = error_document("rcplan.c.argument", e.what(), nullptr);
    } catch (const std::exception& e) {
      status = RCPLAN_INTERNAL;
      text = error_document("rcplan.c.internal", e.what(), nullptr);
    }
    *out = owned(text);
    return status;
  } catch (...) {
    // not even the error could be written (out of memory): the status alone says so
    *out = nullptr;
    return RCPLAN_INTERNAL;
  }
}

/// The simulator's options from JSON ({"seed", "node_timeout_ms", "tick_ms"}; others are
/// refused, naming the field).
rcplan::sim::world_options world_options_of(const char* text) {
  rcplan::sim::world_options o;
  if (text == nullptr) return o;
  const json j = json::parse(text);
  if (!j.is_object()) throw rcplan::json_error("", "expected an object of simulator options");
  for (const auto& [key, v] : j.items()) {
    if (!v.is_number_unsigned()) throw rcplan::json_error(key, "expected a non-negative integer");
    const auto n = v.get<std::uint64_t>();
    if (key == "seed") o.seed = n;
    else if (key == "node_timeout_ms") o.node_timeout_ms = n;
    else if (key == "tick_ms" && n > 0) o.tick_ms = n;
    else throw rcplan::json_error(key, key == "tick_ms" ? "must be positive" : "unknown option");
  }
  return o;
}

/// lower()'s options from JSON ({"key_batch", "migrate_timeout_ms", "password",
/// "notify_other_masters"}; others are refused, naming the field).
rcplan::lower_context lower_context_of(const char* text) {
  rcplan::lower_context c;
  if (text == nullptr) return c;
  const json j = json::parse(text);
  if (!j.is_object()) throw rcplan::json_error("", "expected an object of lowering options");
  for (const auto& [key, v] : j.items()) {
    if (key == "password" || key == "notify_other_masters") {
      if (!v.is_boolean()) throw rcplan::json_error(key, "expected true or false");
      (key == "password" ? c.password : c.notify_other_masters) = v.get<bool>();
    } else if (key == "key_batch" || key == "migrate_timeout_ms") {
      if (!v.is_number_unsigned() || v.get<std::uint64_t>() == 0 || v.get<std::uint64_t>() > 1'000'000'000)
        throw rcplan::json_error(key, "expected a positive integer");
      if (key == "key_batch") c.key_batch = v.get<std::size_t>();
      else c.migrate_timeout_ms = v.get<std::uint32_t>();
    } else {
      throw rcplan::json_error(key, "unknown option");
    }
  }
  return c;
}

}  // namespace

struct rcplan_sim {
  rcplan::sim::world world;
};

extern "C" {

int rcplan_abi_version(void) { return RCPLAN_ABI_VERSION; }

const char* rcplan_version(void) { return RCPLAN_VERSION_STRING; }

void rcplan_free(char* s) { std::free(s); }

rcplan_status rcplan_parse_cluster_nodes(const char* text, char** out) {
  return guarded(out, [&] {
    if (text == nullptr) throw std::invalid_argument("text is null");
    return write(rcplan::parse_cluster_nodes(text));
  });
}

rcplan_status rcplan_validate_spec(const char* resource_json, char** out) {
  return guarded(out, [&] {
    rcplan::cluster_resource r = rcplan::load_cluster_resource(parse(resource_json, "resource_json"));
    rcplan::apply_defaults(r);
    ordered list = ordered::array();
    for (const rcplan::diagnostic& d : rcplan::validate(r.spec)) {
      ordered x;
      to_json(x, d);
      list.push_back(std::move(x));
    }
    return dump(list);
  });
}

rcplan_status rcplan_desired_objects(const char* resource_json, char** out) {
  return guarded(out, [&] {
    return write(rcplan::desired_objects(rcplan::load_cluster_resource(parse(resource_json, "resource_json"))));
  });
}

rcplan_status rcplan_reconcile(const char* topology_json, const char* resource_json, const char* options_json,
                               char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    const auto r = rcplan::load_cluster_resource(parse(resource_json, "resource_json"));
    const auto o = options_json == nullptr ? rcplan::reconcile_options{}
                                           : read<rcplan::reconcile_options>(options_json, "options_json");
    return write(rcplan::reconcile(t, r, o));
  });
}

rcplan_status rcplan_plan_rebalance(const char* topology_json, const char* options_json, char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    const auto o = options_json == nullptr ? rcplan::rebalance_options{}
                                           : read<rcplan::rebalance_options>(options_json, "options_json");
    return write(rcplan::plan_rebalance(t, o));
  });
}

rcplan_status rcplan_compute_status(const char* topology_json, const char* resource_json, const char* plan_json,
                                    char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    const auto r = rcplan::load_cluster_resource(parse(resource_json, "resource_json"));
    const auto p = read<rcplan::plan>(plan_json, "plan_json");
    return write(rcplan::compute_status(t, r, p));
  });
}

rcplan_status rcplan_plan_repair(const char* topology_json, char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    return write(rcplan::plan_repair(t, rcplan::merged_nodes(t)));
  });
}

rcplan_status rcplan_lower(const char* topology_json, const char* plan_json, const char* options_json, char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    const auto p = read<rcplan::plan>(plan_json, "plan_json");
    rcplan::lower_context c = lower_context_of(options_json);
    c.nodes = rcplan::merged_nodes(t);
    ordered steps = ordered::array();
    for (const rcplan::step& s : p.steps) {
      ordered commands = ordered::array();
      for (const rcplan::lowered_command& cmd : rcplan::lower(s.action, c)) {
        ordered x;
        to_json(x, cmd);
        commands.push_back(std::move(x));
      }
      steps.push_back({{"wave", s.wave}, {"reason", s.reason}, {"commands", std::move(commands)}});
    }
    return dump(steps);
  });
}

rcplan_status rcplan_check_plan(const char* topology_json, const char* plan_json, char** out) {
  return guarded(out, [&] {
    const auto t = read<rcplan::topology>(topology_json, "topology_json");
    const auto p = read<rcplan::plan>(plan_json, "plan_json");
    const std::optional<std::string> problem = rcplan::testing::check_plan_safe(t, p);
    ordered r = {{"safe", !problem}};
    if (problem) r["problem"] = *problem;
    return dump(r);
  });
}

rcplan_status rcplan_sim_new(const char* options_json, rcplan_sim** sim, char** out) {
  return guarded(out, [&] {
    if (sim == nullptr) throw std::invalid_argument("sim is null");
    *sim = nullptr;
    *sim = new rcplan_sim{rcplan::sim::world(world_options_of(options_json))};
    return std::string("{}");
  });
}

rcplan_status rcplan_sim_apply(rcplan_sim* sim, const char* plan_json, char** out) {
  return guarded(out, [&] {
    if (sim == nullptr) throw std::invalid_argument("sim is null");
    rcplan::plan p = read<rcplan::plan>(plan_json, "plan_json");
    std::stable_sort(p.steps.begin(), p.steps.end(),
                     [](const rcplan::step& a, const rcplan::step& b) { return a.wave < b.wave; });
    ordered r = {{"steps_applied", 0}, {"complete", true}, {"violation", nullptr}};
    std::size_t applied = 0;
    for (const rcplan::step& s : p.steps) {
      if (const auto* wait = std::get_if<rcplan::wait_until>(&s.action)) {
        if (!sim->world.holds(*wait)) {
          r["complete"] = false;
          break;
        }
      } else if (const auto v = sim->world.apply(s.action, p.diagnostics)) {
        r["complete"] = false;
        r["violation"] = {{"invariant", v->invariant}, {"detail", v->detail}};
        break;
      }
      ++applied;
    }
    r["steps_applied"] = applied;
    r["keys"] = sim->world.cluster().total_keys();
    return dump(r);
  });
}

rcplan_status rcplan_sim_tick(rcplan_sim* sim, int ticks, char** out) {
  return guarded(out, [&] {
    if (sim == nullptr) throw std::invalid_argument("sim is null");
    if (ticks < 0) throw std::invalid_argument("ticks is negative");
    for (int i = 0; i < ticks; ++i) sim->world.tick();
    return dump(ordered{{"now_ms", sim->world.now_ms()}});
  });
}

rcplan_status rcplan_sim_topology(const rcplan_sim* sim, char** out) {
  return guarded(out, [&] {
    if (sim == nullptr) throw std::invalid_argument("sim is null");
    return write(sim->world.to_topology());
  });
}

void rcplan_sim_free(rcplan_sim* sim) { delete sim; }

}  // extern "C"
