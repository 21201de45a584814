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

/// Sends the commands on one connection and returns each reply's bytes as the server wrote them.
inline std::vector<std::string> raw_replies(std::uint16_t port, const std::vector<std::vector<std::string>>& commands) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  struct closer {
    int fd;
    ~closer() { ::close(fd); }
  } guard{fd};
  timeval tv{};
  tv.tv_sec = 10;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  std::string out;
  for (const auto& argv : commands) {
    out.append("*").append(std::to_string(argv.size())).append("\r\n");
    for (const auto& a : argv) out.append("$").append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
  }
  if (::send(fd, out.data(), out.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(out.size()))
    throw std::runtime_error("send failed");
  std::vector<std::string> replies;
  std::string buf;
  char tmp[65536];
  while (replies.size() < commands.size()) {
    if (const auto done = rcplan::parse_resp_prefix(buf)) {
      replies.push_back(buf.substr(0, done->second));
      buf.erase(0, done->second);
      continue;
    }
    const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
    if (n <= 0) throw std::runtime_error("connection closed or timed out");
    buf.append(tmp, static_cast<std::size_t>(n));
  }
  return replies;
}

inline std::string raw_reply(std::uint16_t port, const std::vector<std::string>& argv) {
  return raw_replies(port, {argv}).front();
}

}  // namespace rcplan_test
