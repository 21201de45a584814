#pragma once

// The facts a snapshot reports that only its RDB knows, read from the file's first bytes: the
// Redis version from the AUX fields and the key count from the RESIZEDB records. Reading stops
// at the first key: sizing a dataset by parsing every value would mean knowing every encoding
// of every type (and module types), while the records before the first key are few and stable.

#include <cstdint>
#include <string>
#include <string_view>

namespace rcplan::backup::detail {

struct rdb_header {
  /// False when the bytes end before the first key or the end of file: more bytes may add facts.
  bool complete = false;
  std::string redis_version;  ///< the `redis-ver` AUX field; empty when absent
  std::uint64_t keys = 0;     ///< sum of the RESIZEDB sizes before the first key
};

/// What the RDB starting with `prefix` says before its first key. Bytes that are not an RDB
/// or an opcode this reader cannot skip end the reading: the facts so far, complete.
[[nodiscard]] rdb_header read_rdb_header(std::string_view prefix);

/// Whether `head` (the first bytes) starts like an RDB: "REDIS" and a 4-digit version.
[[nodiscard]] bool rdb_magic_ok(std::string_view head) noexcept;

/// Whether `tail` (the last 9 bytes) is the EOF opcode and its 8-byte checksum.
[[nodiscard]] bool rdb_end_ok(std::string_view tail) noexcept;

}  // namespace rcplan::backup::detail
