#include "plan_text.hpp"

#include "io.hpp"

#include <rcplan/model/topology.hpp>

#include <algorithm>
#include <cstddef>
#include <map>
#include <set>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

namespace rcplan::cli {

std::string short_name(const std::string& id) {
  const node_id n{id};
  return n.well_formed() ? short_id(n) : id;
}

namespace {

std::string name(const node_id& id) { return short_name(id.value); }

/// "slot 5460", "slots 0-99,102-1364 (1363)": the count spares the reader adding up ranges.
std::string slots_text(const slot_set& s) {
  const std::size_t n = s.count();
  if (n == 1) return "slot " + format_slots(s);
  return "slots " + format_slots(s) + " (" + std::to_string(n) + ")";
}

std::string_view wait_name(wait_condition c) {
  switch (c) {
    case wait_condition::views_agree: return "views agree";
    case wait_condition::replica_synced: return "replica synced";
    case wait_condition::node_known: return "node known";
    case wait_condition::pods_ready: return "pods ready";
    case wait_condition::node_reachable: return "node reachable";
    case wait_condition::failover_done: return "failover done";
  }
  return "unknown";
}

/// The part of a step line after the action type.
struct subject_text {
  std::string operator()(const meet& a) const {
    return name(a.node) + " at " + format_address(a.addr) + " via " + name(a.via);
  }
  std::string operator()(const add_slots& a) const { return name(a.node) + ", " + slots_text(a.slots); }
  std::string operator()(const set_config_epoch& a) const {
    return name(a.node) + ", epoch " + std::to_string(a.epoch);
  }
  std::string operator()(const replicate& a) const { return name(a.replica) + " follows " + name(a.master); }
  std::string operator()(const migrate_slots& a) const {
    return name(a.source) + " -> " + name(a.target) + ", " + slots_text(a.slots);
  }
  std::string operator()(const set_slot_stable& a) const { return name(a.node) + ", " + slots_text(a.slots); }
  std::string operator()(const set_slot_node& a) const {
    return "on " + name(a.node) + " owner " + name(a.owner) + ", " + slots_text(a.slots);
  }
  std::string operator()(const failover& a) const {
    switch (a.mode) {
      case failover_mode::default_mode: return name(a.replica);
      case failover_mode::force: return name(a.replica) + " (force)";
      case failover_mode::takeover: return name(a.replica) + " (takeover)";
    }
    return name(a.replica);
  }
  std::string operator()(const forget& a) const { return name(a.node) + " on every other node"; }
  std::string operator()(const reset& a) const {
    return name(a.node) + (a.mode == reset_mode::hard ? " (hard)" : " (soft)");
  }
  std::string operator()(const config_set& a) const {
    // a secret's value is never printed, whatever the struct holds
    return name(a.node) + ", " + a.parameter + " = " + (a.secret ? std::string(secret_placeholder) : a.value);
  }
  std::string operator()(const wait_until& a) const {
    std::string out{wait_name(a.condition)};
    if (!a.subject.empty()) out += ": " + short_name(a.subject);
    if (a.timeout_seconds != 0) out += " (at most " + std::to_string(a.timeout_seconds) + " s)";
    return out;
  }
  std::string operator()(const apply_statefulset& a) const {
    const statefulset_description& o = a.object;
    std::string out = o.name + ", shard " + std::to_string(o.shard_index) + ", " + std::to_string(o.replicas) +
                      " pods, image " + o.image;
    if (const std::string hash = template_config_hash(o); !hash.empty()) out += ", config " + hash;
    return out;
  }
  std::string operator()(const apply_service& a) const {
    const service_description& o = a.object;
    std::string out = o.name + (o.headless ? ", headless" : "");
    return o.shard_index < 0 ? out + ", all shards" : out + ", shard " + std::to_string(o.shard_index);
  }
  std::string operator()(const apply_pdb& a) const {
    const pdb_description& o = a.object;
    return o.name + ", shard " + std::to_string(o.shard_index) + ", at most " + std::to_string(o.max_unavailable) +
           " unavailable";
  }
  std::string operator()(const apply_configmap& a) const {
    const configmap_description& o = a.object;
    return o.name + ", " + std::to_string(o.data.size()) + (o.data.size() == 1 ? " key" : " keys");
  }
  std::string operator()(const scale_statefulset& a) const {
    return a.name + " to " + std::to_string(a.replicas) + " pods";
  }
  std::string operator()(const delete_pod& a) const { return a.name; }
  std::string operator()(const delete_statefulset& a) const { return a.name; }
  std::string operator()(const delete_pvc& a) const { return a.name; }
  std::string operator()(const update_status& a) const {
    const cluster_status& st = a.status;
    return st.reason.empty() ? st.status : st.status + " (" + st.reason + ")";
  }
};

std::string status_line(const plan& p) {
  std::string out = "status: " + std::string(to_string(p.status));
  const std::size_t steps = p.steps.size();
  std::set<int> numbers;  // the waves that hold steps: a plan may skip numbers
  for (const step& s : p.steps) numbers.insert(s.wave);
  const std::size_t waves = numbers.size();
  const std::string counted = std::to_string(steps) + (steps == 1 ? " step" : " steps") + " in " +
                              std::to_string(waves) + (waves == 1 ? " wave" : " waves");
  switch (p.status) {
    case plan_status::converged: return out + " (nothing to do)";
    case plan_status::actions_planned: return out + " (" + counted + ")";
    case plan_status::waiting:
      return out + (steps == 0 ? " (nothing to do until the cluster changes)" : " (" + counted + ")");
    case plan_status::blocked: return out + " (cannot proceed; the diagnostics say why)";
  }
  return out;
}

std::string_view severity_name(severity s) {
  switch (s) {
    case severity::info: return "info";
    case severity::warning: return "warning";
    case severity::error: return "error";
  }
  return "error";
}

void print_diagnostics(std::ostream& out, const plan& p) {
  if (p.diagnostics.empty()) {
    out << "\ndiagnostics: none\n";
    return;
  }
  out << "\ndiagnostics (" << p.diagnostics.size() << ")\n";
  for (const diagnostic& d : p.diagnostics) {
    std::string sev{severity_name(d.severity)};
    sev.resize(std::max<std::size_t>(sev.size(), 7), ' ');
    out << "  " << sev << "  " << d.code;
    if (!d.subject.empty()) out << " [" << short_name(d.subject) << ']';
    out << ": " << d.message << '\n';
  }
}

void print_waves(std::ostream& out, const plan& p) {
  std::size_t width = 0;
  for (const step& s : p.steps) width = std::max(width, action_type_name(s.action).size());
  // waves hold steps in plan order; a stable grouping keeps that order within each wave
  std::map<int, std::vector<const step*>> waves;
  for (const step& s : p.steps) waves[s.wave].push_back(&s);
  for (const auto& [wave, steps] : waves) {
    out << "\nwave " << wave << " (" << steps.size() << (steps.size() == 1 ? " step" : " steps")
        << (steps.size() > 1 ? ", may run concurrently)\n" : ")\n");
    for (const step* s : steps) {
      std::string type{action_type_name(s->action)};
      type.resize(width, ' ');
      out << "  " << type << "  " << std::visit(subject_text{}, s->action);
      if (!s->reason.empty()) out << ": " << s->reason;
      out << '\n';
    }
  }
}

void print_summary(std::ostream& out, const plan& p, const std::vector<cluster_node>& nodes) {
  out << "\nsummary\n"
      << "  slots moved: " << p.summary.slots_moved << " (lower bound " << p.summary.lower_bound << ")\n";
  // only balancing by keys moves slots for their keys; slot plans keep the line out
  if (p.summary.keys_moved != 0) out << "  keys moved: " << p.summary.keys_moved << '\n';
  if (p.summary.ranges_after.empty()) return;
  out << "  slot ranges per master after the plan:\n";
  std::size_t width = 0;
  for (const auto& [id, count] : p.summary.ranges_after)
    if (const cluster_node* n = find_node(nodes, id)) width = std::max(width, format_address(n->addr).size());
  for (const auto& [id, count] : p.summary.ranges_after) {
    out << "    " << name(id);
    if (width > 0) {
      const cluster_node* n = find_node(nodes, id);
      std::string addr = n != nullptr ? format_address(n->addr) : std::string{};
      addr.resize(width, ' ');
      out << "  " << addr;
    }
    out << "  " << count << '\n';
  }
}

}  // namespace

std::string describe_action(const action& a) {
  return std::string(action_type_name(a)) + "  " + std::visit(subject_text{}, a);
}

void print_plan_text(std::ostream& out, const plan& p, const std::vector<cluster_node>& nodes) {
  out << status_line(p) << '\n';
  print_diagnostics(out, p);
  if (p.steps.empty()) out << "\nno steps\n";
  else print_waves(out, p);
  print_summary(out, p, nodes);
}

bool worth_printing(const plan& p, const std::optional<plan>& last_printed) {
  if (!p.empty() || p.status == plan_status::blocked) return true;
  if (p.status != plan_status::waiting) return false;
  return !last_printed || last_printed->diagnostics != p.diagnostics;
}

}  // namespace rcplan::cli
