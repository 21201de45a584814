#include "connection.hpp"

#include <hiredis/hiredis.h>

#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace rcplan::redis::detail {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

reply convert(const redisReply* r) {
  reply out;
  switch (r->type) {
    case REDIS_REPLY_STATUS: out.type = reply::kind::status; break;
    case REDIS_REPLY_ERROR: out.type = reply::kind::error; break;
    case REDIS_REPLY_INTEGER: out.type = reply::kind::integer; break;
    case REDIS_REPLY_STRING: out.type = reply::kind::string; break;
    case REDIS_REPLY_ARRAY: out.type = reply::kind::array; break;
    default: out.type = reply::kind::nil; break;
  }
  if (out.type == reply::kind::integer) out.integer = r->integer;
  if (r->str != nullptr) out.str.assign(r->str, r->len);
  if (out.type == reply::kind::array) {
    out.elements.reserve(r->elements);
    for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
  }
  return out;
}

redisContext* raw(void* p) noexcept { return static_cast<redisContext*>(p); }

/// hiredis reports a timeout as EAGAIN's text; say what it means.
std::string describe_transport(const redisContext* c) {
  if (c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) return "timed out";
  if (c->err == REDIS_ERR_EOF) return "connection closed by the server";
  return c->errstr[0] != '\0' ? std::string{c->errstr} : std::string{"connection error"};
}

bool is_auth_rejection(std::string_view text) {
  return text.starts_with("WRONGPASS") || text.starts_with("ERR invalid password") ||
         text.starts_with("ERR invalid username-password");
}

}  // namespace

std::string endpoint_text(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string reply_text(const reply& r) {
  switch (r.type) {
    case reply::kind::integer: return std::to_string(r.integer);
    case reply::kind::nil: return "(nil)";
    case reply::kind::array: return "(array of " + std::to_string(r.elements.size()) + ")";
    default: return r.str;
  }
}

void connection::context_deleter::operator()(void* c) const noexcept { redisFree(raw(c)); }

connection::connection(std::string host, std::uint16_t port, const connect_options& options)
    : host_(std::move(host)), port_(port), where_(endpoint_text(host_, port_)) {
  redisContext* c = redisConnectWithTimeout(host_.c_str(), port_, to_timeval(options.connect_timeout));
  if (c == nullptr) throw transport_error(where_ + ": cannot allocate a connection");
  ctx_.reset(c);
  if (c->err != 0) throw transport_error(where_ + ": " + describe_transport(c));
  if (redisSetTimeout(c, to_timeval(options.command_timeout)) != REDIS_OK)
    throw transport_error(where_ + ": cannot set the command timeout");
  authenticate(options);
  if (!options.client_name.empty()) set_name(options.client_name);
}

connection::connection(connection&&) noexcept = default;
connection& connection::operator=(connection&&) noexcept = default;
connection::~connection() = default;

void connection::authenticate(const connect_options& options) {
  if (!options.password.empty() && try_auth(options.password, auth_outcome::current)) return;
  // the node may not have learnt the new password yet (a change in progress)
  if (!options.previous_password.empty() && try_auth(options.previous_password, auth_outcome::previous)) return;
  if (options.password.empty() && options.previous_password.empty()) return;
  const std::string& user = options.password.empty() ? options.previous_password.user() : options.password.user();
  throw auth_error(where_ + (user.empty() ? std::string{": the password was rejected"}
                                          : ": the password of ACL user \"" + user + "\" was rejected, or the user is off"));
}

bool connection::try_auth(const secret& password, auth_outcome taken) {
  if (password.user().empty()) append({"AUTH", password.reveal()});
  else append({"AUTH", password.user(), password.reveal()});
  --sent_;
  const reply r = read_raw();
  if (!r.is_error()) {
    auth_ = taken;
    return true;
  }
  // A node without a password accepts anyone; keep talking to it (a password being introduced).
  if (r.str.find("without any password configured") != std::string::npos) {
    auth_ = auth_outcome::not_required;
    return true;
  }
  if (is_auth_rejection(r.str)) return false;
  throw auth_error(where_ + ": AUTH failed (" + std::string{r.error_code()} + ")");
}

void connection::set_name(const std::string& name) {
  append({"CLIENT", "SETNAME", name});
  --sent_;
  const reply r = read();
  if (r.is_error()) throw transport_error(where_ + ": CLIENT SETNAME failed: " + r.str);
}

void connection::fail(std::string_view what) {
  broken_ = true;
  throw transport_error(where_ + ": " + std::string{what} + ": " + describe_transport(raw(ctx_.get())));
}

void connection::append(const argv& a) {
  if (broken_) throw transport_error(where_ + ": connection lost earlier");
  std::vector<const char*> ptrs;
  std::vector<std::size_t> lens;
  ptrs.reserve(a.size());
  lens.reserve(a.size());
  for (const std::string& s : a) {
    ptrs.push_back(s.data());
    lens.push_back(s.size());
  }
  if (redisAppendCommandArgv(raw(ctx_.get()), static_cast<int>(a.size()), ptrs.data(), lens.data()) != REDIS_OK)
    fail("cannot queue a command");
  ++sent_;
}

void connection::flush() {
  if (broken_) throw transport_error(where_ + ": connection lost earlier");
  int done = 0;
  while (done == 0)
    if (redisBufferWrite(raw(ctx_.get()), &done) != REDIS_OK) fail("write failed");
}

reply connection::read_raw() {
  if (broken_) throw transport_error(where_ + ": connection lost earlier");
  void* out = nullptr;
  if (redisGetReply(raw(ctx_.get()), &out) != REDIS_OK || out == nullptr) fail("read failed");
  const std::unique_ptr<redisReply, void (*)(void*)> guard(static_cast<redisReply*>(out), freeReplyObject);
  return convert(guard.get());
}

reply connection::read() {
  reply r = read_raw();
  if (r.is_error() && (r.error_code() == "NOAUTH" || is_auth_rejection(r.str))) {
    broken_ = true;  // the replies still queued behind this one are of no use
    throw auth_error(where_ + ": the node requires a password" +
                     std::string{r.error_code() == "NOAUTH" ? "" : " and rejected the one given"});
  }
  return r;
}

reply connection::command(const argv& a) {
  append(a);
  return read();
}

std::vector<reply> connection::pipeline(const std::vector<argv>& commands) {
  for (const argv& a : commands) append(a);
  std::vector<reply> out;
  out.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) out.push_back(read());
  return out;
}

}  // namespace rcplan::redis::detail
