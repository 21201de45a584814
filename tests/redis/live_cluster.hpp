#pragma once

// A real Redis Cluster for the binding's tests: local redis-server processes (support/), an
// optional password (set with CONFIG SET once the servers run, as the fixture's readiness probe
// does not authenticate), and helpers to load keys, find their owners and check that none was
// lost.

#include <rcplan/error.hpp>
#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/parse/cluster_nodes.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>

#include "support/redis_cluster.hpp"
#include "support/redis_server.hpp"
#include "support/test_network.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rcplan_redis_test {

/// What `f` threw as rcplan::error: its message, and its id in `id`; both empty when it did
/// not throw.
inline std::string error_text(const std::function<void()>& f, std::string& id) {
  try {
    f();
  } catch (const rcplan::error& e) {
    id = e.id();
    return e.what();
  }
  id.clear();
  return {};
}

using rcplan_test::eventually;
using rcplan_test::reply;
using rcplan_test::resp_client;

inline std::string key_name(std::size_t i) { return "key:" + std::to_string(i); }
inline std::string value_of(std::size_t i) { return "value-" + std::to_string(i * 7919 % 100003) + "-" + std::to_string(i); }

class live_cluster {
 public:
  /// `masters` masters with even contiguous slot ranges (nodes 0..masters-1), `spare` masters
  /// without slots (next), then `replicas` replicas of each master in master order; every node
  /// requires `password` when it is not empty. Node `i` runs on host `i` of `net` when given
  /// (which must outlive the cluster), else on loopback. With `tls`, every node speaks TLS only,
  /// to its clients and to the other nodes.
  live_cluster(int masters, int replicas, int spare = 0, std::string password = {},
               const rcplan_test::test_network* net = nullptr, const rcplan_test::tls_server* tls = nullptr)
      : password_(std::move(password)) {
    if (tls != nullptr) tls_ = tls->client;
    const int total = masters * (1 + replicas) + spare;
    for (int i = 0; i < total; ++i) {
      rcplan_test::host_placement where;
      if (net != nullptr) where = {net->netns(i), net->address(i)};
      nodes_.push_back(std::make_unique<rcplan_test::redis_process>(true, std::vector<std::string>{}, where, tls));
    }
    if (!password_.empty())
      for (int i = 0; i < total; ++i) {
        resp_client c = nodes_[static_cast<std::size_t>(i)]->client();
        c.call({"CONFIG", "SET", "masterauth", password_});
        c.call({"CONFIG", "SET", "requirepass", password_});
      }
    for (int i = 0; i < total; ++i) ids_.push_back(client(i).call({"CLUSTER", "MYID"}));
    for (int i = 1; i < total; ++i) client(i).call({"CLUSTER", "MEET", host(0), std::to_string(port(0))});
    for (int i = 0; i < total; ++i)
      if (!eventually([&] { return known(i) == static_cast<std::size_t>(total); }))
        throw std::runtime_error("nodes did not learn each other");
    for (int m = 0; m < masters; ++m) {
      const long first = 16384L * m / masters, last = 16384L * (m + 1) / masters - 1;
      client(m).call({"CLUSTER", "ADDSLOTSRANGE", std::to_string(first), std::to_string(last)});
    }
    for (int m = 0; m < masters; ++m)
      for (int r = 0; r < replicas; ++r) {
        const int idx = masters + spare + m * replicas + r;
        if (!eventually([&] { return client(idx).command({"CLUSTER", "REPLICATE", id(m)}).type == reply::kind::status; }))
          throw std::runtime_error("a replica could not follow its master");
      }
    if (!eventually([&] { return all_ok(); }, std::chrono::seconds(30)))
      throw std::runtime_error("cluster did not reach cluster_state:ok");
  }

  [[nodiscard]] int size() const noexcept { return static_cast<int>(nodes_.size()); }
  [[nodiscard]] rcplan_test::redis_process& node(int i) { return *nodes_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] const std::string& id(int i) const { return ids_.at(static_cast<std::size_t>(i)); }
  [[nodiscard]] std::uint16_t port(int i) const { return nodes_.at(static_cast<std::size_t>(i))->port(); }
  [[nodiscard]] const std::string& host(int i) const { return nodes_.at(static_cast<std::size_t>(i))->host(); }
  [[nodiscard]] const std::string& password() const noexcept { return password_; }
  [[nodiscard]] bool running(int i) const { return nodes_.at(static_cast<std::size_t>(i))->running(); }
  /// How rcplan reaches the nodes: TLS disabled unless the cluster speaks TLS only.
  [[nodiscard]] const rcplan::redis::tls_options& tls() const noexcept { return tls_; }

