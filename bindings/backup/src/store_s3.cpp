#include "store_detail.hpp"
#include "store_process.hpp"
#include "store_rclone.hpp"

#include <rcplan/error.hpp>

#include <nlohmann/json.hpp>

#include <system_error>

namespace rcplan::backup::detail {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// Lookups are small requests; transfers may move many GiB, and rclone's own --timeout (no
// progress for 30 s) already stops one that hangs.
constexpr std::chrono::milliseconds lookup_timeout = 2min;
constexpr std::chrono::milliseconds transfer_timeout = 12h;

[[nodiscard]] fs::path find_rclone() {
  if (auto path = find_executable("rclone")) return *path;
  throw error("rcplan.backup.rclone",
              "rclone is not installed (not found on PATH); S3 backup locations need it: install Debian's "
              "rclone package (apt-get install -y rclone)");
}

void check_endpoint(const std::string& endpoint) {
  if (endpoint.empty() || endpoint.rfind("http://", 0) == 0 || endpoint.rfind("https://", 0) == 0) return;
  throw error("rcplan.backup.store",
              "S3 endpoint " + without_userinfo(endpoint) + " is not an http:// or https:// URL");
}

class s3_store final : public store {
 public:
  s3_store(const store_location& location, s3_target target)
      : rclone_(find_rclone()), target_(std::move(target)), url_(location.url),
        service_(service_name(location.s3_endpoint, location.s3_region)), credentials_(location.credentials),
        env_(rclone_environment(current_environment(), location)) {}

  [[nodiscard]] std::string where() const override { return url_; }

  void put(const fs::path& local_file, const std::string& name) override {
    check_name(name);
    std::error_code ec;
    if (!fs::is_regular_file(local_file, ec))
      throw error("rcplan.backup.store", "cannot upload " + local_file.string() + " as " + name + " to " + url_ +
                                             ": not a readable file");
    // One PUT (or one completed multipart upload) per object: S3 never shows a partial one.
    const child_result r =
        rclone({"copyto", "--ignore-times", fs::absolute(local_file).string(), remote(name)}, transfer_timeout);
    if (r.exit_code != 0) fail("uploading " + name + " to " + url_, r);
  }

  void get(const std::string& name, const fs::path& local_file) override {
    const auto expected = size(name);
    if (!expected) throw error("rcplan.backup.store", url_ + " holds no " + name);
    const fs::path target = fs::absolute(local_file);
    const fs::path partial = parent_of(target) / (target.filename().string() + ".partial");
    std::error_code ec;
    fs::remove(partial, ec);
    const child_result r = rclone({"copyto", "--ignore-times", remote(name), partial.string()}, transfer_timeout);
    const std::string what = "downloading " + name + " from " + url_ + " to " + local_file.string();
    if (r.exit_code != 0) {
      fs::remove(partial, ec);
      fail(what, r);
    }
    std::uintmax_t got = fs::file_size(partial, ec);
    if (ec) got = 0;
    if (got != *expected) {
      fs::remove(partial, ec);
      throw error("rcplan.backup.s3", what + ": the download is incomplete (" + std::to_string(got) + " of " +
                                          std::to_string(*expected) + " bytes)");
    }
    commit_file(partial, target, what);
  }

  [[nodiscard]] bool exists(const std::string& name) override { return size(name).has_value(); }

  [[nodiscard]] std::optional<std::uint64_t> size(const std::string& name) override {
    check_name(name);
    const std::string what = "looking up " + name + " in " + url_;
    const child_result r = rclone({"lsjson", "--stat", "--no-mimetype", "--no-modtime", remote(name)}, lookup_timeout);
    if (r.exit_code != 0) fail(what, r);
    // A missing object reads as a directory: S3 has no directories, every prefix "exists".
    const auto entry = nlohmann::json::parse(r.out, nullptr, false);
    if (!entry.is_object()) throw error("rcplan.backup.s3", what + ": rclone printed no JSON object");
    if (entry.value("IsDir", false)) return std::nullopt;
    const auto bytes = entry.value("Size", std::int64_t{-1});
    if (bytes < 0) throw error("rcplan.backup.s3", what + ": the S3 service reports no size for it");
    return static_cast<std::uint64_t>(bytes);
  }

  [[nodiscard]] std::optional<fs::path> local_path(const std::string&) const override { return std::nullopt; }

 private:
  [[nodiscard]] std::string remote(const std::string& name) const {
    return std::string(rclone_remote) + ":" + target_.bucket + "/" + target_.prefix + name;
  }

  [[nodiscard]] child_result rclone(std::vector<std::string> args, std::chrono::milliseconds timeout) const {
    std::vector<std::string> argv = {rclone_.string(), "--retries", "1", "--low-level-retries", "2",
                                     "--contimeout", "5s", "--timeout", "30s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_child(argv, env_, timeout);
  }

  [[noreturn]] void fail(const std::string& what, const child_result& r) const {
    const rclone_context context{url_, target_.bucket, service_, credentials_};
    throw error(failure_id(r), failure_message(what, r, context));
  }

  fs::path rclone_;
  s3_target target_;
  std::string url_;
  std::string service_;
  s3_credentials credentials_;
  std::vector<std::string> env_;
};

}  // namespace

std::unique_ptr<store> open_s3_store(const store_location& location, s3_target target) {
  check_endpoint(location.s3_endpoint);
  return std::make_unique<s3_store>(location, std::move(target));
}

}  // namespace rcplan::backup::detail
