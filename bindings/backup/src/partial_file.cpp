#include "partial_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace rcplan::backup::detail {

namespace {

[[nodiscard]] std::filesystem::path with_suffix(std::filesystem::path p) {
  p += ".partial";
  return p;
}

void fsync_directory_of(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const bool ok = fd >= 0 && ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (!ok) throw file_error("cannot flush the directory " + dir.string() + " (" + std::strerror(err) + ")");
}

}  // namespace

partial_file::partial_file(std::filesystem::path final_path)
    : final_path_(std::move(final_path)), partial_path_(with_suffix(final_path_)) {
  fd_ = ::open(partial_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) fail("cannot create");
  // an existing file keeps its mode through O_TRUNC
  if (::fchmod(fd_, 0600) != 0) fail("cannot restrict the permissions of");
}

partial_file::~partial_file() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(partial_path_.c_str());
}

void partial_file::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
    if (n >= 0)
      bytes.remove_prefix(static_cast<std::size_t>(n));
    else if (errno != EINTR)
      fail("cannot write");
  }
}

void partial_file::commit() {
  if (::fsync(fd_) != 0) fail("cannot flush");
  const int fd = fd_;
  fd_ = -1;
  // close() reports write errors some file systems (NFS) only find out about now
  if (::close(fd) != 0) fail("cannot close");
  if (::rename(partial_path_.c_str(), final_path_.c_str()) != 0) {
    const int err = errno;
    throw file_error("cannot rename " + partial_path_.string() + " to " + final_path_.string() + " (" +
                     std::strerror(err) + ")");
  }
  committed_ = true;
  try {
    fsync_directory_of(final_path_);
  } catch (const file_error&) {
    // a file whose name may not survive a crash is no backup to hand out
    ::unlink(final_path_.c_str());
    throw;
  }
}

void partial_file::fail(const char* doing) const {
  const int err = errno;
  throw file_error(std::string{doing} + " " + partial_path_.string() + " (" + std::strerror(err) + ")");
}

}  // namespace rcplan::backup::detail