  /// A client of node `i`, authenticated when the cluster has a password.
  [[nodiscard]] resp_client client(int i) const {
    resp_client c = nodes_.at(static_cast<std::size_t>(i))->client();
    if (!password_.empty()) c.call({"AUTH", password_});
    return c;
  }

  [[nodiscard]] std::vector<rcplan::address> seeds() const {
    std::vector<rcplan::address> out;
    for (int i = 0; i < size(); ++i)
      if (running(i)) out.push_back(rcplan::address{host(i), port(i), 0, {}});
    return out;
  }
  [[nodiscard]] int index_of_port(std::uint16_t p) const {
    for (int i = 0; i < size(); ++i)
      if (port(i) == p) return i;
    return -1;
  }
  [[nodiscard]] int index_of(const std::string& node) const {
    for (int i = 0; i < size(); ++i)
      if (id(i) == node) return i;
    return -1;
  }

  [[nodiscard]] std::size_t known(int i) const {
    const std::string text = client(i).call({"CLUSTER", "NODES"});
    std::size_t lines = 0;
    for (char c : text) lines += c == '\n';
    return text.find("handshake") == std::string::npos ? lines : 0;
  }
  [[nodiscard]] bool all_ok() const {
    for (int i = 0; i < size(); ++i)
      if (running(i) && client(i).call({"CLUSTER", "INFO"}).find("cluster_state:ok") == std::string::npos) return false;
    return true;
  }

  /// Owner (node index) of every slot according to the masters' own lines in live views.
  [[nodiscard]] std::array<int, rcplan::slot_count> owners() const {
    std::array<int, rcplan::slot_count> out{};
    out.fill(-1);
    for (int i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      const rcplan::cluster_view v = rcplan::parse_cluster_nodes(client(i).call({"CLUSTER", "NODES"}));
      for (const rcplan::cluster_node& n : v.nodes)
        if (n.flags.myself && n.is_master()) n.slots.for_each([&](rcplan::slot s) { out[s] = i; });
    }
    return out;
  }

  /// Writes keys [from, to) to their owners, pipelined per node.
  void load(std::size_t from, std::size_t to) {
    const auto own = owners();
    std::map<int, std::vector<std::vector<std::string>>> by_node;
    for (std::size_t i = from; i < to; ++i) {
      const std::string k = key_name(i);
      by_node[own[rcplan::key_slot(k)]].push_back({"SET", k, value_of(i)});
    }
    for (auto& [n, cmds] : by_node) {
      if (n < 0) throw std::runtime_error("a slot has no owner");
      resp_client c = client(n);
      for (std::size_t at = 0; at < cmds.size(); at += 2000) {
        const std::vector<std::vector<std::string>> part(cmds.begin() + static_cast<long>(at),
                                                          cmds.begin() + static_cast<long>(std::min(cmds.size(), at + 2000)));
        for (const reply& r : c.pipeline(part))
          if (r.is_error()) throw std::runtime_error("SET failed: " + r.str);
      }
    }
  }

  /// Keys of [from, to) that their owner does not return with the value written.
  [[nodiscard]] std::vector<std::string> missing(std::size_t from, std::size_t to) const {
    const auto own = owners();
    std::map<int, std::vector<std::size_t>> by_node;
    for (std::size_t i = from; i < to; ++i) by_node[own[rcplan::key_slot(key_name(i))]].push_back(i);
    std::vector<std::string> out;
    for (const auto& [n, keys] : by_node) {
      if (n < 0) {
        for (std::size_t i : keys) out.push_back(key_name(i) + " (slot without owner)");
        continue;
      }
      resp_client c = client(n);
      std::vector<std::vector<std::string>> cmds;
      for (std::size_t i : keys) cmds.push_back({"GET", key_name(i)});
      const std::vector<reply> got = c.pipeline(cmds);
      for (std::size_t j = 0; j < keys.size(); ++j)
        if (got[j].type != reply::kind::string || got[j].str != value_of(keys[j])) out.push_back(key_name(keys[j]));
    }
    return out;
  }

  /// DBSIZE summed over the running masters.
  [[nodiscard]] long long master_keys() const {
    long long total = 0;
    for (int i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      resp_client c = client(i);
      if (c.call({"INFO", "replication"}).find("role:master") == std::string::npos) continue;
      total += std::stoll(c.call({"DBSIZE"}));
    }
    return total;
  }

