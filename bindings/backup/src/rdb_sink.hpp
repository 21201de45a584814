#pragma once

// Where the bytes of a snapshot go as they arrive: the partial file, the SHA-256, the reader of
// the RDB's first records, the progress callback. One pass, so a snapshot of any size needs
// no second read of the file and a few MiB of memory at most.

#include "partial_file.hpp"
#include "rdb_header.hpp"

#include <rcplan/backup/sha256.hpp>
#include <rcplan/backup/snapshot.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rcplan::backup::detail {

/// How far a snapshot got, for the messages of its failures.
struct transfer_state {
  enum class phase : unsigned char { connecting, handshake, transfer };
  phase at = phase::connecting;
  std::uint64_t bytes = 0;
  std::optional<std::uint64_t> total;  ///< when the node announced the size

  /// " after 1234 of 56789 bytes", " before the snapshot began", or "" while connecting.
  [[nodiscard]] std::string when() const;
};

/// The progress callback threw; the text is what it said.
class callback_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class rdb_sink {
 public:
  using progress_fn = decltype(snapshot_options::progress);

  rdb_sink(partial_file& out, const progress_fn& progress, transfer_state& state);

  void consume(std::string_view bytes);
  /// Why the bytes are not an RDB file, or empty when they look like one.
  [[nodiscard]] std::string rdb_shape_problem() const;
  /// Reports the end to the progress callback, with the final size as total.
  void finish();

  [[nodiscard]] std::string sha256_hex() { return digest_.hex_digest(); }
  [[nodiscard]] rdb_header header() const { return header_; }

 private:
  void read_header(std::string_view bytes);
  void report();

  partial_file& out_;
  const progress_fn& progress_;
  transfer_state& state_;
  sha256 digest_;
  std::string first_bytes_;  ///< the RDB's start, kept until its header has been read
  rdb_header header_;
  bool header_done_ = false;
  std::string last_bytes_;  ///< the last 9 bytes: the EOF opcode and checksum, once complete
  std::chrono::steady_clock::time_point last_report_{};
  bool reported_ = false;
};

}  // namespace rcplan::backup::detail
