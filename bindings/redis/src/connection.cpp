#include "connection.hpp"

#include <rcplan/parse/resp.hpp>

#include <utility>

namespace rcplan::redis::detail {

namespace {

reply convert(resp_value&& v) {
  reply out;
  switch (v.type) {
    case resp_value::kind::simple_string: out.type = reply::kind::status; break;
    case resp_value::kind::error: out.type = reply::kind::error; break;
    case resp_value::kind::integer: out.type = reply::kind::integer; break;
    case resp_value::kind::bulk_string: out.type = reply::kind::string; break;
    case resp_value::kind::null: out.type = reply::kind::nil; break;
    case resp_value::kind::array:
    case resp_value::kind::map: out.type = reply::kind::array; break;
  }
  out.integer = v.integer;
  out.str = std::move(v.str);
  out.elements.reserve(v.elements.size());
  for (resp_value& e : v.elements) out.elements.push_back(convert(std::move(e)));
  return out;
}

/// The RESP encoding of one command: an array of bulk strings.
void encode(const argv& a, std::string& out) {
  out += '*';
  out += std::to_string(a.size());
  out += "\r\n";
  for (const std::string& w : a) {
    out += '$';
    out += std::to_string(w.size());
    out += "\r\n";
    out += w;
    out += "\r\n";
  }
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

connection::connection(std::string host, std::uint16_t port, const connect_options& options)
    : host_(std::move(host)), port_(port), where_(endpoint_text(host_, port_)),
      client_certificate_(!options.tls.cert_file.empty()) {
  try {
    address node;
    node.host = host_;
    node.port = port_;
    stream_ = std::make_unique<stream>(node, options.connect_timeout, options.command_timeout, options.tls);
  } catch (const tls_error& e) {
    throw tls_transport_error(where_ + " " + e.what());
  } catch (const stream_error& e) {
    throw transport_error(where_ + " " + e.what());
  }
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

void connection::fail(const stream_error& e) {
  broken_ = true;
  if (dynamic_cast<const tls_error*>(&e) != nullptr) throw tls_transport_error(where_ + " " + e.what());
  // A node that requires client certificates checks them after a TLS 1.3 handshake, and drops
  // the connection: its alert saying so may be lost to the reset.
  if (stream_->tls() && !answered_ && !client_certificate_)
    throw tls_transport_error(where_ + " " + e.what() + " (it may require a client certificate, and none was given)");
  // the usual first sign of a client without TLS at a TLS port
  const bool first = !stream_->tls() && !answered_;
  throw transport_error(where_ + " " + e.what() + (first ? " (a node that speaks TLS only drops plain connections)" : ""));
}

void connection::append(const argv& a) {
  if (broken_) throw transport_error(where_ + ": connection lost earlier");
  encode(a, out_);
  ++sent_;
}

void connection::flush() {
  if (broken_) throw transport_error(where_ + ": connection lost earlier");
  if (out_.empty()) return;
  try {
    stream_->send_all(out_);
  } catch (const stream_error& e) {
    fail(e);
  }
  out_.clear();
}

reply connection::read_raw() {
  flush();  // what was appended goes out before its reply is awaited
  try {
    for (;;) {
      const std::string_view bytes = stream_->buffered();
      // Parse again only once the buffer doubled or the node has sent everything it had: a
      // long reply arriving in many small reads is then parsed a bounded number of times.
      if (!bytes.empty() && (bytes.size() >= 2 * tried_at_ || !stream_->readable_now())) {
        auto parsed = parse_resp_prefix(bytes);
        if (parsed) {
          stream_->consume(parsed->second);
          tried_at_ = 0;
          answered_ = true;
          return convert(std::move(parsed->first));
        }
        tried_at_ = bytes.size();
      }
      if (!stream_->fill()) throw stream_error("closed the connection");
    }
  } catch (const stream_error& e) {
    fail(e);
  } catch (const parse_error& e) {
    broken_ = true;  // the bytes after an unreadable reply cannot be trusted either
    throw transport_error(where_ + " sent a reply that is not RESP (" + e.what() + ")");
  }
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
