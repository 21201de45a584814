#include "tls_session.hpp"

#include "poll.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <string>

namespace rcplan::redis {

using detail::wait_until;

namespace {

/// The last OpenSSL error's reason ("wrong version number"), or `fallback`.
std::string openssl_reason(const char* fallback) {
  const unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return fallback;
  const char* reason = ERR_reason_error_string(e);
  return reason != nullptr ? std::string{reason} : std::string{fallback};
}

int fd_of(BIO* b) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(b))); }

// A socket BIO of rcplan's own: OpenSSL's writes with write(2), and a node that went away
// would raise SIGPIPE in the embedding process; send(2) with MSG_NOSIGNAL does not.
int bio_write(BIO* b, const char* data, int size) {
  BIO_clear_retry_flags(b);
  const ssize_t n = ::send(fd_of(b), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_write(b);
  return static_cast<int>(n);
}

int bio_read(BIO* b, char* data, int size) {
  BIO_clear_retry_flags(b);
  const ssize_t n = ::recv(fd_of(b), data, static_cast<std::size_t>(size), 0);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(b);
  return static_cast<int>(n);
}

long bio_ctrl(BIO*, int command, long, void*) { return command == BIO_CTRL_FLUSH ? 1 : 0; }

int bio_create(BIO* b) {
  BIO_set_init(b, 1);
  return 1;
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "rcplan socket");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, bio_write);
    BIO_meth_set_read(m, bio_read);
    BIO_meth_set_ctrl(m, bio_ctrl);
    BIO_meth_set_create(m, bio_create);
    return m;
  }();
  if (method == nullptr) throw tls_error("TLS could not be set up (" + openssl_reason("no BIO method") + ")");
  return method;
}

struct ctx_deleter {
  void operator()(SSL_CTX* c) const noexcept { SSL_CTX_free(c); }
};
struct ssl_deleter {
  void operator()(SSL* s) const noexcept { SSL_free(s); }
};

[[nodiscard]] bool is_ip_address(const std::string& host) {
  unsigned char out[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), out) == 1 || ::inet_pton(AF_INET6, host.c_str(), out) == 1;
}

/// The context of one connection's options: files are read per connection, so that renewed
/// certificates take effect on the next connection.
std::unique_ptr<SSL_CTX, ctx_deleter> context_for(const tls_options& o) {
  std::unique_ptr<SSL_CTX, ctx_deleter> ctx{SSL_CTX_new(TLS_client_method())};
  if (!ctx) throw tls_error("TLS could not be set up (" + openssl_reason("no context") + ")");
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  // Redis closes connections without a close notice; that is an end of stream, not an attack
  SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (o.verify_peer) {
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    const bool loaded = o.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx.get()) == 1
                                          : SSL_CTX_load_verify_locations(ctx.get(), o.ca_file.c_str(), nullptr) == 1;
    if (!loaded)
      throw tls_error("could not be checked: the CA file " + o.ca_file.string() + " cannot be read (" +
                      openssl_reason("unreadable") + ")");
  }
  if (!o.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(ctx.get(), o.cert_file.c_str()) != 1)
      throw tls_error("could not be reached: the client certificate " + o.cert_file.string() + " cannot be read (" +
                      openssl_reason("unreadable") + ")");
    if (SSL_CTX_use_PrivateKey_file(ctx.get(), o.key_file.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1)
      throw tls_error("could not be reached: the client key " + o.key_file.string() +
                      " cannot be read or does not match the certificate (" + openssl_reason("unreadable") + ")");
  }
  return ctx;
}

/// Where the name checked and the name sent (SNI) come from: an IP address is checked against
/// the certificate's IP entries and is never sent as a server name.
void name_the_peer(SSL* ssl, const std::string& host, const tls_options& o) {
  const std::string& name = o.server_name.empty() ? host : o.server_name;
  const bool ip = is_ip_address(name);
  if (!ip) SSL_set_tlsext_host_name(ssl, name.c_str());
  if (!o.verify_peer) return;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  const int ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) : X509_VERIFY_PARAM_set1_host(param, name.c_str(), 0);
  if (ok != 1) throw tls_error("could not be checked: the name " + name + " cannot be verified");
}

