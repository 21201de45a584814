#pragma once

// A small cluster-aware client for loading and reading keys (the demo, `rcplan keys`): it
// routes each key by key_slot() to the master CLUSTER SLOTS names, pipelines the commands of
// each master, and follows MOVED and ASK redirections. Not a general client: single-key
// commands only, one thread.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/redis/secret.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct redisContext;

namespace rcplan::cli {

struct client_reply {
  enum class kind : std::uint8_t { status, error, integer, string, nil, array, none } type = kind::none;
  std::string str;
  long long integer = 0;
};

/// What a client saw besides replies: redirections are normal during a resharding; errors
/// (refused commands, dropped connections, wrong values) are what clients of a cluster notice.
struct client_counters {
  std::size_t commands = 0;
  std::size_t moved = 0;
  std::size_t ask = 0;
  std::size_t retries = 0;  ///< TRYAGAIN, CLUSTERDOWN, LOADING, a dropped connection: retried
  std::size_t errors = 0;   ///< commands that failed for good
};

class cluster_client {
 public:
  /// Learns the slot map from the first seed that answers. Throws rcplan::error naming the
  /// seeds when none does.
  cluster_client(std::vector<address> seeds, redis::secret password,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~cluster_client();
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;

  /// Runs `commands` (each argv's second word is its key), pipelined per master in batches,
  /// retrying redirected and transiently failed ones. Replies in the order of `commands`.
  [[nodiscard]] std::vector<client_reply> run(const std::vector<std::vector<std::string>>& commands);

  /// One command, as an ordinary client sends it: one round trip, redirections followed.
  [[nodiscard]] client_reply call(const std::vector<std::string>& argv);

  /// Every master the slot map names, as "host:port".
  [[nodiscard]] std::vector<std::string> masters() const;

  /// Sends `argv` to the node at "host:port" (no routing), e.g. DBSIZE.
  [[nodiscard]] client_reply call_node(const std::string& node, const std::vector<std::string>& argv);

  [[nodiscard]] const client_counters& counters() const noexcept { return counters_; }

  /// Re-reads the slot map.
  void refresh();

 private:
  struct connection;
  connection& connect(const std::string& node);
  void drop(const std::string& node);

  std::vector<address> seeds_;
  redis::secret password_;
  std::chrono::milliseconds timeout_;
  std::vector<std::string> owner_;  ///< "host:port" per slot; empty when uncovered
  std::map<std::string, std::unique_ptr<connection>> connections_;
  client_counters counters_;
};

}  // namespace rcplan::cli
