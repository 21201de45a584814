#pragma once

// A file written under a temporary name next to its final one and renamed into place only when
// complete and on disk: readers of the final name see the old file or the whole new one,
// never a part, and a crash leaves at worst a `.partial` file, never a truncated backup.

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rcplan::backup::detail {

/// What went wrong with the file, naming it.
class file_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class partial_file {
 public:
  /// Creates (or truncates) `final_path` + ".partial", readable by the owner only: a snapshot
  /// holds the whole dataset.
  explicit partial_file(std::filesystem::path final_path);
  partial_file(const partial_file&) = delete;
  partial_file& operator=(const partial_file&) = delete;
  /// Removes the partial file unless committed.
  ~partial_file();

  void write(std::string_view bytes);
  /// Flushes to disk, renames to the final name and flushes the directory entry too.
  void commit();

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return partial_path_; }

 private:
  [[noreturn]] void fail(const char* doing) const;

  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace rcplan::backup::detail