/// Why the handshake failed, phrased to follow the node's name.
[[noreturn]] void handshake_failed(SSL* ssl, int result, const std::string& host, const tls_options& o) {
  const int e = SSL_get_error(ssl, result);
  const long verified = SSL_get_verify_result(ssl);
  if (o.verify_peer && verified != X509_V_OK) {
    ERR_clear_error();
    std::string why = X509_verify_cert_error_string(verified);
    if (verified == X509_V_ERR_HOSTNAME_MISMATCH || verified == X509_V_ERR_IP_ADDRESS_MISMATCH)
      why += ": it is not issued for " + (o.server_name.empty() ? host : o.server_name);
    throw tls_error("presented a TLS certificate that was refused (" + why + ")");
  }
  if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
    const int err = errno;
    ERR_clear_error();
    if (result == 0 || err == 0 || err == ECONNRESET)
      throw tls_error("closed the connection during the TLS handshake (does it speak TLS on this port?)");
    throw stream_error(std::string{"broke the connection during the TLS handshake ("} + std::strerror(err) + ")");
  }
  std::string why = openssl_reason("handshake failure");
  if (why == "wrong version number" || why == "packet length too long" || why == "record layer failure")
    why += "; does it speak TLS on this port?";
  throw tls_error("failed the TLS handshake (" + why + ")");
}

[[nodiscard]] int chunk(std::size_t n) { return static_cast<int>(std::min<std::size_t>(n, INT_MAX)); }

}  // namespace

struct stream::tls_session::state {
  std::unique_ptr<SSL_CTX, ctx_deleter> ctx;
  std::unique_ptr<SSL, ssl_deleter> ssl;
};

std::unique_ptr<stream::tls_session> stream::tls_session::start(int fd, const std::string& host,
                                                                 const tls_options& options,
                                                                 std::chrono::steady_clock::time_point deadline) {
  auto out = std::make_unique<tls_session>();
  out->s = std::make_unique<state>();
  state& st = *out->s;
  ERR_clear_error();
  st.ctx = context_for(options);
  st.ssl.reset(SSL_new(st.ctx.get()));
  if (!st.ssl) throw tls_error("TLS could not be set up (" + openssl_reason("no session") + ")");
  BIO* bio = BIO_new(socket_method());
  if (bio == nullptr) throw tls_error("TLS could not be set up (" + openssl_reason("no BIO") + ")");
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));
  SSL_set_bio(st.ssl.get(), bio, bio);  // the session owns it now
  name_the_peer(st.ssl.get(), host, options);
  for (;;) {
    ERR_clear_error();
    errno = 0;
    const int r = SSL_connect(st.ssl.get());
    if (r == 1) return out;
    const int e = SSL_get_error(st.ssl.get(), r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) handshake_failed(st.ssl.get(), r, host, options);
    if (!wait_until(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
      throw stream_error("did not finish the TLS handshake in time (a node that does not speak TLS on this port never "
                         "answers it)");
  }
}

stream::tls_session::~tls_session() {
  if (s && s->ssl) {
    ERR_clear_error();
    (void)SSL_shutdown(s->ssl.get());  // one try: a close notice if the socket takes it now
    ERR_clear_error();
  }
}

long stream::tls_session::read(char* into, std::size_t max, short& wait) {
  ERR_clear_error();
  errno = 0;
  const int n = SSL_read(s->ssl.get(), into, chunk(max));
  if (n > 0) return n;
  switch (SSL_get_error(s->ssl.get(), n)) {
    case SSL_ERROR_WANT_READ: wait = POLLIN; return -1;
    case SSL_ERROR_WANT_WRITE: wait = POLLOUT; return -1;
    case SSL_ERROR_ZERO_RETURN: return 0;
    case SSL_ERROR_SYSCALL: {
      const int err = errno;
      ERR_clear_error();
      if (err == 0) return 0;
      throw stream_error(std::string{"broke the connection ("} + std::strerror(err) + ")");
    }
    default: throw tls_error("ended the TLS session (" + openssl_reason("protocol error") + ")");
  }
}

long stream::tls_session::write(const char* from, std::size_t size, short& wait) {
  ERR_clear_error();
  errno = 0;
  const int n = SSL_write(s->ssl.get(), from, chunk(size));
  if (n > 0) return n;
  switch (SSL_get_error(s->ssl.get(), n)) {
    case SSL_ERROR_WANT_READ: wait = POLLIN; return -1;
    case SSL_ERROR_WANT_WRITE: wait = POLLOUT; return -1;
    case SSL_ERROR_SYSCALL: {
      const int err = errno;
      ERR_clear_error();
      throw stream_error(std::string{"broke the connection ("} + std::strerror(err != 0 ? err : EPIPE) + ")");
    }
    default: throw tls_error("ended the TLS session (" + openssl_reason("protocol error") + ")");
  }
}

bool stream::tls_session::pending() const { return SSL_pending(s->ssl.get()) > 0; }

}  // namespace rcplan::redis
