#pragma once

// A plain TCP connection for the replication protocol: hiredis parses every reply it reads,
// and an RDB payload is no reply, so the snapshot reads the socket itself. Every wait has a
// deadline; failures are `socket_error`s saying what the peer did, for the caller to put
// the node's name and the transfer's progress in front of.

#include <rcplan/model/node.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::backup::detail {

/// What went wrong, phrased to follow the node's name: "closed the connection".
class socket_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "host:port" for messages, IPv6 hosts in brackets.
[[nodiscard]] std::string endpoint_text(const address& node);

/// "60 s" or "1500 ms".
[[nodiscard]] std::string duration_text(std::chrono::milliseconds d);

/// One connected socket with a read buffer, so that the lines of the handshake and the bytes
/// of the payload after them come from the same stream.
class tcp_connection {
 public:
  /// Tries each address `node.host` resolves to until one accepts within `connect_timeout`
  /// (all of them together). Reads and writes later wait up to `io_timeout` for progress.
  tcp_connection(const address& node, std::chrono::milliseconds connect_timeout, std::chrono::milliseconds io_timeout);
  tcp_connection(const tcp_connection&) = delete;
  tcp_connection& operator=(const tcp_connection&) = delete;
  ~tcp_connection();

  void send_all(std::string_view data);
  /// The next line without its CR LF. Bare "\n" keepalives before it are skipped; a line
  /// longer than `max_length` is a socket_error (no Redis reply to a handshake is that long).
  [[nodiscard]] std::string read_line(std::size_t max_length);
  /// Up to `max` bytes: buffered ones first, else what one read returns. Empty when the peer
  /// closed the connection. Valid until the next call.
  [[nodiscard]] std::string_view read_some(std::size_t max);

 private:
  /// Waits for readable bytes and appends them to the buffer; false when the peer closed.
  [[nodiscard]] bool fill();

  int fd_ = -1;
  std::chrono::milliseconds io_timeout_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  ///< unread bytes are [begin_, end_)
  std::size_t end_ = 0;
};

}  // namespace rcplan::backup::detail
