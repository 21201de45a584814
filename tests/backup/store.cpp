// Where backups are kept: a local directory, and S3 through rclone against a local s3rver.
// Every error is checked for the credentials it must not hold.

#include <rcplan/backup/store.hpp>
#include <rcplan/error.hpp>

#include "support/temp_files.hpp"
#include "support/s3_server.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using rcplan_test::temp_dir;
using rcplan_test::random_bytes;
using rcplan_test::read_file;
using rcplan_test::write_file;

namespace fs = std::filesystem;
using rcplan::backup::open_store;
using rcplan::backup::store_location;
using rcplan::redis::secret;
using rcplan_test::s3_server;


/// Sets (or with nullopt unsets) an environment variable for one scope.
class scoped_env {
 public:
  scoped_env(std::string name, const std::optional<std::string>& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value) ::setenv(name_.c_str(), value->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  scoped_env(const scoped_env&) = delete;
  scoped_env& operator=(const scoped_env&) = delete;
  ~scoped_env() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};




/// The names in `dir`, sorted.
std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

/// What `f` throws: it must be an rcplan::error with `id`.
std::string error_of(const std::function<void()>& f, const std::string& id) {
  try {
    f();
  } catch (const rcplan::error& e) {
    CHECK(e.id() == id);
    return e.what();
  }
  FAIL("no rcplan::error thrown (expected " << id << ")");
  return {};
}

void check_no_secret(const std::string& what, const store_location& where) {
  INFO(what);
  for (const secret* s : {&where.credentials.access_key_id, &where.credentials.secret_access_key})
    if (!s->empty()) CHECK(what.find(s->reveal()) == std::string::npos);
}

const std::vector<std::string> bad_names = {"", ".", "..", "a/b", "/abs", "../escape", "x/..", "a..b", "line\nbreak"};

constexpr std::size_t big = (std::size_t{3} << 20) + 123;  // a few MB, not a multiple of any block

bool have_rclone() { return std::system("command -v rclone >/dev/null 2>&1") == 0; }

/// Whether to skip a test because `why` is not empty: WARN saying so (Catch2 v2 has no SKIP),
/// or FAIL on CI (CI=true), where every test must run.
bool skip_because(const std::string& why) {
  if (why.empty()) return false;
  if (rcplan_test::tools_required()) FAIL("CI=true, and this S3 store test cannot run: " << why);
  WARN("skipped: " << why);
  return true;
}

std::string rclone_missing() {
  return have_rclone() ? std::string{} : "rclone is not installed (apt-get install -y rclone)";
}

/// Why the tests against s3rver cannot run here; empty when they can.
std::string s3_missing() {
  const std::string why = rclone_missing();
  return why.empty() ? s3_server::unavailable() : why;
}

store_location s3_location(const std::string& endpoint, const std::string& url, const std::string& key_id,
                           const std::string& secret_key) {
  store_location l;
  l.url = url;
  l.s3_endpoint = endpoint;
  l.s3_region = "us-east-1";
  l.credentials.access_key_id = secret(key_id);
  l.credentials.secret_access_key = secret(secret_key);
  return l;
}

store_location s3_location(const s3_server& s, const std::string& prefix) {
  return s3_location(s.endpoint(), "s3://" + s.bucket() + "/" + prefix, s3_server::access_key_id,
                     s3_server::secret_access_key);
}

/// A loopback port nobody listens on.
std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// An S3 endpoint that checks signatures and finds every one wrong, as AWS does for a wrong
/// secret key (s3rver checks none). Like some services, it echoes the access key id it got.
class refusing_s3 {
 public:
  refusing_s3() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  refusing_s3(const refusing_s3&) = delete;
  refusing_s3& operator=(const refusing_s3&) = delete;
  ~refusing_s3() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  [[nodiscard]] std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      answer(c);
      ::close(c);
    }
  }

  static std::string read_head(int c) {
    std::string head;
    char buf[4096];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
      pollfd p{c, POLLIN, 0};
      if (::poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = ::read(c, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<std::size_t>(n));
    }
    return head;
  }

  static std::string key_id_of(const std::string& head) {
    const auto at = head.find("Credential=");
    if (at == std::string::npos) return "?";
    const auto from = at + 11;
    return head.substr(from, head.find('/', from) - from);
  }

  static void answer(int c) {
    const std::string head = read_head(c);
    const std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request "
        "signature we calculated does not match the signature you provided for access key " +
        key_id_of(head) + ". Check your key and signing method.</Message></Error>";
    const bool head_request = head.rfind("HEAD ", 0) == 0;
    const std::string response = "HTTP/1.1 403 Forbidden\r\nContent-Type: application/xml\r\nContent-Length: " +
                                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
                                 (head_request ? std::string{} : body);
    (void)!::write(c, response.data(), response.size());
    ::shutdown(c, SHUT_WR);
    (void)read_head(c);  // let the client finish sending before the close, or it sees a reset
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

/// put, get, exists and size of a few MB through `s`, byte for byte, leaving no temporary file.
void check_round_trip(rcplan::backup::store& s, const temp_dir& tmp) {
  const std::string content = random_bytes(big, 1);
  write_file(tmp.path() / "shard-0.rdb", content);
  CHECK_FALSE(s.exists("shard-0.rdb"));
  CHECK_FALSE(s.size("shard-0.rdb").has_value());

  s.put(tmp.path() / "shard-0.rdb", "shard-0.rdb");
  CHECK(s.exists("shard-0.rdb"));
  CHECK(s.size("shard-0.rdb") == std::optional<std::uint64_t>(big));

  const fs::path restored = tmp.path() / "restore" / "shard-0.rdb";
  s.get("shard-0.rdb", restored);
  CHECK(read_file(restored) == content);
  CHECK(names_in(restored.parent_path()) == std::vector<std::string>{"shard-0.rdb"});

  // A second put replaces the first.
  const std::string second = random_bytes(1000, 2);
  write_file(tmp.path() / "again.rdb", second);
  s.put(tmp.path() / "again.rdb", "shard-0.rdb");
  CHECK(s.size("shard-0.rdb") == std::optional<std::uint64_t>(second.size()));
  s.get("shard-0.rdb", restored);
  CHECK(read_file(restored) == second);
}

void check_bad_names_refused(rcplan::backup::store& s, const temp_dir& tmp) {
  write_file(tmp.path() / "src", "data");
  for (const std::string& name : bad_names) {
    INFO("name: " << name);
    const std::string shown = name.find('\n') == std::string::npos ? name : "line?break";
    CHECK_THAT(error_of([&] { s.put(tmp.path() / "src", name); }, "rcplan.backup.store"),
               Catch::Contains("\"" + shown + "\" is not a plain file name"));
    (void)error_of([&] { s.get(name, tmp.path() / "out"); }, "rcplan.backup.store");
    (void)error_of([&] { (void)s.exists(name); }, "rcplan.backup.store");
    (void)error_of([&] { (void)s.size(name); }, "rcplan.backup.store");
  }
  CHECK_FALSE(fs::exists(tmp.path() / "escape"));
  CHECK_FALSE(fs::exists(tmp.path() / "out"));
}

}  // namespace

