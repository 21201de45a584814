#include "quiet.hpp"

#include "probe.hpp"

#include <rcplan/model/slot_set.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace rcplan::redis::detail {

namespace {

constexpr std::string_view waiting_name = "rcplan-waiting";

/// The value of `key=` in one CLIENT LIST line; empty when absent.
std::string field(std::string_view line, std::string_view key) {
  for (std::size_t at = 0; at < line.size();) {
    const std::size_t end = std::min(line.find(' ', at), line.size());
    const std::string_view f = line.substr(at, end - at);
    if (f.size() > key.size() && f.substr(0, key.size()) == key && f[key.size()] == '=')
      return std::string{f.substr(key.size() + 1)};
    at = end + 1;
  }
  return {};
}

/// Lines of CLIENT LIST that belong to an executor other than `own_name`.
std::vector<std::string> executors_in(const std::string& client_list, const std::string& own_name) {
  std::vector<std::string> out;
  std::istringstream lines(client_list);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = field(line, "name");
    if (!name.starts_with(executor_name_prefix) || name == own_name) continue;
    out.push_back("addr=" + field(line, "addr") + " name=" + name);
  }
  return out;
}

std::string describe(const std::map<node_id, std::vector<std::string>>& found, directory& dir) {
  std::string text;
  for (const auto& [node, clients] : found) {
    if (!text.empty()) text += "; ";
    const auto at = dir.find(node);
    text += "node " + node.value + (at ? " (" + endpoint_text(at->host, at->port) + ")" : std::string{}) + ":";
    for (const std::string& c : clients) text += " [" + c + "]";
  }
  return text;
}

/// Slots some observed node reported MIGRATING or IMPORTING: the only ones an executor's
/// MIGRATE moves keys of without first changing a node's CLUSTER NODES line.
slot_set open_anywhere(const topology& t) {
  slot_set s;
  for (const cluster_view& v : t.views)
    for (const cluster_node& n : v.nodes)
      for (const open_slot& o : n.open_slots) s.insert(o.number);
  return s;
}

/// Whether the node's own line (slots, open slots, role, master) differs from the observed one.
bool own_line_changed(connection& c, const topology& observed, const node_id& node) {
  const auto then_view = std::find_if(observed.views.begin(), observed.views.end(),
                                      [&](const cluster_view& v) { return v.observer == node; });
  if (then_view == observed.views.end()) return false;
  const cluster_node* then = find_node(then_view->nodes, node);
  const cluster_view v = read_view(c);
  const cluster_node* now = find_node(v.nodes, node);
  if (then == nullptr || now == nullptr) return false;
  return now->slots != then->slots || now->open_slots != then->open_slots || now->role() != then->role() ||
         now->master_id != then->master_id;
}

/// Whether the node now holds keys of an open slot it was observed to hold none of: planners
/// close an empty importer with SETSLOT STABLE, which would strand keys that arrived since.
bool keys_arrived(connection& c, const topology& observed, const node_id& node, const slot_set& open) {
  const node_observation* ob = observed.observation(node);
  if (ob == nullptr || !ob->keys_per_slot) return false;
  std::vector<argv> counts;
  std::vector<slot> asked;
  open.for_each([&](slot s) {
    if (ob->keys_per_slot->count(s) != 0) return;
    counts.push_back({"CLUSTER", "COUNTKEYSINSLOT", std::to_string(s)});
    asked.push_back(s);
  });
  if (counts.empty()) return false;
  const std::vector<reply> now = c.pipeline(counts);
  return std::any_of(now.begin(), now.end(), [](const reply& r) { return r.type == reply::kind::integer && r.integer > 0; });
}

}  // namespace

std::string new_executor_name() {
  static std::atomic<unsigned> executions{0};
  return std::string{executor_name_prefix} + "-" + std::to_string(::getpid()) + "-" + std::to_string(executions++);
}

std::vector<std::string> quiet_check::others_on(const node_id& node) {
  try {
    auto it = held_.find(node);
    if (it == held_.end()) {
      const auto at = dir_.find(node);
      if (!at) return {};
      connect_options named = dir_.options();
      named.client_name = own_name_;
      it = held_.emplace(node, connection(at->host, at->port, named)).first;
    }
    const reply r = it->second.command({"CLIENT", "LIST", "TYPE", "normal"});
    if (r.type != reply::kind::string) return {};  // not allowed to look: nothing to go by
    return executors_in(r.str, own_name_);
  } catch (const std::runtime_error&) {  // transport or auth: the execution reports it if it matters
    held_.erase(node);
    return {};
  }
}

void quiet_check::step_aside() {
  own_name_ = std::string{waiting_name};  // for connections opened while waiting, too
  for (auto it = held_.begin(); it != held_.end();) {
    try {
      (void)it->second.command({"CLIENT", "SETNAME", std::string{waiting_name}});
      ++it;
    } catch (const std::runtime_error&) {
      it = held_.erase(it);
    }
  }
}

std::vector<node_id> quiet_check::changed_since(const topology& observed) {
  const slot_set open = open_anywhere(observed);
  std::vector<node_id> out;
  for (auto& [node, c] : held_) {
    try {
      if (own_line_changed(c, observed, node) || keys_arrived(c, observed, node, open)) out.push_back(node);
    } catch (const std::exception&) {  // not answering now: the execution finds out if it matters
    }
  }
  return out;
}

bool quiet_check::run(const topology& observed, std::chrono::milliseconds timeout, reporter& rep) {
  std::map<node_id, std::vector<std::string>> found;
  for (const auto& [node, at] : dir_.reachable())
    if (std::vector<std::string> others = others_on(node); !others.empty()) found.emplace(node, std::move(others));
  if (found.empty()) {
    const std::vector<node_id> changed = changed_since(observed);
    if (changed.empty()) return true;
    std::string names;
    for (const node_id& n : changed) names += (names.empty() ? "" : ", ") + n.value;
    rep.diagnose(severity::warning, "rcplan.redis.stale_plan", "cluster",
                 "nodes " + names + " changed since they were observed (slots, open slots, role, or keys of open "
                 "slots): commands of another executor finished meanwhile, or a failover happened; re-observe and "
                 "re-plan");
    return false;
  }
  step_aside();
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  auto pause = std::chrono::milliseconds(20);
  for (int polls = 0; !found.empty() && clock::now() < deadline; ++polls) {
    if (polls % 10 == 0)
      rep.note(progress_event::kind::waiting, 0, "waiting for another executor's connections to close: " + describe(found, dir_));
    std::this_thread::sleep_for(std::min(pause, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now())));
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
    for (auto it = found.begin(); it != found.end();) {
      it->second = others_on(it->first);
      it = it->second.empty() ? found.erase(it) : std::next(it);
    }
  }
  if (found.empty())
    rep.diagnose(severity::warning, "rcplan.redis.stale_plan", "cluster",
                 "commands of another executor were still running; re-observe and re-plan");
  else
    rep.diagnose(severity::error, "rcplan.redis.concurrent_executor", "cluster",
                 "another executor is still connected after " + std::to_string(timeout.count()) +
                     " ms, and two must never run at once: " + describe(found, dir_));
  return false;
}

}  // namespace rcplan::redis::detail
