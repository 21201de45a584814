#include "directory.hpp"

#include "probe.hpp"

#include <utility>

namespace rcplan::redis::detail {

directory::directory(const topology& observed, redis::platform* platform, connect_options options)
    : platform_(platform), options_(std::move(options)) {
  // announced addresses first, then where nodes answered (which wins), then pods by name
  for (const cluster_node& n : merged_nodes(observed))
    if (!n.flags.noaddr && n.addr.port != 0) known_[n.id.value] = {n.addr.host, n.addr.port};
  for (const node_observation& o : observed.observations) {
    known_[o.id.value] = {o.addr.host, o.addr.port};
    if (o.reachable) reachable_[o.id] = {o.addr.host, o.addr.port};
  }
  for (const pod& p : observed.pods)
    if (!p.ip.empty()) known_.try_emplace(p.name, endpoint{p.ip, p.port});
}

std::optional<endpoint> directory::find(const node_id& id_or_pod) {
  const std::lock_guard lock(mutex_);
  if (const auto it = known_.find(id_or_pod.value); it != known_.end()) return it->second;
  if (platform_ == nullptr || id_or_pod.well_formed()) return std::nullopt;
  topology now;
  platform_->observe(now);  // pods created since the observation the plan was made from
  for (const pod& p : now.pods)
    if (!p.ip.empty()) known_[p.name] = {p.ip, p.port};
  if (const auto it = known_.find(id_or_pod.value); it != known_.end()) return it->second;
  return std::nullopt;
}

std::optional<endpoint> directory::relocate(const node_id& id_or_pod) {
  const auto remember = [&](const endpoint& e) {
    const std::lock_guard lock(mutex_);
    known_[id_or_pod.value] = e;
    return e;
  };
  if (platform_ != nullptr) {
    topology now;
    platform_->observe(now);
    for (const pod& p : now.pods) {
      if (p.ip.empty()) continue;
      if (!id_or_pod.well_formed()) {
        if (p.name == id_or_pod.value) return remember({p.ip, p.port});
        continue;
      }
      try {
        connection c(p.ip, p.port, options_);
        if (c.command({"CLUSTER", "MYID"}).str == id_or_pod.value) return remember({p.ip, p.port});
      } catch (const std::runtime_error&) {
        // not up (yet), or refuses us: not the one, or not findable now
      }
    }
    return std::nullopt;
  }
  if (!id_or_pod.well_formed()) return std::nullopt;
  std::map<node_id, endpoint> others;
  {
    const std::lock_guard lock(mutex_);
    others = reachable_;
  }
  for (const auto& [other, e] : others) {
    if (other == id_or_pod) continue;
    try {
      connection c(e.host, e.port, options_);
      const cluster_view v = read_view(c);
      const cluster_node* n = find_node(v.nodes, id_or_pod);
      if (n != nullptr && !n->flags.noaddr && n->addr.port != 0) return remember({n->addr.host, n->addr.port});
    } catch (const std::runtime_error&) {
    }
  }
  return std::nullopt;
}

node_id directory::real_id(const node_id& id_or_pod) {
  if (id_or_pod.well_formed()) return id_or_pod;
  {
    const std::lock_guard lock(mutex_);
    if (const auto it = ids_.find(id_or_pod.value); it != ids_.end()) return it->second;
  }
  const std::optional<endpoint> at = find(id_or_pod);
  if (!at) throw transport_error("no address known for " + id_or_pod.value);
  connection c(at->host, at->port, options_);
  const reply r = c.command({"CLUSTER", "MYID"});
  if (r.type != reply::kind::string) throw transport_error(c.where() + ": CLUSTER MYID failed: " + reply_text(r));
  node_id id{r.str};
  const std::lock_guard lock(mutex_);
  ids_[id_or_pod.value] = id;
  known_.try_emplace(id.value, *at);
  return id;
}

connection& node_pool::get(const node_id& id) {
  if (const auto it = open_.find(id); it != open_.end()) {
    if (!it->second.broken()) return it->second;
    closed_sent_ += it->second.commands_sent();
    open_.erase(it);
  }
  const std::optional<endpoint> at = dir_.find(id);
  if (!at) throw transport_error("no address known for node " + id.value);
  return open_.emplace(id, connection(at->host, at->port, dir_.options())).first->second;
}

void node_pool::drop(const node_id& id) {
  const auto it = open_.find(id);
  if (it == open_.end()) return;
  closed_sent_ += it->second.commands_sent();
  open_.erase(it);
}

std::size_t node_pool::commands_sent() const {
  std::size_t n = closed_sent_;
  for (const auto& [id, c] : open_) n += c.commands_sent();
  return n;
}

}  // namespace rcplan::redis::detail
