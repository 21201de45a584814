// The operator's probe and metrics server, spoken to over a plain socket the way the kubelet
// and a scraper would: status line, headers and body per path, 405 for anything but GET,
// 500 when the handler throws, and a clear error when it cannot listen.

#include <rcplan/controller/http_server.hpp>
#include <rcplan/error.hpp>

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

using rcplan::controller::http_response;
using rcplan::controller::http_server;

namespace {

struct reply {
  std::string status_line;
  std::map<std::string, std::string> headers;  ///< names as sent
  std::string body;
};

/// Whether something accepts connections on host:port.
bool accepts(const char* host, std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  REQUIRE(::inet_pton(AF_INET, host, &a.sin_addr) == 1);
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

/// Sends `request` to 127.0.0.1:port and reads until the server closes the connection.
std::string round_trip(std::uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  // A server that never answers fails the test instead of hanging it.
  timeval tv{};
  tv.tv_sec = 10;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    FAIL("cannot connect to port " << port);
  }
  std::size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

reply parse(const std::string& response) {
  reply r;
  const auto head_end = response.find("\r\n\r\n");
  REQUIRE(head_end != std::string::npos);
  const std::string head = response.substr(0, head_end);
  r.body = response.substr(head_end + 4);
  auto eol = head.find("\r\n");
  r.status_line = head.substr(0, eol);
  while (eol != std::string::npos) {
    const auto start = eol + 2;
    eol = head.find("\r\n", start);
    const std::string line = head.substr(start, eol == std::string::npos ? std::string::npos : eol - start);
    const auto colon = line.find(':');
    REQUIRE(colon != std::string::npos);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    r.headers[line.substr(0, colon)] = value;
  }
  return r;
}

reply http_get(std::uint16_t port, const std::string& path) {
  return parse(round_trip(port, "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
}

http_response route(const std::string& path) {
  if (path == "/healthz") return {200, "text/plain; charset=utf-8", "ok\n"};
  if (path == "/readyz") return {503, "text/plain; charset=utf-8", "not leading\n"};
  if (path == "/metrics") return {200, "text/plain; version=0.0.4", "rcplan_leader 1\n"};
  if (path == "/empty") return {200, "text/plain; charset=utf-8", ""};
  if (path == "/boom") throw std::runtime_error("handler failed");
  return {404, "text/plain; charset=utf-8", "no such path: " + path + "\n"};
}

}  // namespace

TEST_CASE("http server: answers each path with its handler's status and body", "[controller][http]") {
  http_server server("127.0.0.1:0", route);
  REQUIRE(server.port() != 0);

  const reply ok = http_get(server.port(), "/healthz");
  CHECK(ok.status_line == "HTTP/1.1 200 OK");
  CHECK(ok.headers.at("Content-Length") == "3");
  CHECK(ok.headers.at("Content-Type") == "text/plain; charset=utf-8");
  CHECK(ok.headers.at("Connection") == "close");
  CHECK(ok.body == "ok\n");

  const reply unready = http_get(server.port(), "/readyz");
  CHECK(unready.status_line == "HTTP/1.1 503 Service Unavailable");
  CHECK(unready.headers.at("Content-Length") == std::to_string(unready.body.size()));
  CHECK(unready.body == "not leading\n");

  const reply metrics = http_get(server.port(), "/metrics");
  CHECK(metrics.status_line == "HTTP/1.1 200 OK");
  CHECK(metrics.headers.at("Content-Type") == "text/plain; version=0.0.4");
  CHECK(metrics.body == "rcplan_leader 1\n");

  const reply missing = http_get(server.port(), "/nowhere");
  CHECK(missing.status_line == "HTTP/1.1 404 Not Found");
  CHECK(missing.body == "no such path: /nowhere\n");
  CHECK(missing.headers.at("Content-Length") == std::to_string(missing.body.size()));

  const reply empty = http_get(server.port(), "/empty");
  CHECK(empty.status_line == "HTTP/1.1 200 OK");
  CHECK(empty.headers.at("Content-Length") == "0");
  CHECK(empty.body.empty());
}

TEST_CASE("http server: the handler sees the path without the query", "[controller][http]") {
  std::string seen;
  http_server server("127.0.0.1:0", [&seen](const std::string& path) {
    seen = path;
    return http_response{200, "text/plain; charset=utf-8", "ok\n"};
  });
  const reply r = http_get(server.port(), "/metrics?name=rcplan_leader");
  CHECK(r.status_line == "HTTP/1.1 200 OK");
  // The server answers on its own thread, but only after the handler returned, and the reply
  // has been read in full by now.
  CHECK(seen == "/metrics");
}

TEST_CASE("http server: a request that is not GET gets 405", "[controller][http]") {
  std::atomic<int> calls{0};
  http_server server("127.0.0.1:0", [&calls](const std::string& path) {
    ++calls;
    return route(path);
  });
  // No request body: the server does not read one, and unread data would reset the connection.
  const reply r =
      parse(round_trip(server.port(), "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"));
  CHECK(r.status_line.rfind("HTTP/1.1 405 ", 0) == 0);
  CHECK(r.headers.at("Content-Length") == std::to_string(r.body.size()));
  CHECK(calls == 0);

  // The server keeps serving after refusing one.
  CHECK(http_get(server.port(), "/healthz").status_line == "HTTP/1.1 200 OK");
  CHECK(calls == 1);
}

TEST_CASE("http server: a HEAD request gets the headers only", "[controller][http]") {
  http_server server("127.0.0.1:0", route);
  const reply r = parse(round_trip(server.port(), "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK(r.status_line == "HTTP/1.1 200 OK");
  CHECK(r.headers.at("Content-Length") == "3");
  CHECK(r.body.empty());
}

TEST_CASE("http server: a handler that throws gets 500", "[controller][http]") {
  http_server server("127.0.0.1:0", route);
  const reply r = http_get(server.port(), "/boom");
  CHECK(r.status_line.rfind("HTTP/1.1 500 ", 0) == 0);
  CHECK(r.headers.at("Content-Length") == std::to_string(r.body.size()));
  CHECK(r.body.find("handler failed") != std::string::npos);

  // One failing request does not take the server down.
  CHECK(http_get(server.port(), "/healthz").body == "ok\n");
}

TEST_CASE("http server: an address it cannot listen on throws rcplan.controller.listen", "[controller][http]") {
  const auto id_of = [](const std::string& address) -> std::string {
    try {
      const http_server s(address, route);
    } catch (const rcplan::error& e) {
      return e.id();
    }
    return "(no error)";
  };
  CHECK(id_of("nonsense:99999") == "rcplan.controller.listen");
  CHECK(id_of("nonsense:8080") == "rcplan.controller.listen");
  CHECK(id_of("127.0.0.1:") == "rcplan.controller.listen");
  CHECK(id_of("127.0.0.1:-1") == "rcplan.controller.listen");
  // Out of range, not wrapped around to some other port.
  CHECK(id_of("127.0.0.1:65536") == "rcplan.controller.listen");
  CHECK(id_of("127.0.0.1:99999") == "rcplan.controller.listen");
  CHECK(id_of("") == "rcplan.controller.listen");

  // A port some other socket already listens on.
  http_server first("127.0.0.1:0", route);
  CHECK(id_of("127.0.0.1:" + std::to_string(first.port())) == "rcplan.controller.listen");
}

// Linux answers for all of 127.0.0.0/8, so 127.0.0.2 tells "this host" from "every interface"
// without needing a second network interface.
TEST_CASE("http server: it listens on the host it is given, every interface without one", "[controller][http]") {
  SECTION(":PORT") {
    http_server server(":0", route);
    REQUIRE(server.port() != 0);
    CHECK(http_get(server.port(), "/healthz").body == "ok\n");
    CHECK(accepts("127.0.0.2", server.port()));
  }
  SECTION("HOST:PORT") {
    http_server server("127.0.0.1:0", route);
    CHECK(accepts("127.0.0.1", server.port()));
    CHECK_FALSE(accepts("127.0.0.2", server.port()));
  }
}
