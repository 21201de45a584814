#pragma once

// Deadline-bounded waits on one socket, shared by the stream and its TLS session.

#include <rcplan/redis/stream.hpp>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>

namespace rcplan::redis::detail {

using steady = std::chrono::steady_clock;

[[nodiscard]] inline int poll_millis(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(d.count(), 0, INT_MAX));
}

[[nodiscard]] inline std::chrono::milliseconds left_until(steady::time_point deadline) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()),
                  std::chrono::milliseconds{0});
}

/// Waits until `deadline` for `events` on `fd`; false when it passed. EINTR does not shorten it.
[[nodiscard]] inline bool wait_until(int fd, short events, steady::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, poll_millis(left_until(deadline)));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) throw stream_error(std::string{"could not be polled ("} + std::strerror(errno) + ")");
  }
}

[[nodiscard]] inline bool wait_for(int fd, short events, std::chrono::milliseconds timeout) {
  return wait_until(fd, events, steady::now() + timeout);
}

}  // namespace rcplan::redis::detail
