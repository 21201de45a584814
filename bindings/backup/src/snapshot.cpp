#include "partial_file.hpp"
#include "rdb_sink.hpp"

#include <rcplan/backup/snapshot.hpp>
#include <rcplan/error.hpp>
#include <rcplan/redis/stream.hpp>

#include <string.h>  // explicit_bzero

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace rcplan::backup {

namespace detail {

// the bindings' one transport: a snapshot reads the replication stream, which is no reply
using redis::stream;
using redis::stream_error;

namespace {

const std::string snapshot_error = "rcplan.backup.snapshot";
// No reply of the handshake comes near this; a longer line is no Redis talking.
constexpr std::size_t max_reply_line = std::size_t{64} << 10;
constexpr std::size_t eof_mark_size = 40;  // the run-id-sized random delimiter of diskless syncs
constexpr std::size_t max_reply_in_message = 300;

/// How the node delimits the payload after SYNC.
struct payload_header {
  std::optional<std::uint64_t> length;  ///< "$<length>": a saved file of this size follows
  std::string eof_mark;                 ///< "$EOF:<mark>": streamed until the mark comes
};

/// The command as a RESP array of bulk strings.
[[nodiscard]] std::string resp_command(std::initializer_list<std::string_view> argv) {
  // sized up front: a reallocation would leave a copy of AUTH's password in freed memory
  std::size_t size = 16;
  for (std::string_view a : argv) size += a.size() + 32;
  std::string out;
  out.reserve(size);
  // appended piece by piece: GCC 12 warns wrongly (-Wrestrict) about "literal" + to_string()
  out.append(1, '*');
  out.append(std::to_string(argv.size())).append("\r\n");
  for (std::string_view a : argv) out.append(1, '$').append(std::to_string(a.size())).append("\r\n").append(a).append("\r\n");
  return out;
}

/// A reply line fit for a message: without its type byte, printable, short, and without the
/// password, should a server ever echo it.
[[nodiscard]] std::string reply_text(std::string_view line, const redis::secret& password) {
  if (line.starts_with('-') || line.starts_with('+')) line.remove_prefix(1);
  std::string text{line};
  const std::string& p = password.reveal();
  const std::string_view hidden = "<secret>";
  if (!p.empty())
    for (std::size_t at = text.find(p); at != std::string::npos; at = text.find(p, at + hidden.size()))
      text.replace(at, p.size(), hidden);
  text.resize(std::min(text.size(), max_reply_in_message));  // after hiding: a cut password is still one
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return text;
}

/// Overwrites the string when leaving scope: for buffers that held the password.
class wiped_on_exit {
 public:
  explicit wiped_on_exit(std::string& text) : text_(text) {}
  wiped_on_exit(const wiped_on_exit&) = delete;
  wiped_on_exit& operator=(const wiped_on_exit&) = delete;
  ~wiped_on_exit() { ::explicit_bzero(text_.data(), text_.size()); }

 private:
  std::string& text_;
};

[[noreturn]] void fail(const std::string& message) { throw error(snapshot_error, message); }

[[nodiscard]] bool password_refusal(std::string_view reply) {
  // WRONGPASS since Redis 6; "invalid password" before
  return reply.starts_with("-WRONGPASS") || reply.find("invalid password") != std::string_view::npos ||
         reply.find("invalid username-password") != std::string_view::npos;
}

void authenticate(stream& c, const snapshot_options& o, const std::string& where) {
  if (o.password.empty()) return;
  std::string command = o.password.user().empty() ? resp_command({"AUTH", o.password.reveal()})
                                                  : resp_command({"AUTH", o.password.user(), o.password.reveal()});
  const wiped_on_exit wipe{command};
  c.send_all(command);
  const std::string reply = c.read_line(max_reply_line);
  if (reply.starts_with('+')) return;
  // a node without a password takes anyone; the same password still works once it sets one
  if (reply.find("without any password configured") != std::string::npos) return;
  if (password_refusal(reply))
    throw error("rcplan.backup.auth", where + " refused the password (" + reply_text(reply, o.password) + ")");
  fail(where + " answered AUTH with an error: " + reply_text(reply, o.password));
}

[[nodiscard]] std::optional<std::uint64_t> parse_length(std::string_view digits);

/// The node's `repl-diskless-sync-delay`, when CONFIG GET tells it.
[[nodiscard]] std::optional<std::uint64_t> diskless_delay(stream& c) {
  c.send_all(resp_command({"CONFIG", "GET", "repl-diskless-sync-delay"}));
  const std::string head = c.read_line(max_reply_line);
  if (head != "*2") return std::nullopt;  // an error (CONFIG renamed away), or no such parameter
  std::optional<std::uint64_t> value;
  for (int i = 0; i < 2; ++i) {
    (void)c.read_line(max_reply_line);  // $<length>
    const std::string line = c.read_line(max_reply_line);
    if (i == 1) value = parse_length(line);
  }
  return value;
}

/// Whether to ask for the diskless form: streamed as the node forks, nothing written on its
/// disk, but only after `repl-diskless-sync-delay` (5 s by default), which the node waits for
/// more replicas to share the fork. With a delay, the disk form starts at once (the node saves
/// its RDB file, as a replica's full sync does, then sends it).
[[nodiscard]] bool want_diskless(stream& c, const snapshot_options& o) {
  switch (o.transfer) {
    case snapshot_transfer::diskless: return true;
    case snapshot_transfer::disk: return false;
    case snapshot_transfer::automatic: break;
  }
  const std::optional<std::uint64_t> delay = diskless_delay(c);
  return !delay || *delay == 0;
}

/// Asks for the transfer form and for nothing after the RDB (Redis 7: the node drops the link
/// once the RDB is sent instead of streaming writes).
void request_capabilities(stream& c, const snapshot_options& o, const std::string& where) {
  if (want_diskless(c, o)) {
    c.send_all(resp_command({"REPLCONF", "capa", "eof"}));
    const std::string capa = c.read_line(max_reply_line);
    if (capa.starts_with('-')) fail(where + " refused REPLCONF capa eof: " + reply_text(capa, o.password));
  }
  c.send_all(resp_command({"REPLCONF", "rdb-only", "1"}));
  // older nodes do not know rdb-only; the snapshot reads exactly the RDB's bytes anyway
  (void)c.read_line(max_reply_line);
}

[[nodiscard]] std::optional<std::uint64_t> parse_length(std::string_view digits) {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return n;
}

[[nodiscard]] payload_header start_sync(stream& c, const snapshot_options& o, const std::string& where) {
  c.send_all(resp_command({"SYNC"}));
  const std::string line = c.read_line(max_reply_line);  // after the keepalives of the fork and save
  if (line.starts_with('-')) fail(where + " refused SYNC: " + reply_text(line, o.password));
  const std::string_view v{line};
  if (v.starts_with("$EOF:") && v.size() == 5 + eof_mark_size) return {std::nullopt, std::string{v.substr(5)}};
  if (v.starts_with('$'))
    if (const auto length = parse_length(v.substr(1))) return {length, {}};
  fail(where + " answered SYNC with something that announces no snapshot: \"" + reply_text(line, o.password) + "\"");
}

void copy_counted(stream& c, std::uint64_t length, rdb_sink& sink) {
  for (std::uint64_t left = length; left > 0;) {
    const std::string_view chunk = c.read_some(
        static_cast<std::size_t>(std::min<std::uint64_t>(left, std::numeric_limits<std::size_t>::max())));
    if (chunk.empty()) throw stream_error("closed the connection");
    sink.consume(chunk);
    left -= chunk.size();
  }
}

void copy_until_mark(stream& c, std::string_view mark, rdb_sink& sink) {
  // the mark may arrive split over reads: the last mark-size bytes wait until the next read
  // shows whether they begin it
  std::string pending;
  for (;;) {
    const std::string_view chunk = c.read_some(std::numeric_limits<std::size_t>::max());
    if (chunk.empty()) throw stream_error("closed the connection");
    pending.append(chunk);
    if (const std::size_t at = pending.find(mark); at != std::string::npos) {
      sink.consume(std::string_view{pending}.substr(0, at));
      return;
    }
    if (pending.size() > mark.size()) {
      const std::size_t settled = pending.size() - mark.size();
      sink.consume(std::string_view{pending}.substr(0, settled));
      pending.erase(0, settled);
    }
  }
}

/// Connects, asks for the snapshot and streams it into `sink`; the connection is closed on
/// return, so the node is free before the file is flushed.
void receive(const address& node, const snapshot_options& o, const std::string& where, rdb_sink& sink,
             transfer_state& state) {
  stream c(node, o.connect_timeout, o.io_timeout, o.tls);
  state.at = transfer_state::phase::handshake;
  authenticate(c, o, where);
  request_capabilities(c, o, where);
  const payload_header h = start_sync(c, o, where);
  state.at = transfer_state::phase::transfer;
  state.total = h.length;
  if (h.length)
    copy_counted(c, *h.length, sink);
  else
    copy_until_mark(c, h.eof_mark, sink);
}

[[nodiscard]] snapshot_result run(const address& node, const std::filesystem::path& file, const snapshot_options& o,
                                  const std::string& where, transfer_state& state) {
  // the file first: a target that cannot be written must fail before the node forks and
  // streams its whole dataset for nothing
  partial_file out(file);
  rdb_sink sink(out, o.progress, state);
  receive(node, o, where, sink, state);
  if (const std::string problem = sink.rdb_shape_problem(); !problem.empty())
    fail(where + " sent " + std::to_string(state.bytes) + " bytes that are not an RDB file: " + problem);
  sink.finish();
  out.commit();
  const rdb_header facts = sink.header();
  return {state.bytes, sink.sha256_hex(), facts.keys, facts.redis_version};
}

}  // namespace

}  // namespace detail

snapshot_result take_snapshot(const address& node, const std::filesystem::path& file, const snapshot_options& o) {
  const bool v6 = node.host.find(':') != std::string::npos;
  const std::string where = (v6 ? "[" + node.host + "]" : node.host) + ":" + std::to_string(node.port);
  detail::transfer_state state;
  // the partial file is gone by the time these run: run()'s scope has been left
  try {
    return detail::run(node, file, o, where, state);
  } catch (const detail::stream_error& e) {
    throw error(detail::snapshot_error, where + " " + e.what() + state.when());
  } catch (const detail::file_error& e) {
    throw error(detail::snapshot_error, "snapshot of " + where + ": " + e.what());
  } catch (const detail::callback_error& e) {
    throw error(detail::snapshot_error,
                "snapshot of " + where + " stopped" + state.when() + ": the progress callback failed (" + e.what() + ")");
  }
}

}  // namespace rcplan::backup
