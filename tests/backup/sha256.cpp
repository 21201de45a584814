// SHA-256 against the FIPS 180-4 examples and against `sha256sum` on a file.

#include <rcplan/backup/sha256.hpp>
#include <rcplan/error.hpp>

#include "support/temp_files.hpp"
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>

namespace {

using rcplan_test::temp_dir;

std::string digest_of(std::string_view text) {
  rcplan::backup::sha256 h;
  h.update(text);
  return h.hex_digest();
}

/// What `sha256sum` prints for the file: the tool everyone checks a backup with.
std::string sha256sum(const std::filesystem::path& file) {
  const std::string command = "sha256sum '" + file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char out[65] = {};
  const std::size_t n = std::fread(out, 1, 64, pipe);
  ::pclose(pipe);
  REQUIRE(n == 64);
  return std::string(out, 64);
}

/// A temporary directory removed at the end of the test.

}  // namespace

TEST_CASE("sha256: the FIPS 180-4 examples", "[backup][sha256]") {
  CHECK(digest_of("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(digest_of("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256: a million 'a' in uneven chunks, and feeding after a digest", "[backup][sha256]") {
  const std::string a(1'000'000, 'a');
  rcplan::backup::sha256 h;
  std::size_t at = 0;
  // chunk sizes that straddle block boundaries in every way: 1, 63, 64, 65, 1000, ...
  const std::size_t sizes[] = {1, 63, 64, 65, 1000, 7, 128, 4093, 55, 56, 57};
  for (std::size_t i = 0; at < a.size(); ++i) {
    const std::size_t n = std::min(sizes[i % std::size(sizes)], a.size() - at);
    h.update(a.data() + at, n);
    at += n;
    if (i == 1000) CHECK(h.hex_digest().size() == 64);  // a look in between changes nothing
  }
  CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  h.update("");
  CHECK(h.hex_digest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256: every length around the padding boundaries, as sha256sum has it", "[backup][sha256]") {
  // one block holds up to 55 bytes with its padding; 56 to 63 need a second one
  temp_dir dir;
  for (std::size_t n : {55u, 56u, 63u, 64u, 119u, 120u}) {
    const std::string text(n, 'x');
    rcplan::backup::sha256 bytewise;
    for (char c : text) bytewise.update(&c, 1);
    auto file = dir.path() / "x-";
    file += std::to_string(n);
    std::ofstream(file, std::ios::binary) << text;
    INFO("length " << n);
    CHECK(digest_of(text) == sha256sum(file));
    CHECK(bytewise.hex_digest() == digest_of(text));
  }
}

TEST_CASE("sha256: a file of about 5 MB gives what sha256sum prints", "[backup][sha256]") {
  temp_dir dir;
  const auto file = dir.path() / "random.bin";
  std::mt19937_64 rng(20240611);
  {
    std::ofstream out(file, std::ios::binary);
    // not a multiple of the 1 MiB read size nor of the 64-byte block
    for (std::size_t i = 0; i < 5'000'037 / 8; ++i) {
      const std::uint64_t v = rng();
      out.write(reinterpret_cast<const char*>(&v), sizeof v);
    }
    out.write("tail", 4);
  }
  CHECK(rcplan::backup::sha256_file(file) == sha256sum(file));

  const auto empty = dir.path() / "empty";
  std::ofstream{empty}.close();
  CHECK(rcplan::backup::sha256_file(empty) == sha256sum(empty));
}

TEST_CASE("sha256: a file that cannot be read is an error naming it", "[backup][sha256]") {
  temp_dir dir;
  const auto missing = dir.path() / "no-such-file.rdb";
  try {
    (void)rcplan::backup::sha256_file(missing);
    FAIL("no error");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.backup.read");
    CHECK(std::string{e.what()}.find(missing.string()) != std::string::npos);
  }
  try {
    (void)rcplan::backup::sha256_file(dir.path());  // a directory opens, but does not read
    FAIL("no error");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.backup.read");
    CHECK(std::string{e.what()}.find(dir.path().string()) != std::string::npos);
  }
}
