#include "connection.hpp"
#include "probe.hpp"
#include "scrub.hpp"

#include <rcplan/error.hpp>
#include <rcplan/redis/observe.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::redis {

namespace {

[[nodiscard]] std::uint64_t wall_clock_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

/// Nodes probed at the same time: enough to hide round trips, few enough for small machines.
constexpr std::size_t probe_parallelism = 16;

struct target {
  std::string host;
  std::uint16_t port = 0;
  node_id expected;  ///< the id a peer announced at this address; empty for seeds
  bool seed = false;
};

std::vector<detail::node_probe> probe_all(const std::vector<target>& targets, const observe_options& o) {
  std::vector<detail::node_probe> out;
  out.reserve(targets.size());
  for (std::size_t from = 0; from < targets.size(); from += probe_parallelism) {
    const std::size_t to = std::min(targets.size(), from + probe_parallelism);
    std::vector<std::future<detail::node_probe>> running;
    for (std::size_t i = from; i < to; ++i)
      running.push_back(std::async(std::launch::async, [&o, &t = targets[i]] { return detail::probe_node(t.host, t.port, o); }));
    for (auto& f : running) out.push_back(f.get());
  }
  return out;
}

class observer {
 public:
  explicit observer(const observe_options& o) : o_(o) {}

  topology run(const std::vector<address>& seeds) {
    std::vector<target> next;
    for (const address& a : seeds) enqueue(next, a.host, a.port, node_id{}, true);
    while (!next.empty()) {
      const std::vector<target> level = std::exchange(next, {});
      const std::vector<detail::node_probe> probes = probe_all(level, o_);
      for (std::size_t i = 0; i < level.size(); ++i) take(level[i], probes[i], next);
    }
    if (!any_seed_answered_) fail_no_seed();
    return finish();
  }

 private:
  static std::string key(const std::string& host, std::uint16_t port) { return detail::endpoint_text(host, port); }

  void enqueue(std::vector<target>& next, const std::string& host, std::uint16_t port, const node_id& expected, bool seed) {
    if (host.empty() || port == 0 || !visited_.insert(key(host, port)).second) return;
    next.push_back({host, port, expected, seed});
  }

  void take(const target& t, const detail::node_probe& p, std::vector<target>& next) {
    if (!p.reachable) {
      if (t.seed) seed_failures_.push_back(p);
      if (!t.expected.empty()) unreachable_.emplace(t.expected, p);
      return;
    }
    if (t.seed) any_seed_answered_ = true;
    const node_id& id = p.view.observer;
    if (!t.expected.empty() && t.expected != id) {
      // the announced node moved away and another one answers at its old address
      detail::node_probe gone = p;
      gone.error = key(t.host, t.port) + " answers as node " + id.value + " now";
      unreachable_.emplace(t.expected, gone);
    }
    if (!seen_.insert(id).second) return;  // the same node reached through a second address
    node_observation ob;
    ob.id = id;
    ob.addr.host = t.host;
    ob.addr.port = t.port;
    if (const cluster_node* self = find_node(p.view.nodes, id)) {
      ob.addr.bus_port = self->addr.bus_port;
      ob.addr.hostname = self->addr.hostname;
    }
    ob.replication = p.replication;
    ob.keys_per_slot = p.keys_per_slot;
    ob.config = p.config;
    ob.password = p.password;
    observations_.push_back(std::move(ob));
    views_.push_back(p.view);
    if (!o_.follow_peers) return;
    for (const cluster_node& n : p.view.nodes) {
      if (n.id == id || n.flags.handshake || n.flags.noaddr) continue;
      enqueue(next, n.addr.host, n.addr.port, n.id, false);
    }
  }

  [[noreturn]] void fail_no_seed() const {
    if (seed_failures_.empty()) throw error("rcplan.redis.address", "no seed address given");
    std::string list;
    bool auth = false;
    bool tls = false;
    for (const detail::node_probe& p : seed_failures_) {
      if (!list.empty()) list += "; ";
      list += p.error;
      auth = auth || p.auth_failed;
      tls = tls || p.tls_failed;
    }
    if (tls) throw error("rcplan.redis.tls", detail::scrub("no seed could be reached over TLS: " + list, o_.password, o_.previous_password));
    if (auth) throw error("rcplan.redis.auth", detail::scrub("authentication failed: " + list, o_.password, o_.previous_password));
    throw error("rcplan.redis.unreachable", detail::scrub("no seed answered: " + list, o_.password, o_.previous_password));
  }

  /// A seed that did not answer is known to its peers by address: it is recorded unreachable
  /// under the id they give it, as a peer that did not answer is (its address was visited as a
  /// seed, so following the peers does not reach it again).
  void name_failed_seeds() {
    for (const detail::node_probe& p : seed_failures_)
      for (const cluster_view& v : views_)
        for (const cluster_node& n : v.nodes)
          if (!n.flags.handshake && n.addr.port == p.port && n.addr.host == p.host) unreachable_.emplace(n.id, p);
  }

  topology finish() {
    topology t;
    name_failed_seeds();
    for (const auto& [id, p] : unreachable_) {
      if (seen_.count(id) != 0) continue;
      node_observation ob;
      ob.id = id;
      ob.addr.host = p.host;
      ob.addr.port = p.port;
      ob.reachable = false;
      ob.error = p.error;
      observations_.push_back(std::move(ob));
    }
    std::sort(views_.begin(), views_.end(), [](const cluster_view& a, const cluster_view& b) { return a.observer < b.observer; });
    std::sort(observations_.begin(), observations_.end(),
              [](const node_observation& a, const node_observation& b) { return a.id < b.id; });
    t.views = std::move(views_);
    t.observations = std::move(observations_);
    t.observed_at_ms = wall_clock_ms();
    return t;
  }

  const observe_options& o_;
  std::set<std::string> visited_;
  std::set<node_id> seen_;
  std::map<node_id, detail::node_probe> unreachable_;
  std::vector<detail::node_probe> seed_failures_;
  bool any_seed_answered_ = false;
  std::vector<cluster_view> views_;
  std::vector<node_observation> observations_;
};

}  // namespace

topology observe(const std::vector<address>& seeds, const observe_options& options) {
  for (const address& a : seeds)
    if (a.host.empty() || a.port == 0)
      throw error("rcplan.redis.address", "seed \"" + detail::endpoint_text(a.host, a.port) + "\" has no host or port");
  check_tls_options(options.tls);
  return observer(options).run(seeds);
}

topology observe(platform& on, const observe_options& options) {
  topology t;
  const std::vector<address> seeds = on.seeds();
  try {
    if (!seeds.empty()) t = observe(seeds, options);
  } catch (const error& e) {
    if (e.id() != "rcplan.redis.unreachable") throw;
  }
  if (t.observed_at_ms == 0) t.observed_at_ms = wall_clock_ms();
  on.observe(t);
  return t;
}

}  // namespace rcplan::redis
