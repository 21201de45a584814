#pragma once

// The OpenSSL half of a stream: the handshake with the node's certificate checked, then reads
// and writes that report which way they must wait instead of blocking, so that the stream keeps
// one deadline logic for plain and TLS connections alike.

#include <rcplan/redis/stream.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

namespace rcplan::redis {

struct stream::tls_session {
  /// Shakes hands on the connected, non-blocking socket `fd` with `host` (the name connected
  /// to) before `deadline`; throws tls_error (refused, or not TLS) or stream_error (silence).
  static std::unique_ptr<tls_session> start(int fd, const std::string& host, const tls_options& options,
                                            std::chrono::steady_clock::time_point deadline);
  ~tls_session();

  /// Bytes read (> 0), 0 when the peer closed, -1 when it must wait for `wait` (POLLIN or
  /// POLLOUT) first. Throws stream_error for anything else.
  [[nodiscard]] long read(char* into, std::size_t max, short& wait);
  /// Bytes written (> 0), or -1 when it must wait for `wait` first.
  [[nodiscard]] long write(const char* from, std::size_t size, short& wait);
  /// Decrypted bytes held, readable without waiting.
  [[nodiscard]] bool pending() const;

  struct state;
  std::unique_ptr<state> s;
};

}  // namespace rcplan::redis
