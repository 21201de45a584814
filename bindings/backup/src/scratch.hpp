#pragma once

// Temporary places for files on their way to or from a store: a private directory removed
// with everything in it, and a file removed when the scope ends.

#include <filesystem>

namespace rcplan::backup::detail {

class scratch_dir {
 public:
  /// A new private (0700) directory under `base`, or the system's temp dir when empty.
  explicit scratch_dir(const std::filesystem::path& base);
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir();
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

class remove_after {
 public:
  explicit remove_after(std::filesystem::path file) : file_(std::move(file)) {}
  remove_after(const remove_after&) = delete;
  remove_after& operator=(const remove_after&) = delete;
  ~remove_after() {
    std::error_code ec;
    std::filesystem::remove(file_, ec);
  }

 private:
  std::filesystem::path file_;
};

}  // namespace rcplan::backup::detail
