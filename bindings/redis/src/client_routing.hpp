#pragma once

// The machinery of cluster_client: the slot map ("host:port" per slot), one connection per
// node, and the rounds that send each command to its slot's master until it is answered,
// redirected commands sent again at once to the node named (a second redirection of the same
// command after a short pause), transient failures (TRYAGAIN, CLUSTERDOWN, a dropped
// connection) after a short pause.

#include "connection.hpp"

#include <rcplan/redis/client.hpp>

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace rcplan::redis::detail {

/// Connects; throws rcplan::error (`rcplan.redis.connect`, `rcplan.redis.auth`).
[[nodiscard]] connection open_connection(const std::string& host, std::uint16_t port, const client_options& options);

/// Sends one command and returns its reply as it is. Throws transport_error.
[[nodiscard]] redis::reply send_raw(connection& c, const command_args& words);

class cluster_router {
 public:
  cluster_router(std::vector<address> seeds, client_options options);

  void refresh();
  [[nodiscard]] std::vector<redis::reply> run(const std::vector<command_args>& commands);
  [[nodiscard]] redis::reply call_node(const std::string& node, const command_args& words);
  [[nodiscard]] std::vector<std::string> masters() const;
  [[nodiscard]] const client_counters& counters() const noexcept { return counters_; }

 private:
  /// Where a command goes next; an ASK target is sent ASKING first.
  struct target {
    std::string node;
    bool asking = false;
  };
  /// One round of run(): what is sent, where, and what must be sent again.
  struct round {
    const std::vector<command_args>& commands;
    std::vector<target>& where;
    std::vector<redis::reply>& replies;
    bool last = false;  ///< no round follows: transient errors are final
    std::vector<std::size_t> again;
    bool stale_map = false;
    bool pause = false;  ///< something failed, not only redirected: wait before the next round
  };

  connection& connect(const std::string& node);
  void drop(const std::string& node) { connections_.erase(node); }
  [[nodiscard]] bool read_slot_map(connection& c);
  [[nodiscard]] const std::string& owner_of(const command_args& words) const;
  void send_to(const std::string& node, const std::vector<std::size_t>& list, round& r);
  /// Sends `list[from, to)` on `c` pipelined; false when the connection was lost on the way.
  [[nodiscard]] bool send_batch(connection& c, const std::vector<std::size_t>& list, std::size_t from,
                                std::size_t to, round& r);
  void settle(std::size_t i, redis::reply&& reply, round& r);

  std::vector<address> seeds_;
  client_options options_;
  std::vector<std::string> owner_;  ///< "host:port" per slot; empty when uncovered
  std::map<std::string, connection> connections_;
  client_counters counters_;
};

}  // namespace rcplan::redis::detail
