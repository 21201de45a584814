#pragma once

// One byte stream to a node, plain TCP or TLS over it: the one transport of the bindings. The
// Redis connection reads replies from it with rcplan's RESP parser; a snapshot reads an RDB
// payload, which is no reply, straight from it. Every wait has a deadline; failures are
// `stream_error`s phrased to follow the node's name ("closed the connection"), so callers can
// put the node and what they were doing in front. Public for rcplan's other bindings (the
// backup's snapshots); an application talks to nodes through client.hpp.

#include <rcplan/model/node.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::redis {

/// What went wrong, phrased to follow the node's name: "closed the connection".
class stream_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The TLS handshake failed or the node's certificate was refused: not a node that is down, and
/// retrying will not help.
class tls_error : public stream_error {
 public:
  using stream_error::stream_error;
};

/// "60 s" or "1500 ms".
[[nodiscard]] std::string duration_text(std::chrono::milliseconds d);

class stream {
 public:
  /// Tries each address `node.host` resolves to until one accepts within `connect_timeout` (all
  /// of them together, the TLS handshake included). Reads and writes later wait up to
  /// `io_timeout` for progress. With `tls.enabled`, the handshake checks the node's
  /// certificate as `tls` says; a refusal is a tls_error naming why.
  stream(const address& node, std::chrono::milliseconds connect_timeout, std::chrono::milliseconds io_timeout,
         const tls_options& tls = {});
  stream(const stream&) = delete;
  stream& operator=(const stream&) = delete;
  ~stream();

  void send_all(std::string_view data);
  /// The unread bytes, valid until the next call that reads or consumes.
  [[nodiscard]] std::string_view buffered() const noexcept { return {buffer_.data() + begin_, end_ - begin_}; }
  void consume(std::size_t n) noexcept { begin_ += n; }
  /// Waits for more bytes and appends them to the buffered ones (which grow as needed); false
  /// when the peer closed the connection.
  [[nodiscard]] bool fill();
  /// Bytes can be read at once without waiting (received, or decrypted and held by TLS).
  [[nodiscard]] bool readable_now() const;
  /// The next line without its CR LF. Bare "\n" keepalives before it are skipped; a line
  /// longer than `max_length` is a stream_error (no Redis reply to a handshake is that long).
  [[nodiscard]] std::string read_line(std::size_t max_length);
  /// Up to `max` bytes: buffered ones first, else what one read returns. Empty when the peer
  /// closed the connection. Valid until the next call.
  [[nodiscard]] std::string_view read_some(std::size_t max);

  [[nodiscard]] bool tls() const noexcept { return tls_ != nullptr; }

  struct tls_session;

 private:
  void make_room();

  int fd_ = -1;
  std::chrono::milliseconds io_timeout_;
  std::unique_ptr<tls_session> tls_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  ///< unread bytes are [begin_, end_)
  std::size_t end_ = 0;
};

}  // namespace rcplan::redis
