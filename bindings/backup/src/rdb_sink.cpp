#include "rdb_sink.hpp"

#include <algorithm>
#include <exception>

namespace rcplan::backup::detail {

namespace {

// Enough for the AUX fields and Redis 7's function libraries before the first key; an RDB
// whose header needs more is read as far as this goes.
constexpr std::size_t header_limit = std::size_t{4} << 20;
constexpr std::size_t start_size = 9;  // "REDIS0010"
constexpr std::size_t end_size = 9;    // EOF opcode + checksum
constexpr auto report_interval = std::chrono::milliseconds(100);

}  // namespace

std::string transfer_state::when() const {
  switch (at) {
    case phase::connecting:
      return {};
    case phase::handshake:
      return " before the snapshot began";
    case phase::transfer:
      break;
  }
  if (total) return " after " + std::to_string(bytes) + " of " + std::to_string(*total) + " bytes";
  return " after " + std::to_string(bytes) + " bytes, before the end of the snapshot";
}

rdb_sink::rdb_sink(partial_file& out, const progress_fn& progress, transfer_state& state)
    : out_(out), progress_(progress), state_(state) {}

void rdb_sink::consume(std::string_view bytes) {
  if (bytes.empty()) return;
  out_.write(bytes);
  digest_.update(bytes);
  if (!header_done_) read_header(bytes);
  last_bytes_.append(bytes.substr(bytes.size() - std::min(bytes.size(), end_size)));
  if (last_bytes_.size() > end_size) last_bytes_.erase(0, last_bytes_.size() - end_size);
  state_.bytes += bytes.size();
  if (!reported_ || std::chrono::steady_clock::now() - last_report_ >= report_interval) report();
}

void rdb_sink::read_header(std::string_view bytes) {
  first_bytes_.append(bytes.substr(0, header_limit - first_bytes_.size()));
  header_ = read_rdb_header(first_bytes_);
  if (header_.complete || first_bytes_.size() == header_limit) {
    header_done_ = true;
    first_bytes_.resize(std::min(first_bytes_.size(), start_size));  // the start is still checked
    first_bytes_.shrink_to_fit();
  }
}

std::string rdb_sink::rdb_shape_problem() const {
  if (!rdb_magic_ok(first_bytes_)) return "it does not start with \"REDIS\" and a version";
  if (state_.bytes < start_size + end_size || !rdb_end_ok(last_bytes_)) return "it does not end with the EOF opcode and a checksum";
  return {};
}

void rdb_sink::finish() {
  state_.total = state_.bytes;
  report();
}

void rdb_sink::report() {
  reported_ = true;
  last_report_ = std::chrono::steady_clock::now();
  if (!progress_) return;
  try {
    progress_(state_.bytes, state_.total);
  } catch (const std::exception& e) {
    throw callback_error(e.what());
  } catch (...) {
    throw callback_error("an exception that is no std::exception");
  }
}

}  // namespace rcplan::backup::detail