// --- a local directory -----------------------------------------------------------------------

TEST_CASE("directory store: put, get, exists and size round-trip a few MB byte for byte", "[store]") {
  temp_dir tmp;
  const fs::path dir = tmp.path() / "backups" / "2024-01-31";
  const auto s = open_store({dir.string(), {}, {}, {}});
  CHECK(fs::is_directory(dir));
  CHECK(s->where() == dir.string());
  CHECK(s->local_path("shard-0.rdb") == std::optional<fs::path>(dir / "shard-0.rdb"));

  check_round_trip(*s, tmp);
  CHECK(names_in(dir) == std::vector<std::string>{"shard-0.rdb"});

  // The same directory as a file:// URL.
  const auto same = open_store({"file://" + dir.string(), {}, {}, {}});
  CHECK(same->size("shard-0.rdb") == s->size("shard-0.rdb"));
  CHECK(same->where() == "file://" + dir.string());
}

TEST_CASE("directory store: a snapshot written straight into local_path() is put in place", "[store]") {
  temp_dir tmp;
  const auto s = open_store({(tmp.path() / "b").string(), {}, {}, {}});
  const fs::path in_place = *s->local_path("shard-1.rdb");
  write_file(in_place, "REDIS0011 in place");
  s->put(in_place, "shard-1.rdb");
  CHECK(read_file(in_place) == "REDIS0011 in place");
  CHECK(names_in(tmp.path() / "b") == std::vector<std::string>{"shard-1.rdb"});
}

TEST_CASE("directory store: names that are not plain file names are refused", "[store]") {
  temp_dir tmp;
  const auto s = open_store({(tmp.path() / "b").string(), {}, {}, {}});
  check_bad_names_refused(*s, tmp);
  for (const std::string& name : bad_names)
    (void)error_of([&] { (void)s->local_path(name); }, "rcplan.backup.store");
  CHECK(names_in(tmp.path() / "b").empty());
}

