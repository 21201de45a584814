#pragma once

// The visitor behind `lower()`: one overload per action, each writing the commands design §3
// prescribes. Internal: use `rcplan::lower`.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/command.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rcplan::plan_detail {

[[nodiscard]] inline const cluster_node* node_by_id(const lower_context& c, const node_id& id) {
  const auto it = std::find_if(c.nodes.begin(), c.nodes.end(), [&](const cluster_node& n) { return n.id == id; });
  return it == c.nodes.end() ? nullptr : &*it;
}

class lowerer {
 public:
  explicit lowerer(const lower_context& c) : c_(c) {}

  std::vector<lowered_command> operator()(const meet& a) {
    std::vector<std::string> argv = {"CLUSTER", "MEET", a.addr.host, std::to_string(a.addr.port)};
    if (a.addr.bus_port != 0) argv.push_back(std::to_string(a.addr.bus_port));
    return {redis_command{a.via, std::move(argv)}};
  }
  std::vector<lowered_command> operator()(const add_slots& a) {
    std::vector<std::string> argv = {"CLUSTER", "ADDSLOTSRANGE"};
    a.slots.for_each_range([&](slot_range r) {
      argv.push_back(std::to_string(r.first));
      argv.push_back(std::to_string(r.last));
    });
    if (argv.size() == 2) return {};
    return {redis_command{a.node, std::move(argv)}};
  }
  std::vector<lowered_command> operator()(const set_config_epoch& a) {
    return {redis_command{a.node, {"CLUSTER", "SET-CONFIG-EPOCH", std::to_string(a.epoch)}}};
  }
  std::vector<lowered_command> operator()(const replicate& a) {
    return {redis_command{a.replica, {"CLUSTER", "REPLICATE", a.master.value}}};
  }
  std::vector<lowered_command> operator()(const migrate_slots& a) {
    std::vector<lowered_command> out;
    a.slots.for_each([&](slot s) { migrate_one(a, s, out); });
    return out;
  }
  std::vector<lowered_command> operator()(const set_slot_stable& a) {
    std::vector<lowered_command> out;
    a.slots.for_each([&](slot s) { out.push_back(redis_command{a.node, setslot(s, "STABLE")}); });
    return out;
  }
  std::vector<lowered_command> operator()(const set_slot_node& a) {
    std::vector<lowered_command> out;
    a.slots.for_each([&](slot s) { out.push_back(redis_command{a.node, setslot(s, "NODE", a.owner.value)}); });
    return out;
  }
  std::vector<lowered_command> operator()(const failover& a) {
    std::vector<std::string> argv = {"CLUSTER", "FAILOVER"};
    if (a.mode == failover_mode::force) argv.emplace_back("FORCE");
    if (a.mode == failover_mode::takeover) argv.emplace_back("TAKEOVER");
    return {redis_command{a.replica, std::move(argv)}};
  }
  std::vector<lowered_command> operator()(const forget& a) {
    std::vector<lowered_command> out;
    for (const cluster_node& n : c_.nodes)
      if (n.id != a.node) out.push_back(redis_command{n.id, {"CLUSTER", "FORGET", a.node.value}});
    return out;
  }
  std::vector<lowered_command> operator()(const reset& a) {
    return {redis_command{a.node, {"CLUSTER", "RESET", a.mode == reset_mode::hard ? "HARD" : "SOFT"}}};
  }
  std::vector<lowered_command> operator()(const config_set& a) {
    const std::string value = a.secret ? std::string(password_placeholder) : a.value;
    return {redis_command{a.node, {"CONFIG", "SET", a.parameter, value}}};
  }
  /// Waits and Kubernetes actions are carried out by the binding, not by Redis commands.
  template <typename A>
  std::vector<lowered_command> operator()(const A&) {
    return {};
  }

 private:
  static std::vector<std::string> setslot(slot s, const char* sub, std::string arg = {}) {
    std::vector<std::string> v = {"CLUSTER", "SETSLOT", std::to_string(s), sub};
    if (!arg.empty()) v.push_back(std::move(arg));
    return v;
  }

  void migrate_one(const migrate_slots& a, slot s, std::vector<lowered_command>& out) const {
    out.push_back(redis_command{a.target, setslot(s, "IMPORTING", a.source.value)});
    out.push_back(redis_command{a.source, setslot(s, "MIGRATING", a.target.value)});
    const cluster_node* t = node_by_id(c_, a.target);
    move_keys mk{a.source, a.target, s, t ? t->addr.host : std::string{}, t ? t->addr.port : std::uint16_t{0},
                 c_.key_batch, c_.migrate_timeout_ms, c_.password};
    out.push_back(mk);
    // the target first: if the source went first and we crashed, no node would own the slot
    out.push_back(redis_command{a.target, setslot(s, "NODE", a.target.value)});
    out.push_back(redis_command{a.source, setslot(s, "NODE", a.target.value)});
    if (!c_.notify_other_masters) return;
    for (const cluster_node& n : c_.nodes)
      if (n.is_master() && n.id != a.source && n.id != a.target && !n.failed() && !n.slots.empty())
        out.push_back(redis_command{n.id, setslot(s, "NODE", a.target.value)});
  }

  const lower_context& c_;
};

}  // namespace rcplan::plan_detail
