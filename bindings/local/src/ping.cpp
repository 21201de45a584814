#include "ping.hpp"

#include <rcplan/error.hpp>
#include <rcplan/redis/client.hpp>

namespace rcplan::local::detail {

bool ping(std::uint16_t port, const std::string& password, std::chrono::milliseconds timeout,
          const redis::tls_options& tls) {
  redis::client_options options;
  options.tls = tls;
  options.password = redis::secret{password};
  options.connect_timeout = timeout;
  options.command_timeout = timeout;
  try {
    redis::node_client node(address{"127.0.0.1", port, static_cast<std::uint16_t>(port + 10000), ""}, options);
    const redis::reply r = node.command({"PING"});
    // A node still loading its data answers -LOADING: not ready yet.
    return r.type == redis::reply::kind::status && r.str == "PONG";
  } catch (const rcplan::error&) {
    return false;  // refused, timed out or wrong password: not ready, and the caller says which
  }
}

}  // namespace rcplan::local::detail
