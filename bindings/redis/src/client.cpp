#include <rcplan/redis/client.hpp>

#include "client_routing.hpp"
#include "connection.hpp"

#include <rcplan/error.hpp>

#include <utility>

namespace rcplan::redis {

struct node_client::impl {
  detail::connection conn;
};

node_client::node_client(const address& node, const client_options& options)
    : impl_(std::make_unique<impl>(impl{detail::open_connection(node.host, node.port, options)})) {}

node_client::node_client(node_client&&) noexcept = default;
node_client& node_client::operator=(node_client&&) noexcept = default;
node_client::~node_client() = default;

reply node_client::command(const command_args& argv) {
  try {
    return detail::send_raw(impl_->conn, argv);
  } catch (const detail::transport_error& e) {
    throw rcplan::error("rcplan.redis.connection", e.what());
  }
}

std::vector<reply> node_client::pipeline(const std::vector<command_args>& commands) {
  std::vector<reply> out;
  out.reserve(commands.size());
  try {
    for (const command_args& a : commands) impl_->conn.append(a);
    for (std::size_t i = 0; i < commands.size(); ++i) out.push_back(impl_->conn.read_raw());
  } catch (const detail::transport_error& e) {
    throw rcplan::error("rcplan.redis.connection", e.what());
  }
  return out;
}

const std::string& node_client::where() const noexcept { return impl_->conn.where(); }

struct cluster_client::impl : detail::cluster_router {
  using detail::cluster_router::cluster_router;
};

cluster_client::cluster_client(std::vector<address> seeds, const client_options& options)
    : impl_(std::make_unique<impl>(std::move(seeds), options)) {
  impl_->refresh();
}

cluster_client::cluster_client(cluster_client&&) noexcept = default;
cluster_client& cluster_client::operator=(cluster_client&&) noexcept = default;
cluster_client::~cluster_client() = default;

std::vector<reply> cluster_client::run(const std::vector<command_args>& commands) { return impl_->run(commands); }

reply cluster_client::call(const command_args& argv) { return impl_->run({argv}).front(); }

std::vector<std::string> cluster_client::masters() const { return impl_->masters(); }

reply cluster_client::call_node(const std::string& node, const command_args& argv) {
  return impl_->call_node(node, argv);
}

const client_counters& cluster_client::counters() const noexcept { return impl_->counters(); }

void cluster_client::refresh() { impl_->refresh(); }

}  // namespace rcplan::redis
