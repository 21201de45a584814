#pragma once

// A small HTTP/1.1 server for the operator's probes and metrics: GET only, one request per
// connection, answered from a handler on the server's own thread. Enough for the kubelet's
// probes and a Prometheus scraper; not a general web server.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

namespace rcplan::controller {

struct http_response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

using http_handler = std::function<http_response(const std::string& path)>;

class http_server {
 public:
  /// Listens on `address` ("HOST:PORT", ":PORT" for every interface; port 0: any free one).
  /// Throws rcplan::error (`rcplan.controller.listen`) when it cannot.
  http_server(const std::string& address, http_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  http_handler handler_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  void serve();
  void answer(int client) const;
};

}  // namespace rcplan::controller
