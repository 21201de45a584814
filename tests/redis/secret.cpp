#include <rcplan/error.hpp>
#include <rcplan/redis/secret.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct temp_file {
  std::filesystem::path path;
  explicit temp_file(const std::string& content) {
    char tmpl[] = "/tmp/rcplan-secret-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
    std::ofstream(path, std::ios::binary) << content;
  }
  ~temp_file() {
    std::error_code ec;
    std::filesystem::remove(path, ec);
  }
};

}  // namespace

TEST_CASE("read_password_file: the first line without its line end", "[redis][secret]") {
  CHECK(rcplan::redis::read_password_file(temp_file("s3cr3t\n").path).reveal() == "s3cr3t");
  CHECK(rcplan::redis::read_password_file(temp_file("s3cr3t\r\nignored\n").path).reveal() == "s3cr3t");
  CHECK(rcplan::redis::read_password_file(temp_file("no line end").path).reveal() == "no line end");
  CHECK(rcplan::redis::read_password_file(temp_file("").path).empty());
}

TEST_CASE("read_password_file: a missing file is an error naming the path", "[redis][secret]") {
  const std::filesystem::path missing = "/tmp/rcplan-no-such-dir/password";
  try {
    (void)rcplan::redis::read_password_file(missing);
    FAIL("no exception");
  } catch (const rcplan::error& e) {
    CHECK(e.id() == "rcplan.redis.password_file");
    CHECK(std::string{e.what()}.find(missing.string()) != std::string::npos);
  }
}

TEST_CASE("password_from_env: the value of the variable or empty when unset", "[redis][secret]") {
  ::setenv("RCPLAN_TEST_PASSWORD", "from-the-env", 1);
  CHECK(rcplan::redis::password_from_env("RCPLAN_TEST_PASSWORD").reveal() == "from-the-env");
  ::unsetenv("RCPLAN_TEST_PASSWORD");
  CHECK(rcplan::redis::password_from_env("RCPLAN_TEST_PASSWORD").empty());
}

TEST_CASE("a secret for an ACL user keeps the password and names the user", "[redis][secret]") {
  const rcplan::redis::secret plain{"pw"};
  CHECK(plain.user().empty());
  const rcplan::redis::secret mine = plain.for_user("ops");
  CHECK(mine.user() == "ops");
  CHECK(mine.reveal() == "pw");
  CHECK(plain.user().empty());
}

TEST_CASE("check_user_name: one AUTH argument, or an error naming where it came from", "[redis][secret]") {
  CHECK_NOTHROW(rcplan::redis::check_user_name("rcplan-op", "--user"));
  for (const char* bad : {"", "two words", "tab\there", "nl\n"}) {
    CAPTURE(bad);
    try {
      rcplan::redis::check_user_name(bad, "spec.username");
      FAIL("accepted");
    } catch (const rcplan::error& e) {
      CHECK(e.id() == "rcplan.redis.user");
      CHECK(std::string{e.what()}.find("spec.username") != std::string::npos);
    }
  }
}
