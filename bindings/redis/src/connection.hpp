#pragma once

// One blocking connection to one Redis node: a stream (TCP, or TLS over it) and rcplan's own
// RESP parser, the one that reads captured replies and is fuzzed. It authenticates on connect,
// sends single commands or pipelines, and turns transport failures into `transport_error` so
// callers can tell "the node did not answer" from "the node said no".

#include <rcplan/model/node.hpp>
#include <rcplan/redis/stream.hpp>
#include <rcplan/redis/reply.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rcplan::redis::detail {

using reply = redis::reply;

using argv = std::vector<std::string>;

/// The node did not answer: refused, reset, timed out, closed. The message names the node.
class transport_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The node's TLS certificate was refused, or it does not speak TLS as asked (or speaks it when
/// not asked): a configuration to fix, not a node that is down.
class tls_transport_error : public transport_error {
 public:
  using transport_error::transport_error;
};

/// The node rejected the password (or wants one and none was given).
class auth_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct connect_options {
  secret password;
  /// Tried when `password` is refused: during a password change some nodes still require the
  /// old one.
  secret previous_password;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds command_timeout{5000};
  /// Given with CLIENT SETNAME once authenticated (empty: none), so that CLIENT LIST tells an
  /// executor's connections from an observer's.
  std::string client_name;
  tls_options tls;
};

/// Names of the connections: every name an executor gives starts with `executor_name_prefix`,
/// and nothing else uses that prefix.
inline constexpr std::string_view executor_name_prefix = "rcplan-exec";
inline constexpr std::string_view observer_name = "rcplan-observe";

/// Which password the node took.
enum class auth_outcome : unsigned char {
  none,          ///< no password given, none sent
  current,       ///< the password
  previous,      ///< the previous password, after the current one was refused
  not_required,  ///< the node has no password and accepts anyone
};

/// "host:port" for messages (IPv6 hosts in brackets).
[[nodiscard]] std::string endpoint_text(const std::string& host, std::uint16_t port);

class connection {
 public:
  /// Connects and authenticates; throws transport_error or auth_error.
  connection(std::string host, std::uint16_t port, const connect_options& options);
  connection(connection&&) noexcept;
  connection& operator=(connection&&) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  /// Sends one command and waits for its reply. Throws transport_error; an error reply is a
  /// reply. A NOAUTH reply throws auth_error.
  reply command(const argv& a);
  /// Sends every command in one write, then reads every reply (one round trip).
  std::vector<reply> pipeline(const std::vector<argv>& commands);

  /// Queues a command without sending it; `flush` sends, `read` waits for one reply. Lets a
  /// caller write to several nodes before waiting on any of them.
  void append(const argv& a);
  void flush();
  reply read();
  /// The next reply as it is, an authentication error included: for clients that show the
  /// server's replies rather than act on them.
  reply read_raw();

  [[nodiscard]] const std::string& where() const noexcept { return where_; }
  [[nodiscard]] const std::string& host() const noexcept { return host_; }
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] bool broken() const noexcept { return broken_; }
  /// Commands sent on this connection so far (AUTH and CLIENT SETNAME not counted).
  [[nodiscard]] std::size_t commands_sent() const noexcept { return sent_; }
  [[nodiscard]] auth_outcome authenticated_with() const noexcept { return auth_; }

 private:
  [[noreturn]] void fail(const stream_error& e);
  void authenticate(const connect_options& options);
  /// One AUTH: true when taken (recording `taken`, or that the node wants no password), false
  /// when the password was refused; throws for anything else.
  [[nodiscard]] bool try_auth(const secret& password, auth_outcome taken);
  void set_name(const std::string& name);

  std::string host_;
  std::uint16_t port_ = 0;
  std::string where_;
  std::unique_ptr<stream> stream_;
  std::string out_;  ///< commands appended, not yet sent
  std::size_t tried_at_ = 0;  ///< buffered bytes when the last parse found the reply incomplete
  bool answered_ = false;     ///< a reply came: the node speaks RESP as this connection does
  bool client_certificate_ = false;
  bool broken_ = false;
  std::size_t sent_ = 0;
  auth_outcome auth_ = auth_outcome::none;
};

/// The reply as text for messages: status, error or string as is, integers printed.
[[nodiscard]] std::string reply_text(const reply& r);

}  // namespace rcplan::redis::detail
