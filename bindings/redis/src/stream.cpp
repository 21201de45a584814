#include <rcplan/redis/stream.hpp>

#include "poll.hpp"
#include "tls_session.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

namespace rcplan::redis {

using detail::steady;
using detail::wait_for;
using detail::wait_until;

namespace {

// Big enough that a fast node's stream is read in few system calls.
constexpr std::size_t initial_buffer = std::size_t{256} << 10;

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
  if (rc != 0) throw stream_error(std::string{"cannot be resolved ("} + ::gai_strerror(rc) + ")");
  return addrinfo_list{found};
}

/// A connected non-blocking socket to `a`, or -1 with `err` set (ETIMEDOUT when the deadline passed).
[[nodiscard]] int connect_one(const addrinfo& a, steady::time_point deadline, int& err) {
  const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a.ai_protocol);
  if (fd < 0) {
    err = errno;
    return -1;
  }
  if (::connect(fd, a.ai_addr, a.ai_addrlen) == 0) return fd;
  err = errno;
  if (err == EINPROGRESS) {
    socklen_t len = sizeof err;
    if (!wait_until(fd, POLLOUT, deadline))
      err = ETIMEDOUT;
    else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
      err = errno;
    if (err == 0) return fd;
  }
  ::close(fd);
  return -1;
}

[[nodiscard]] int connect_any(const address& node, std::chrono::milliseconds timeout, steady::time_point deadline) {
  const addrinfo_list candidates = resolve(node);
  int err = 0;
  for (const addrinfo* a = candidates.get(); a != nullptr; a = a->ai_next) {
    const int fd = connect_one(*a, deadline, err);
    if (fd >= 0) {
      // commands are small and answered one round trip at a time: never hold one back
      const int on = 1;
      (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
      return fd;
    }
    if (err == ETIMEDOUT) break;
  }
  if (err == ETIMEDOUT) throw stream_error("did not accept a connection within " + duration_text(timeout));
  throw stream_error(std::string{"cannot be reached ("} + std::strerror(err) + ")");
}

}  // namespace

std::string duration_text(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

stream::stream(const address& node, std::chrono::milliseconds connect_timeout, std::chrono::milliseconds io_timeout,
               const tls_options& tls)
    : io_timeout_(io_timeout), buffer_(initial_buffer) {
  const auto deadline = steady::now() + connect_timeout;
  fd_ = connect_any(node, connect_timeout, deadline);
  if (!tls.enabled) return;
  try {
    tls_ = tls_session::start(fd_, node.host, tls, deadline);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

stream::~stream() {
  tls_.reset();  // its close notice goes out before the socket closes
  if (fd_ >= 0) ::close(fd_);
}

void stream::send_all(std::string_view data) {
  while (!data.empty()) {
    short wait = POLLOUT;
    long n = 0;
    if (tls_) {
      n = tls_->write(data.data(), data.size(), wait);
    } else {
      // MSG_NOSIGNAL: a node that went away must be an error here, not a SIGPIPE for the process
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        if (errno == EINTR) continue;
        throw stream_error(std::string{"broke the connection ("} + std::strerror(errno) + ")");
      }
    }
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
    } else if (!wait_for(fd_, wait, io_timeout_)) {
      throw stream_error("took nothing sent to it for " + duration_text(io_timeout_));
    }
  }
}

void stream::make_room() {
  if (begin_ == end_) begin_ = end_ = 0;
  if (end_ < buffer_.size()) return;
  if (begin_ > 0) {  // unread bytes move to the front
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  } else {  // one reply larger than the buffer
    buffer_.resize(buffer_.size() * 2);
  }
}

bool stream::fill() {
  make_room();
  for (;;) {
    short wait = POLLIN;
    long n = 0;
    char* into = buffer_.data() + end_;
    const std::size_t room = buffer_.size() - end_;
    if (tls_) {
      n = tls_->read(into, room, wait);
    } else {
      n = ::recv(fd_, into, room, 0);
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        if (errno == EINTR) continue;
        throw stream_error(std::string{"broke the connection ("} + std::strerror(errno) + ")");
      }
    }
    if (n > 0) {
      end_ += static_cast<std::size_t>(n);
      return true;
    }
    if (n == 0) return false;
    if (!wait_for(fd_, wait, io_timeout_)) throw stream_error("sent no byte for " + duration_text(io_timeout_));
  }
}

bool stream::readable_now() const {
  if (tls_ && tls_->pending()) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

std::string stream::read_line(std::size_t max_length) {
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
    if (end_ - begin_ > max_length) throw stream_error("sent a line longer than " + std::to_string(max_length) + " bytes");
    if (!fill()) throw stream_error("closed the connection");
  }
}

std::string_view stream::read_some(std::size_t max) {
  if (begin_ == end_ && !fill()) return {};
  const std::size_t n = std::min(max, end_ - begin_);
  const std::string_view out{buffer_.data() + begin_, n};
  begin_ += n;
  return out;
}

}  // namespace rcplan::redis
