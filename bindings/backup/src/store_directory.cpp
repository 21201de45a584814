#include "store_detail.hpp"

#include <rcplan/error.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace rcplan::backup::detail {
namespace {

namespace fs = std::filesystem;

[[nodiscard]] std::error_code sync_path(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {errno, std::generic_category()};
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  return rc == 0 ? std::error_code{} : std::error_code{saved, std::generic_category()};
}

[[nodiscard]] bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::equivalent(a, b, ec) && !ec;
}

[[noreturn]] void fail_removing(const fs::path& partial, const std::string& what, const std::error_code& ec) {
  std::error_code ignored;
  fs::remove(partial, ignored);
  throw error("rcplan.backup.store", what + ": " + ec.message());
}

/// Copies `from` to `to` through `partial` next to it.
void copy_durably(const fs::path& from, const fs::path& partial, const fs::path& to, const std::string& what) {
  std::error_code ec;
  fs::copy_file(from, partial, fs::copy_options::overwrite_existing, ec);
  if (ec) fail_removing(partial, what, ec);
  commit_file(partial, to, what);
}

class directory_store final : public store {
 public:
  directory_store(fs::path dir, std::string url) : dir_(std::move(dir)), url_(std::move(url)) {}

  [[nodiscard]] std::string where() const override { return url_; }

  void put(const fs::path& local_file, const std::string& name) override {
    check_name(name);
    const fs::path target = dir_ / name;
    if (same_file(local_file, target)) {  // a snapshot written straight into local_path(name)
      if (const auto ec = sync_path(target, 0))
        throw error("rcplan.backup.store", "cannot sync " + target.string() + ": " + ec.message());
      return;
    }
    copy_durably(local_file, dir_ / (name + ".partial"), target,
                 "cannot store " + local_file.string() + " as " + name + " in " + url_);
  }

  void get(const std::string& name, const fs::path& local_file) override {
    check_name(name);
    if (!size(name)) throw error("rcplan.backup.store", url_ + " holds no " + name);
    const fs::path source = dir_ / name;
    if (same_file(source, local_file)) return;
    const std::string what = "cannot copy " + name + " from " + url_ + " to " + local_file.string();
    std::error_code ec;
    fs::create_directories(parent_of(local_file), ec);
    if (ec) throw error("rcplan.backup.store", what + ": " + ec.message());
    copy_durably(source, parent_of(local_file) / (local_file.filename().string() + ".partial"), local_file, what);
  }

  [[nodiscard]] bool exists(const std::string& name) override { return size(name).has_value(); }

  [[nodiscard]] std::optional<std::uint64_t> size(const std::string& name) override {
    check_name(name);
    const fs::path path = dir_ / name;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) return std::nullopt;
    // Only "not there" means absent: an unreadable directory must not pass for an empty one.
    if (ec) throw error("rcplan.backup.store", "cannot look up " + name + " in " + url_ + ": " + ec.message());
    if (!fs::is_regular_file(st)) return std::nullopt;
    const std::uintmax_t n = fs::file_size(path, ec);
    if (ec) throw error("rcplan.backup.store", "cannot look up " + name + " in " + url_ + ": " + ec.message());
    return static_cast<std::uint64_t>(n);
  }

  [[nodiscard]] std::optional<fs::path> local_path(const std::string& name) const override {
    check_name(name);
    return dir_ / name;
  }

 private:
  fs::path dir_;
  std::string url_;
};

}  // namespace

fs::path parent_of(const fs::path& file) { return file.has_parent_path() ? file.parent_path() : fs::path("."); }

void commit_file(const fs::path& partial, const fs::path& to, const std::string& what) {
  std::error_code ec = sync_path(partial, 0);
  if (!ec) fs::rename(partial, to, ec);
  if (!ec) ec = sync_path(parent_of(to), O_DIRECTORY);
  if (ec) fail_removing(partial, what, ec);
}

std::unique_ptr<store> open_directory_store(const fs::path& dir, std::string url) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec))
    throw error("rcplan.backup.store",
                "cannot use " + url + " as a backup directory: " + (ec ? ec.message() : "not a directory"));
  return std::make_unique<directory_store>(dir, std::move(url));
}

}  // namespace rcplan::backup::detail
