#include "probe.hpp"

#include <rcplan/error.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/redis/client.hpp>

#include <thread>

namespace rcplan::local::detail {
namespace {

redis::client_options options_for(const redis::secret& password, std::chrono::milliseconds timeout) {
  redis::client_options o;
  o.password = password;
  o.connect_timeout = timeout;
  o.command_timeout = timeout;
  return o;
}

bool has_line(const std::string& text, const std::string& line) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string l = text.substr(pos, end - pos);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    if (l == line) return true;
    pos = end + 1;
  }
  return false;
}

bool is_replica(redis::node_client& c) {
  const redis::reply r = c.command({"ROLE"});
  return r.type == redis::reply::kind::array && !r.elements.empty() && r.elements.front().str == "slave";
}

}  // namespace

bool probe_ready(const address& node, const redis::secret& password, std::chrono::milliseconds timeout) {
  try {
    redis::node_client c(node, options_for(password, timeout));
    const redis::reply r = c.command({"CLUSTER", "INFO"});
    return has_line(r.str, "cluster_state:ok") || has_line(r.str, "cluster_known_nodes:1");
  } catch (const rcplan::error&) {
    return false;  // refused, loading, timed out: not ready
  }
}

void hand_over_master(const address& node, const redis::secret& password, std::chrono::seconds limit) {
  try {
    redis::node_client self(node, options_for(password, std::chrono::milliseconds(2000)));
    const cluster_view view = parse_cluster_nodes(self.command({"CLUSTER", "NODES"}).str);
    const cluster_node* me = find_node(view.nodes, view.observer);
    if (me == nullptr || !me->is_master()) return;
    const cluster_node* heir = nullptr;
    for (const cluster_node& n : view.nodes)
      if (n.master_id == me->id && !n.failed() && n.link == link_state::connected) {
        heir = &n;
        break;
      }
    if (heir == nullptr) return;
    redis::node_client replica(heir->addr, options_for(password, std::chrono::milliseconds(2000)));
    (void)replica.command({"CLUSTER", "FAILOVER"});
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (is_replica(self)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  } catch (const rcplan::error&) {
    // The pod stops whether or not the hand-over happened; the operator sees the result.
  }
}

}  // namespace rcplan::local::detail
