#pragma once

// SHA-256 (FIPS 180-4) for the checksums a backup manifest records. Written here rather than
// taken from OpenSSL so that the binding needs no crypto library; `sha256sum` prints the same.

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rcplan::backup {

/// A running SHA-256 digest. Feed it with update(), read it with hex_digest() at any time.
class sha256 {
 public:
  sha256() noexcept;

  void update(const void* data, std::size_t n);
  void update(std::string_view s) { update(s.data(), s.size()); }

  /// The digest of everything fed so far: 64 lowercase hex digits. Feeding may go on after it.
  [[nodiscard]] std::string hex_digest();

 private:
  void compress(const unsigned char* blocks, std::size_t count) noexcept;

  std::array<std::uint32_t, 8> state_;
  std::array<unsigned char, 64> pending_{};
  std::size_t pending_size_ = 0;
  std::uint64_t length_ = 0;  ///< bytes fed so far
};

/// The SHA-256 of the file's content as 64 lowercase hex digits. Throws rcplan::error
/// (`rcplan.backup.read`) naming the file when it cannot be read.
[[nodiscard]] std::string sha256_file(const std::filesystem::path& path);

}  // namespace rcplan::backup
