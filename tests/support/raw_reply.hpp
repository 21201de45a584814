#pragma once

// Test support: one command's reply exactly as the server wrote it, so parsers of raw protocol
// bytes can be fed real replies instead of re-encoded ones.

#include <rcplan/parse/resp.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcplan_test {

inline std::string raw_reply(std::uint16_t port, const std::vector<std::string>& argv) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  timeval tv{};
  tv.tv_sec = 10;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const auto& a : argv) out += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
  if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size())) {
    ::close(fd);
    throw std::runtime_error("send failed");
  }
  std::string buf;
  char tmp[65536];
  while (true) {
    if (const auto done = rcplan::parse_resp_prefix(buf)) {
      ::close(fd);
      return buf.substr(0, done->second);
    }
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) {
      ::close(fd);
      throw std::runtime_error("connection closed or timed out");
    }
    buf.append(tmp, static_cast<std::size_t>(n));
  }
}

}  // namespace rcplan_test
