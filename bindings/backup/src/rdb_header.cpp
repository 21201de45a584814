#include "rdb_header.hpp"

#include <cstddef>

namespace rcplan::backup::detail {

namespace {

// Opcodes of the RDB format (rdb.h in Redis); any other byte where an opcode may stand is the
// type of the first key.
constexpr unsigned char op_function2 = 0xF5;
constexpr unsigned char op_aux = 0xFA;
constexpr unsigned char op_resizedb = 0xFB;
constexpr unsigned char op_selectdb = 0xFE;
constexpr unsigned char op_eof = 0xFF;

constexpr std::size_t magic_size = 9;  // "REDIS0010"

/// Thrown by the cursor when the prefix ends in the middle of a record.
struct need_more {};
/// Thrown for a length or string encoding no RDB writer produces: stop reading there.
struct malformed {};

class cursor {
 public:
  explicit cursor(std::string_view bytes) : bytes_(bytes) {}

  [[nodiscard]] std::size_t position() const noexcept { return at_; }

  unsigned char byte() {
    if (at_ >= bytes_.size()) throw need_more{};
    return static_cast<unsigned char>(bytes_[at_++]);
  }

  std::string_view take(std::uint64_t n) {
    if (n > bytes_.size() - at_) throw need_more{};
    const std::string_view out = bytes_.substr(at_, static_cast<std::size_t>(n));
    at_ += static_cast<std::size_t>(n);
    return out;
  }

  /// An unsigned big-endian number of `n` bytes (the 32- and 64-bit lengths).
  std::uint64_t big_endian(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | byte();
    return v;
  }

  /// A signed little-endian number of `n` bytes (the integer-encoded strings).
  std::int64_t little_endian(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= std::uint64_t{byte()} << (8 * i);
    const std::uint64_t sign = std::uint64_t{1} << (8 * n - 1);
    return static_cast<std::int64_t>((v ^ sign) - sign);  // sign extension without a shift of a negative
  }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

/// A length, or for strings with a special encoding (the top two bits set) its format number.
struct length_field {
  std::uint64_t value = 0;
  bool encoded = false;
};

length_field read_length(cursor& c) {
  const unsigned char first = c.byte();
  switch (first >> 6) {
    case 0:
      return {first & 0x3Fu, false};
    case 1:
      return {(std::uint64_t{first & 0x3Fu} << 8) | c.byte(), false};
    case 2:
      if (first == 0x80) return {c.big_endian(4), false};
      if (first == 0x81) return {c.big_endian(8), false};
      throw malformed{};
    default:
      return {first & 0x3Fu, true};
  }
}

std::uint64_t read_plain_length(cursor& c) {
  const length_field f = read_length(c);
  if (f.encoded) throw malformed{};
  return f.value;
}

/// A string as text; an LZF-compressed one is skipped and reads as empty (no field this
/// reader wants is long enough for Redis to compress it).
std::string read_string(cursor& c) {
  const length_field f = read_length(c);
  if (!f.encoded) return std::string{c.take(f.value)};
  switch (f.value) {
    case 0: return std::to_string(c.little_endian(1));
    case 1: return std::to_string(c.little_endian(2));
    case 2: return std::to_string(c.little_endian(4));
    case 3: {
      const std::uint64_t compressed = read_plain_length(c);
      (void)read_plain_length(c);  // the uncompressed length
      (void)c.take(compressed);
      return {};
    }
    default:
      throw malformed{};
  }
}

/// Reads one record into `h`; false when the records before the first key are over.
bool read_record(cursor& c, rdb_header& h) {
  switch (c.byte()) {
    case op_aux: {
      const std::string key = read_string(c);
      std::string value = read_string(c);
      if (key == "redis-ver") h.redis_version = std::move(value);
      return true;
    }
    case op_function2:
      (void)read_string(c);
      return true;
    case op_selectdb:
      (void)read_plain_length(c);
      return true;
    case op_resizedb:
      h.keys += read_plain_length(c);
      (void)read_plain_length(c);  // keys with an expiry
      return true;
    default:  // op_eof, a key's type, or an opcode that only comes with or after keys
      return false;
  }
}

}  // namespace

rdb_header read_rdb_header(std::string_view prefix) {
  rdb_header h;
  if (prefix.size() < magic_size) return h;
  if (!rdb_magic_ok(prefix)) {
    h.complete = true;
    return h;
  }
  cursor c(prefix.substr(magic_size));
  rdb_header confirmed;  // facts of whole records only: a record cut short tells nothing yet
  try {
    for (;;) {
      if (!read_record(c, h)) {
        h.complete = true;
        return h;
      }
      confirmed = h;
    }
  } catch (const need_more&) {
    return confirmed;
  } catch (const malformed&) {
    confirmed.complete = true;
    return confirmed;
  }
}

bool rdb_magic_ok(std::string_view head) noexcept {
  if (head.size() < magic_size || head.substr(0, 5) != "REDIS") return false;
  for (char d : head.substr(5, 4))
    if (d < '0' || d > '9') return false;
  return true;
}

bool rdb_end_ok(std::string_view tail) noexcept {
  return tail.size() == 9 && static_cast<unsigned char>(tail[0]) == op_eof;
}

}  // namespace rcplan::backup::detail
