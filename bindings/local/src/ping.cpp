#include "ping.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <vector>

namespace rcplan::local::detail {
namespace {

using clock = std::chrono::steady_clock;

class connection {
 public:
  connection(std::uint16_t port, clock::time_point deadline) : deadline_(deadline) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd_ < 0) return;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      ok_ = true;
      return;
    }
    if (errno != EINPROGRESS || !wait(POLLOUT)) return;
    int err = 0;
    socklen_t len = sizeof err;
    ok_ = ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection() {
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] bool ok() const noexcept { return ok_; }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        if (!wait(POLLOUT)) return false;
        continue;
      }
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  /// The next reply line without its CRLF (simple strings and errors are all we expect).
  bool read_line(std::string& line) {
    while (true) {
      const auto end = buf_.find("\r\n");
      if (end != std::string::npos) {
        line = buf_.substr(0, end);
        buf_.erase(0, end + 2);
        return true;
      }
      if (buf_.size() > 4096 || !wait(POLLIN)) return false;
      char tmp[512];
      const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }

 private:
  bool wait(short events) {
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - clock::now()).count();
      if (left <= 0) return false;
      pollfd p{fd_, events, 0};
      const int n = ::poll(&p, 1, static_cast<int>(left));
      if (n < 0 && errno == EINTR) continue;
      return n > 0 && (p.revents & (events | POLLHUP | POLLERR)) != 0;
    }
  }

  int fd_ = -1;
  bool ok_ = false;
  clock::time_point deadline_;
  std::string buf_;
};

std::string command(const std::vector<std::string_view>& argv) {
  std::string out = "*" + std::to_string(argv.size()) + "\r\n";
  for (const std::string_view a : argv) {
    out += "$" + std::to_string(a.size()) + "\r\n";
    out.append(a);
    out += "\r\n";
  }
  return out;
}

}  // namespace

bool ping(std::uint16_t port, const std::string& password, std::chrono::milliseconds timeout) {
  connection c(port, clock::now() + timeout);
  if (!c.ok()) return false;
  std::string request;
  if (!password.empty()) request += command({"AUTH", password});
  request += command({"PING"});
  if (!c.send_all(request)) return false;
  std::string line;
  if (!password.empty() && (!c.read_line(line) || line != "+OK")) return false;
  return c.read_line(line) && line == "+PONG";
}

}  // namespace rcplan::local::detail
