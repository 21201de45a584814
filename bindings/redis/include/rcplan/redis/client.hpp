#pragma once

// A client for an application's commands: `node_client` talks to one node, `cluster_client` to
// a whole Redis Cluster (keys routed by key_slot() to the master CLUSTER SLOTS names, pipelined
// per master, MOVED and ASK followed). The demo, `rcplan keys` and the tests use it.

#include <rcplan/model/node.hpp>
#include <rcplan/redis/reply.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::redis {

using command_args = std::vector<std::string>;

struct client_options {
  /// Sent with AUTH on every connection when not empty.
  secret password;
  /// Tried when a node refuses `password`: during a password change, nodes that have not
  /// learnt the new one yet still require this one.
  secret previous_password;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds command_timeout{5000};
  /// How to reach nodes that speak TLS only; a refused certificate is `rcplan.redis.tls`.
  tls_options tls;
};

/// One blocking connection to one node. Throws rcplan::error: `rcplan.redis.connect` when the
/// node cannot be reached, `rcplan.redis.auth` when it refuses the password, and
/// `rcplan.redis.connection` when it stops answering (the client is of no use after that).
class node_client {
 public:
  explicit node_client(const address& node, const client_options& options = {});
  node_client(node_client&&) noexcept;
  node_client& operator=(node_client&&) noexcept;
  node_client(const node_client&) = delete;
  node_client& operator=(const node_client&) = delete;
  ~node_client();

  [[nodiscard]] reply command(const command_args& argv);
  /// Sends every command in one write, then reads every reply (one round trip).
  [[nodiscard]] std::vector<reply> pipeline(const std::vector<command_args>& commands);
  /// "host:port" of the node.
  [[nodiscard]] const std::string& where() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// What a cluster client saw besides replies: redirections are normal during a resharding;
/// errors (refused commands, dropped connections, wrong values) are what clients notice.
struct client_counters {
  std::size_t commands = 0;
  std::size_t moved = 0;
  std::size_t ask = 0;
  std::size_t retries = 0;  ///< TRYAGAIN, CLUSTERDOWN, LOADING, a dropped connection: retried
  std::size_t errors = 0;   ///< commands that failed for good
  /// Retries and failures by kind: the error reply's first word (TRYAGAIN, CLUSTERDOWN,
  /// LOADING, ...), `connect` (a node could not be connected to), `connection lost` (it dropped
  /// the connection mid-batch) or `gave up` (retries exhausted).
  std::map<std::string, std::size_t> by_kind;
};

/// Single-key commands against a cluster, from one thread.
class cluster_client {
 public:
  /// Learns the slot map from the first seed that answers. Throws rcplan::error:
  /// `rcplan.redis.unreachable` naming the seeds when none does, `rcplan.redis.auth` when a
  /// node refuses the password.
  cluster_client(std::vector<address> seeds, const client_options& options = {});
  cluster_client(cluster_client&&) noexcept;
  cluster_client& operator=(cluster_client&&) noexcept;
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;
  ~cluster_client();

  /// Runs `commands` (each argv's second word is its key), pipelined per master in batches,
  /// retrying redirected and transiently failed ones. Replies in the order of `commands`.
  [[nodiscard]] std::vector<reply> run(const std::vector<command_args>& commands);

  /// One command, as an ordinary client sends it: one round trip, redirections followed.
  [[nodiscard]] reply call(const command_args& argv);

  /// Every master the slot map names, as "host:port", sorted.
  [[nodiscard]] std::vector<std::string> masters() const;

  /// Sends `argv` to the node at "host:port" (no routing), e.g. DBSIZE. Throws
  /// `rcplan.redis.connection` when the node does not answer.
  [[nodiscard]] reply call_node(const std::string& node, const command_args& argv);

  [[nodiscard]] const client_counters& counters() const noexcept;

  /// Re-reads the slot map.
  void refresh();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace rcplan::redis