TEST_CASE("directory store: a put that fails leaves nothing under the final name", "[store]") {
  temp_dir tmp;
  const fs::path dir = tmp.path() / "b";
  const auto s = open_store({dir.string(), {}, {}, {}});

  const std::string what =
      error_of([&] { s->put(tmp.path() / "no-such-snapshot.rdb", "shard-0.rdb"); }, "rcplan.backup.store");
  CHECK_THAT(what, Catch::Contains("no-such-snapshot.rdb") && Catch::Contains("shard-0.rdb"));
  CHECK_FALSE(s->exists("shard-0.rdb"));
  CHECK(names_in(dir).empty());  // no shard-0.rdb.partial either

  // A failed replacement keeps the complete old file.
  write_file(tmp.path() / "old.rdb", "old");
  s->put(tmp.path() / "old.rdb", "shard-0.rdb");
  (void)error_of([&] { s->put(tmp.path(), "shard-0.rdb"); }, "rcplan.backup.store");  // a directory
  CHECK(read_file(dir / "shard-0.rdb") == "old");
  CHECK(names_in(dir) == std::vector<std::string>{"shard-0.rdb"});
}

TEST_CASE("directory store: get of a missing file fails and creates nothing", "[store]") {
  temp_dir tmp;
  const auto s = open_store({(tmp.path() / "b").string(), {}, {}, {}});
  CHECK_THAT(error_of([&] { s->get("manifest.json", tmp.path() / "m.json"); }, "rcplan.backup.store"),
             Catch::Contains("manifest.json"));
  CHECK(names_in(tmp.path()) == std::vector<std::string>{"b"});
}

TEST_CASE("open_store refuses locations it cannot use", "[store]") {
  temp_dir tmp;
  write_file(tmp.path() / "a-file", "x");
  for (const std::string& url : {std::string{}, std::string("gs://bucket/x"), std::string("s3://"),
                                std::string("s3://bad bucket/x"), std::string("s3://b/../x"),
                                std::string("file://relative/dir"), (tmp.path() / "a-file").string()}) {
    INFO("url: " << url);
    (void)error_of([&] { (void)open_store({url, {}, {}, {}}); }, "rcplan.backup.store");
  }
  if (have_rclone())
    CHECK_THAT(error_of([&] { (void)open_store({"s3://b/x", "ftp://127.0.0.1:21", {}, {}}); }, "rcplan.backup.store"),
               Catch::Contains("ftp://127.0.0.1:21"));
}

// --- S3 through rclone -----------------------------------------------------------------------

TEST_CASE("s3 store without rclone says to install Debian's rclone package", "[store]") {
  temp_dir tmp;
  const scoped_env path("PATH", tmp.path().string());
  const std::string what = error_of([] { (void)open_store({"s3://bucket/x", "http://127.0.0.1:1", {}, {}}); },
                                    "rcplan.backup.rclone");
  CHECK_THAT(what, Catch::Contains("rclone package") && Catch::Contains("apt-get install -y rclone"));
}

TEST_CASE("s3 store: put, get, exists and size round-trip a few MB byte for byte", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  const store_location where = s3_location(server, "backups/2024-01-31/");
  const auto s = open_store(where);
  CHECK(s->where() == where.url);
  CHECK_FALSE(s->local_path("shard-0.rdb").has_value());
  check_round_trip(*s, tmp);

  // The object is under the prefix, and only there.
  CHECK_FALSE(open_store(s3_location(server, ""))->exists("shard-0.rdb"));
  CHECK(open_store(s3_location(server, "/backups//2024-01-31"))->exists("shard-0.rdb"));
}

TEST_CASE("s3 store works while AWS_CA_BUNDLE is set, which rclone 1.60 cannot take", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  const fs::path bundle = "/etc/ssl/certs/ca-certificates.crt";
  if (!fs::exists(bundle)) {
    WARN("skipped: no " << bundle);
    return;
  }
  s3_server server;
  temp_dir tmp;
  const scoped_env ca("AWS_CA_BUNDLE", bundle.string());
  const auto s = open_store(s3_location(server, "p"));
  write_file(tmp.path() / "m.json", "{}");
  s->put(tmp.path() / "m.json", "manifest.json");
  CHECK(s->size("manifest.json") == std::optional<std::uint64_t>(2));
}

TEST_CASE("s3 store: a missing object does not exist, and get of it fails creating nothing", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  const store_location where = s3_location(server, "p");
  const auto s = open_store(where);
  CHECK_FALSE(s->exists("manifest.json"));
  CHECK_FALSE(s->size("manifest.json").has_value());
  const std::string what = error_of([&] { s->get("manifest.json", tmp.path() / "m.json"); }, "rcplan.backup.store");
  CHECK_THAT(what, Catch::Contains("manifest.json") && Catch::Contains(where.url));
  CHECK(names_in(tmp.path()).empty());
}

