#include "topology_text.hpp"

#include "io.hpp"

#include <rcplan/json/model.hpp>

#include <algorithm>
#include <cstddef>
#include <iomanip>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::cli {

std::string_view role_name(const cluster_node& n) {
  if (n.flags.handshake) return "unknown";
  return n.is_master() ? "master" : "replica";
}

namespace {

// --- text -----------------------------------------------------------------------------

std::string join(const std::vector<std::string_view>& words, std::string_view sep) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

/// " [fail, pfail]" for nodes with problems, nothing otherwise.
std::string problem_suffix(const cluster_node& n) {
  const auto p = problems(n.flags);
  return p.empty() ? std::string{} : " [" + join(p, ", ") + "]";
}

std::string observer_line(const topology_summary& s) {
  if (s.observers.empty()) return "cluster as seen by an unknown node (no myself line)";
  std::string out = "cluster as seen by";
  for (const node_id& id : s.observers) {
    out += ' ' + id.value;
    if (const cluster_node* n = find_node(s.nodes, id)) out += " (" + format_address(n->addr) + ')';
  }
  return out;
}

/// The address, padded so that the columns after it line up.
struct address_column {
  std::size_t width = 0;
  explicit address_column(const std::vector<cluster_node>& nodes) {
    for (const cluster_node& n : nodes) width = std::max(width, format_address(n.addr).size());
  }
  [[nodiscard]] std::string operator()(const address& a) const {
    std::string text = format_address(a);
    text.resize(std::max(width, text.size()), ' ');
    return text;
  }
};

void print_masters(std::ostream& out, const topology_summary& s) {
  const address_column addr{s.nodes};
  out << "\nmasters (" << s.masters.size() << ")\n";
  for (const master_summary& m : s.masters) {
    out << "  " << m.node.id.value << "  " << addr(m.node.addr) << "  " << std::setw(5)
        << m.node.slots.count() << " slots  " << format_slots(m.node.slots) << problem_suffix(m.node) << '\n';
    for (const cluster_node& r : m.replicas)
      out << "    replica " << r.id.value << "  " << format_address(r.addr) << problem_suffix(r) << '\n';
    if (m.replicas.empty()) out << "    no replicas\n";
  }
  if (s.orphan_replicas.empty()) return;
  out << "\nreplicas of unknown masters (" << s.orphan_replicas.size() << ")\n";
  for (const cluster_node& r : s.orphan_replicas)
    out << "  " << r.id.value << "  " << format_address(r.addr) << "  follows "
        << (r.master_id ? r.master_id->value : std::string{"nobody"}) << problem_suffix(r) << '\n';
}

void print_open_slots(std::ostream& out, const topology_summary& s) {
  out << "\nopen slots (" << s.open_slots.size() << ")\n";
  if (s.open_slots.empty()) out << "  none\n";
  for (const open_slot_summary& o : s.open_slots) {
    const bool migrating = o.slot.dir == open_slot::direction::migrating;
    out << "  " << std::setw(5) << o.slot.number << (migrating ? "  migrating from " : "  importing into ")
        << o.node.value << (migrating ? " to " : " from ") << o.slot.peer.value << '\n';
  }
}

void print_problem_nodes(std::ostream& out, const topology_summary& s) {
  const address_column addr{s.nodes};
  out << "\nnodes with problems (" << s.problem_nodes.size() << ")\n";
  if (s.problem_nodes.empty()) out << "  none\n";
  for (const cluster_node& n : s.problem_nodes)
    out << "  " << n.id.value << "  " << addr(n.addr) << "  " << std::left << std::setw(7)
        << role_name(n) << std::right << "  " << join(problems(n.flags), ", ")
        << (n.link == link_state::disconnected ? ", link down" : "") << '\n';
}

void print_coverage(std::ostream& out, const coverage_summary& c) {
  out << "\ncoverage\n"
      << "  covered: " << c.covered << " of " << slot_count << " slots\n"
      << "  uncovered: " << format_slots(c.uncovered) << '\n'
      << "  claimed by more than one master: " << format_slots(c.contested) << '\n';
  for (const auto& [id, share] : c.contested_by)
    out << "    " << id.value << " claims " << format_slots(share) << '\n';
  out << "  owned by failing masters: " << format_slots(c.on_failed_masters) << '\n';
}

}  // namespace

void print_topology_text(std::ostream& out, const topology_summary& s) {
  out << observer_line(s) << '\n'
      << s.nodes.size() << " nodes: " << s.masters.size() << " masters, " << s.replica_count << " replicas";
  if (s.handshake_count > 0) out << ", " << s.handshake_count << " in handshake";
  if (!s.outsiders.empty()) out << ", " << s.outsiders.size() << " outside the cluster (reset, or not met yet)";
  out << '\n';
  print_masters(out, s);
  print_open_slots(out, s);
  print_problem_nodes(out, s);
  print_coverage(out, s.coverage);
}

namespace {

// --- JSON -----------------------------------------------------------------------------

nlohmann::ordered_json problems_json(const cluster_node& n) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (std::string_view p : problems(n.flags)) j.push_back(p);
  return j;
}

nlohmann::ordered_json master_json(const master_summary& m) {
  nlohmann::ordered_json j;
  j["id"] = m.node.id;
  j["addr"] = m.node.addr;
  j["slot_count"] = m.node.slots.count();
  j["slots"] = m.node.slots;
  j["problems"] = problems_json(m.node);
  j["replicas"] = nlohmann::ordered_json::array();
  for (const cluster_node& r : m.replicas) j["replicas"].push_back({{"id", r.id}, {"problems", problems_json(r)}});
  return j;
}

nlohmann::ordered_json coverage_json(const coverage_summary& c) {
  nlohmann::ordered_json j;
  j["covered"] = c.covered;
  j["total"] = slot_count;
  j["uncovered"] = c.uncovered;
  j["contested"] = c.contested;
  j["contested_by"] = nlohmann::ordered_json::object();
  for (const auto& [id, share] : c.contested_by) j["contested_by"][id.value] = share;
  j["on_failed_masters"] = c.on_failed_masters;
  return j;
}

}  // namespace

nlohmann::ordered_json topology_summary_json(const topology_summary& s) {
  nlohmann::ordered_json j;
  j["observers"] = s.observers;
  j["node_count"] = s.nodes.size();
  j["master_count"] = s.masters.size();
  j["replica_count"] = s.replica_count;
  j["handshake_count"] = s.handshake_count;
  j["masters"] = nlohmann::ordered_json::array();
  for (const master_summary& m : s.masters) j["masters"].push_back(master_json(m));
  j["orphan_replicas"] = nlohmann::ordered_json::array();
  for (const cluster_node& r : s.orphan_replicas) j["orphan_replicas"].push_back(r.id);
  j["outsiders"] = nlohmann::ordered_json::array();
  for (const cluster_node& r : s.outsiders) j["outsiders"].push_back(r.id);
  j["open_slots"] = nlohmann::ordered_json::array();
  for (const open_slot_summary& o : s.open_slots)
    j["open_slots"].push_back({{"slot", o.slot.number}, {"node", o.node}, {"dir", o.slot.dir}, {"peer", o.slot.peer}});
  j["problem_nodes"] = nlohmann::ordered_json::array();
  for (const cluster_node& n : s.problem_nodes)
    j["problem_nodes"].push_back(
        {{"id", n.id}, {"addr", n.addr}, {"role", role_name(n)}, {"problems", problems_json(n)}});
  j["coverage"] = coverage_json(s.coverage);
  return j;
}

}  // namespace rcplan::cli
