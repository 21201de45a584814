#include "check_findings.hpp"

#include "io.hpp"

#include <algorithm>
#include <map>
#include <string_view>

namespace rcplan::cli {
namespace {

std::string_view kind_text(view_disagreement::kind k) {
  switch (k) {
    case view_disagreement::kind::unknown_node: return "does not know";
    case view_disagreement::kind::role: return "sees another role for";
    case view_disagreement::kind::master: return "sees another master for";
    case view_disagreement::kind::slots: return "sees other slots on";
  }
  return "disagrees about";
}

std::string node_text(const std::vector<cluster_node>& nodes, const node_id& id) {
  const cluster_node* n = find_node(nodes, id);
  return short_id(id) + (n != nullptr ? " (" + format_address(n->addr) + ")" : std::string{});
}

}  // namespace

std::vector<finding> check_topology(const topology& t) {
  std::vector<finding> out;
  const std::vector<cluster_node> nodes = merged_nodes(t);

  if (const slot_set u = uncovered_slots(nodes); !u.empty())
    out.push_back({finding_code::uncovered_slots, format_slots(u),
                   std::to_string(u.count()) + " slots are not covered by any master: " + format_slots(u)});
  if (const slot_set c = contested_slots(nodes); !c.empty())
    out.push_back({finding_code::contested_slots, format_slots(c),
                   std::to_string(c.count()) + " slots are claimed by more than one master: " + format_slots(c)});

  struct open_entry {
    slot number;
    node_id node;
    open_slot what;
  };
  std::vector<open_entry> open;
  for (const cluster_node& n : nodes)
    for (const open_slot& o : n.open_slots) open.push_back({o.number, n.id, o});
  std::sort(open.begin(), open.end(), [](const open_entry& a, const open_entry& b) {
    return a.number != b.number ? a.number < b.number : a.node < b.node;
  });
  for (const open_entry& o : open) {
    const bool migrating = o.what.dir == open_slot::direction::migrating;
    out.push_back({finding_code::open_slot, std::to_string(o.number),
                   "slot " + std::to_string(o.number) + " is open on " + node_text(nodes, o.node) + ": " +
                       (migrating ? "migrating to " : "importing from ") + node_text(nodes, o.what.peer)});
  }

  // one finding per observer: a lagging node usually disagrees about many others at once
  std::map<node_id, std::vector<view_disagreement>> by_observer;
  for (const view_disagreement& d : view_disagreements(t, nodes)) by_observer[d.observer].push_back(d);
  for (const auto& [observer, list] : by_observer) {
    std::string message = node_text(nodes, observer);
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (i == 3) {
        message += ", and " + std::to_string(list.size() - 3) + " more";
        break;
      }
      message += std::string{i == 0 ? " " : ", "} + std::string{kind_text(list[i].what)} + " " +
                 short_id(list[i].subject);
    }
    out.push_back({finding_code::views_disagree, observer.value, message});
  }

  for (const cluster_node& n : nodes)
    if (n.failed())
      out.push_back({finding_code::node_failed, n.id.value,
                     std::string{n.is_master() ? "master " : "replica "} + node_text(nodes, n.id) + " is flagged " +
                         (n.flags.fail ? "fail" : "fail?")});

  std::vector<const node_observation*> unreachable;
  for (const node_observation& o : t.observations)
    if (!o.reachable) unreachable.push_back(&o);
  std::sort(unreachable.begin(), unreachable.end(),
            [](const node_observation* a, const node_observation* b) { return a->id < b->id; });
  for (const node_observation* o : unreachable)
    out.push_back({finding_code::node_unreachable, o->id.value,
                   short_id(o->id) + " (" + format_address(o->addr) + ") cannot be reached" +
                       (o->error.empty() ? std::string{} : ": " + o->error)});
  return out;
}

}  // namespace rcplan::cli