TEST_CASE("s3 store: names that are not plain file names are refused", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  const auto s = open_store(s3_location(server, "p"));
  check_bad_names_refused(*s, tmp);
}

TEST_CASE("s3 store: a missing source uploads nothing", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  const auto s = open_store(s3_location(server, "p"));
  (void)error_of([&] { s->put(tmp.path() / "missing.rdb", "shard-0.rdb"); }, "rcplan.backup.store");
  CHECK_FALSE(s->exists("shard-0.rdb"));
}

TEST_CASE("s3 store: a missing bucket is named in the error", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  store_location where = s3_location(server, "p");
  where.url = "s3://no-such-bucket/p";
  const auto s = open_store(where);
  write_file(tmp.path() / "x.rdb", "x");
  for (const auto& op : std::vector<std::function<void()>>{[&] { (void)s->exists("x.rdb"); },
                                                           [&] { s->put(tmp.path() / "x.rdb", "x.rdb"); }}) {
    const std::string what = error_of(op, "rcplan.backup.s3");
    CHECK_THAT(what, Catch::Contains("bucket no-such-bucket does not exist") && Catch::Contains(server.endpoint()));
    check_no_secret(what, where);
  }
  CHECK_FALSE(fs::exists(server.data_dir() / "no-such-bucket"));  // not created behind our back
}

TEST_CASE("s3 store: an unknown access key is refused, and neither credential shows in the error", "[store][s3]") {
  if (skip_because(s3_missing())) return;
  s3_server server;
  temp_dir tmp;
  // rclone repeats the service's message ("The AWS Access Key Id you provided does not exist in
  // our records."): a secret made of the same words shows the message is scrubbed.
  const store_location where = s3_location(server.endpoint(), "s3://" + server.bucket() + "/p", "AKIAWRONGKEYID0001",
                                           "does not exist in our records");
  const auto s = open_store(where);
  write_file(tmp.path() / "x.rdb", "x");
  for (const auto& op : std::vector<std::function<void()>>{[&] { (void)s->exists("x.rdb"); },
                                                           [&] { s->put(tmp.path() / "x.rdb", "x.rdb"); },
                                                           [&] { s->get("x.rdb", tmp.path() / "y.rdb"); }}) {
    const std::string what = error_of(op, "rcplan.backup.s3");
    CHECK_THAT(what, Catch::Contains("refused the credentials") && Catch::Contains(server.endpoint()) &&
                         Catch::Contains(server.bucket()));
    check_no_secret(what, where);
  }
  CHECK_FALSE(fs::exists(tmp.path() / "y.rdb"));
}

TEST_CASE("s3 store: a wrong secret key is refused, and neither credential shows in the error", "[store][s3]") {
  if (skip_because(rclone_missing())) return;
  refusing_s3 service;
  temp_dir tmp;
  const store_location where =
      s3_location(service.endpoint(), "s3://bucket/p", "AKIARIGHTKEYID0002", "wrong/secret+Key0123456789abcdefghij");
  const auto s = open_store(where);
  write_file(tmp.path() / "x.rdb", "x");
  for (const auto& op : std::vector<std::function<void()>>{[&] { (void)s->exists("x.rdb"); },
                                                           [&] { s->put(tmp.path() / "x.rdb", "x.rdb"); },
                                                           [&] { s->get("x.rdb", tmp.path() / "y.rdb"); }}) {
    const std::string what = error_of(op, "rcplan.backup.s3");
    CHECK_THAT(what, Catch::Contains("refused the credentials") && Catch::Contains("signature mismatch") &&
                         Catch::Contains(service.endpoint()));
    check_no_secret(what, where);
  }
}

TEST_CASE("s3 store: an endpoint where nothing listens fails clearly within seconds", "[store][s3]") {
  if (skip_because(rclone_missing())) return;
  temp_dir tmp;
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(unused_port());
  const store_location where = s3_location(endpoint, "s3://bucket/p", "AKIAKEYID0003", "secret-key-0003");
  const auto s = open_store(where);
  write_file(tmp.path() / "x.rdb", "x");
  for (const auto& op : std::vector<std::function<void()>>{[&] { (void)s->exists("x.rdb"); },
                                                           [&] { s->put(tmp.path() / "x.rdb", "x.rdb"); },
                                                           [&] { s->get("x.rdb", tmp.path() / "y.rdb"); }}) {
    const auto start = std::chrono::steady_clock::now();
    const std::string what = error_of(op, "rcplan.backup.s3");
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
    CHECK_THAT(what, Catch::Contains("cannot reach the S3 service at " + endpoint));
    check_no_secret(what, where);
  }
}
