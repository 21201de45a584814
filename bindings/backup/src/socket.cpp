#include "socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>

namespace rcplan::backup::detail {

namespace {

using clock = std::chrono::steady_clock;

// Big enough that a fast node's stream is read in few system calls.
constexpr std::size_t buffer_size = std::size_t{256} << 10;

[[nodiscard]] int poll_millis(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(d.count(), 0, INT_MAX));
}

/// Waits up to `timeout` for `events` on `fd`; false on timeout. EINTR does not shorten the wait.
[[nodiscard]] bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  const auto deadline = clock::now() + timeout;
  for (;;) {
    pollfd p{fd, events, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    const int n = ::poll(&p, 1, poll_millis(left));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) throw socket_error(std::string{"could not be polled ("} + std::strerror(errno) + ")");
  }
}

struct addrinfo_deleter {
  void operator()(addrinfo* a) const noexcept { ::freeaddrinfo(a); }
};
using addrinfo_list = std::unique_ptr<addrinfo, addrinfo_deleter>;

[[nodiscard]] addrinfo_list resolve(const address& node) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(node.host.c_str(), std::to_string(node.port).c_str(), &hints, &found);
  if (rc != 0) throw socket_error(std::string{"cannot be resolved ("} + ::gai_strerror(rc) + ")");
  return addrinfo_list{found};
}

/// A connected non-blocking socket to `a`, or -1 with `err` set (ETIMEDOUT when the deadline passed).
[[nodiscard]] int connect_one(const addrinfo& a, clock::time_point deadline, int& err) {
  const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  if (::connect(fd, a.ai_addr, a.ai_addrlen) == 0) return fd;
  err = errno;
  if (err == EINPROGRESS) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    socklen_t len = sizeof err;
    if (!wait_for(fd, POLLOUT, std::max(left, std::chrono::milliseconds{0})))
      err = ETIMEDOUT;
    else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      err = errno;
    if (err == 0) return fd;
  }
  ::close(fd);
  return -1;
}

}  // namespace

std::string endpoint_text(const address& node) {
  const bool v6 = node.host.find(':') != std::string::npos;
  return (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
}

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

tcp_connection::tcp_connection(const address& node, std::chrono::milliseconds connect_timeout,
                               std::chrono::milliseconds io_timeout)
    : io_timeout_(io_timeout), buffer_(buffer_size) {
  const addrinfo_list candidates = resolve(node);
  const auto deadline = clock::now() + connect_timeout;
  int err = 0;
  for (const addrinfo* a = candidates.get(); a != nullptr && fd_ < 0; a = a->ai_next) {
    fd_ = connect_one(*a, deadline, err);
    if (err == ETIMEDOUT) break;
  }
  if (fd_ >= 0) return;
  if (err == ETIMEDOUT) throw socket_error("did not accept a connection within " + duration_text(connect_timeout));
  throw socket_error(std::string{"cannot be reached ("} + std::strerror(err) + ")");
}

tcp_connection::~tcp_connection() {
  if (fd_ >= 0) ::close(fd_);
}

void tcp_connection::send_all(std::string_view data) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a node that went away must be an error here, not a SIGPIPE for the process
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLOUT, io_timeout_))
        throw socket_error("took nothing sent to it for " + duration_text(io_timeout_));
    } else if (errno != EINTR) {
      throw socket_error(std::string{"broke the connection ("} + std::strerror(errno) + ")");
    }
  }
}

bool tcp_connection::fill() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (end_ == buffer_.size()) {  // make room: unread bytes move to the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer_.data() + end_, buffer_.size() - end_, 0);
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (!wait_for(fd_, POLLIN, io_timeout_)) throw socket_error("sent no byte for " + duration_text(io_timeout_));
    } else if (errno != EINTR) {
      throw socket_error(std::string{"broke the connection ("} + std::strerror(errno) + ")");
    }
  }
}

std::string tcp_connection::read_line(std::size_t max_length) {
  for (;;) {
    while (begin_ < end_ && buffer_[begin_] == '\n') ++begin_;  // keepalives
    const char* first = buffer_.data() + begin_;
    const char* last = buffer_.data() + end_;
    const char* newline = std::find(first, last, '\n');
    if (newline != last) {
      std::string line(first, newline);
      begin_ += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (end_ - begin_ > max_length) throw socket_error("sent a line longer than " + std::to_string(max_length) + " bytes");
    if (!fill()) throw socket_error("closed the connection");
  }
}

std::string_view tcp_connection::read_some(std::size_t max) {
  if (begin_ == end_ && !fill()) return {};
  const std::size_t n = std::min(max, end_ - begin_);
  const std::string_view out{buffer_.data() + begin_, n};
  begin_ += n;
  return out;
}

}  // namespace rcplan::backup::detail
