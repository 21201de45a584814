#include <rcplan/backup/sha256.hpp>
#include <rcplan/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <algorithm>

namespace rcplan::backup {

namespace {

constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

constexpr std::array<std::uint32_t, 8> initial_state = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

[[nodiscard]] inline std::uint32_t load_be32(const unsigned char* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

[[nodiscard]] inline std::uint32_t big_sigma0(std::uint32_t x) noexcept {
  return std::rotr(x, 2) ^ std::rotr(x, 13) ^ std::rotr(x, 22);
}
[[nodiscard]] inline std::uint32_t big_sigma1(std::uint32_t x) noexcept {
  return std::rotr(x, 6) ^ std::rotr(x, 11) ^ std::rotr(x, 25);
}
[[nodiscard]] inline std::uint32_t small_sigma0(std::uint32_t x) noexcept {
  return std::rotr(x, 7) ^ std::rotr(x, 18) ^ (x >> 3);
}
[[nodiscard]] inline std::uint32_t small_sigma1(std::uint32_t x) noexcept {
  return std::rotr(x, 17) ^ std::rotr(x, 19) ^ (x >> 10);
}

/// One round, written for the caller to rotate the roles of the eight working variables
/// instead of moving their values: eight calls make a cycle and the shuffling disappears.
inline void round(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t& d, std::uint32_t e,
                  std::uint32_t f, std::uint32_t g, std::uint32_t& h, std::uint32_t k_plus_w) noexcept {
  const std::uint32_t choose = g ^ (e & (f ^ g));
  const std::uint32_t majority = (a & b) | (c & (a | b));
  const std::uint32_t t1 = h + big_sigma1(e) + choose + k_plus_w;
  d += t1;
  h = t1 + big_sigma0(a) + majority;
}

/// Closes the descriptor however sha256_file leaves.
struct fd_closer {
  int fd;
  ~fd_closer() { ::close(fd); }
};

[[noreturn]] void unreadable(const std::filesystem::path& path, int err) {
  throw error("rcplan.backup.read", "cannot read " + path.string() + ": " + std::strerror(err));
}

}  // namespace

sha256::sha256() noexcept : state_(initial_state) {}

void sha256::compress(const unsigned char* blocks, std::size_t count) noexcept {
  std::array<std::uint32_t, 64> w{};
  for (; count > 0; --count, blocks += 64) {
    for (std::size_t t = 0; t < 16; ++t) w[t] = load_be32(blocks + 4 * t);
    for (std::size_t t = 16; t < 64; ++t)
      w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (std::size_t t = 0; t < 64; t += 8) {
      round(a, b, c, d, e, f, g, h, round_constants[t] + w[t]);
      round(h, a, b, c, d, e, f, g, round_constants[t + 1] + w[t + 1]);
      round(g, h, a, b, c, d, e, f, round_constants[t + 2] + w[t + 2]);
      round(f, g, h, a, b, c, d, e, round_constants[t + 3] + w[t + 3]);
      round(e, f, g, h, a, b, c, d, round_constants[t + 4] + w[t + 4]);
      round(d, e, f, g, h, a, b, c, round_constants[t + 5] + w[t + 5]);
      round(c, d, e, f, g, h, a, b, round_constants[t + 6] + w[t + 6]);
      round(b, c, d, e, f, g, h, a, round_constants[t + 7] + w[t + 7]);
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }
}

void sha256::update(const void* data, std::size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  length_ += n;
  if (pending_size_ > 0) {
    const std::size_t take = std::min(n, pending_.size() - pending_size_);
    std::memcpy(pending_.data() + pending_size_, p, take);
    pending_size_ += take;
    p += take;
    n -= take;
    if (pending_size_ < pending_.size()) return;
    compress(pending_.data(), 1);
    pending_size_ = 0;
  }
  // whole blocks straight from the caller's buffer: copying them first would cost a pass
  compress(p, n / 64);
  p += n / 64 * 64;
  n %= 64;
  std::memcpy(pending_.data(), p, n);
  pending_size_ = n;
}

std::string sha256::hex_digest() {
  // padding goes into a copy, so that the running digest can still be fed
  sha256 last = *this;
  const std::uint64_t bits = length_ * 8;
  const unsigned char one = 0x80;
  last.update(&one, 1);
  const std::array<unsigned char, 64> zeros{};
  last.update(zeros.data(), (64 + 56 - last.pending_size_) % 64);
  std::array<unsigned char, 8> length_be{};
  for (std::size_t i = 0; i < 8; ++i) length_be[i] = static_cast<unsigned char>(bits >> (56 - 8 * i));
  last.update(length_be.data(), length_be.size());

  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(64);
  for (std::uint32_t word : last.state_)
    for (int shift = 28; shift >= 0; shift -= 4) hex.push_back(digits[(word >> shift) & 0xf]);
  return hex;
}

std::string sha256_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) unreadable(path, errno);
  const fd_closer closer{fd};
  const std::size_t chunk = std::size_t{1} << 20;
  const auto buffer = std::make_unique_for_overwrite<unsigned char[]>(chunk);
  sha256 digest;
  for (;;) {
    const ssize_t got = ::read(fd, buffer.get(), chunk);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) unreadable(path, errno);
    if (got == 0) break;
    digest.update(buffer.get(), static_cast<std::size_t>(got));
  }
  return digest.hex_digest();
}

}  // namespace rcplan::backup