  /// Waits until every replica acknowledged everything its master wrote.
  void wait_replicated() {
    for (int i = 0; i < size(); ++i) {
      if (!running(i)) continue;
      resp_client c = client(i);
      const std::string info = c.call({"INFO", "replication"});
      const auto pos = info.find("connected_slaves:");
      if (info.find("role:master") == std::string::npos || pos == std::string::npos) continue;
      const int replicas = std::stoi(info.substr(pos + 17));
      if (replicas > 0) c.call({"WAIT", std::to_string(replicas), "10000"});
    }
  }

 private:
  std::string password_;
  rcplan::redis::tls_options tls_;
  std::vector<std::unique_ptr<rcplan_test::redis_process>> nodes_;
  std::vector<std::string> ids_;
};

/// Opens a migration of slots [0, `slots`) from `source` to `target` and moves the first
/// `per_slot` keys of each of the first `moved` slots, the way an executor cut short would
/// leave it.
inline void half_migrate(const live_cluster& c, int source, int target, int slots, int moved, int per_slot) {
  std::vector<std::vector<std::string>> importing, migrating;
  for (int s = 0; s < slots; ++s) {
    importing.push_back({"CLUSTER", "SETSLOT", std::to_string(s), "IMPORTING", c.id(source)});
    migrating.push_back({"CLUSTER", "SETSLOT", std::to_string(s), "MIGRATING", c.id(target)});
  }
  for (const auto& r : c.client(target).pipeline(importing))
    if (r.is_error()) throw std::runtime_error("SETSLOT IMPORTING: " + r.str);
  for (const auto& r : c.client(source).pipeline(migrating))
    if (r.is_error()) throw std::runtime_error("SETSLOT MIGRATING: " + r.str);
  resp_client src = c.client(source);
  for (int s = 0; s < moved; ++s) {
    const reply keys = src.command({"CLUSTER", "GETKEYSINSLOT", std::to_string(s), std::to_string(per_slot)});
    if (keys.elements.empty()) continue;
    std::vector<std::string> migrate{"MIGRATE", c.host(target), std::to_string(c.port(target)), "", "0", "5000"};
    if (!c.password().empty()) migrate.insert(migrate.end(), {"AUTH", c.password()});
    migrate.emplace_back("KEYS");
    for (const auto& k : keys.elements) migrate.push_back(k.str);
    src.call(migrate);
  }
}

/// Slots of the cluster that some live node reports MIGRATING or IMPORTING.
[[nodiscard]] inline std::size_t open_slots(const rcplan::topology& t) {
  std::size_t n = 0;
  for (const rcplan::cluster_view& v : t.views)
    for (const rcplan::cluster_node& c : v.nodes) n += c.open_slots.size();
  return n;
}

/// The whole cluster observed as the planners need it: keys per slot, with its password.
inline rcplan::topology observe_all(const live_cluster& c) {
  rcplan::redis::observe_options o;
  o.keys_per_slot = true;
  o.password = rcplan::redis::secret{c.password()};
  o.tls = c.tls();
  return rcplan::redis::observe(c.seeds(), o);
}

/// Observes, plans and executes until the plan is converged (true) or `timeout` passes (false).
/// `history` gets every plan's status and diagnostics and the executor's, for a failure message.
inline bool rebalance_until_converged(const live_cluster& c, const rcplan::rebalance_options& ro,
                                      const rcplan::redis::execute_options& eo, std::chrono::seconds timeout,
                                      std::string& history) {
  return eventually([&] {
    const rcplan::topology t = observe_all(c);
    const rcplan::plan p = rcplan::plan_rebalance(t, ro);
    history += std::string(rcplan::to_string(p.status)) + " (" + std::to_string(p.steps.size()) + " steps)\n";
    for (const auto& d : p.diagnostics) history += "  plan: " + d.code + ": " + d.message + "\n";
    if (p.status == rcplan::plan_status::converged) return true;
    if (p.status != rcplan::plan_status::actions_planned) return false;
    rcplan::redis::execute_options with_tls = eo;
    with_tls.tls = c.tls();
    const rcplan::redis::execute_result r = rcplan::redis::execute(p, t, with_tls);
    for (const auto& d : r.diagnostics) history += "  execute: " + d.code + ": " + d.message + "\n";
    return false;
  }, timeout);
}

}  // namespace rcplan_redis_test
