#include "scratch.hpp"

#include <rcplan/error.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

namespace rcplan::backup::detail {

scratch_dir::scratch_dir(const std::filesystem::path& base) {
  std::error_code ec;
  const std::filesystem::path parent = base.empty() ? std::filesystem::temp_directory_path(ec) : base;
  if (!base.empty()) std::filesystem::create_directories(parent, ec);
  std::string pattern = (parent / "rcplan-backup-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr)
    throw error("rcplan.backup.scratch", "cannot create a temporary directory in " + parent.string() + ": " +
                                             std::strerror(errno));
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace rcplan::backup::detail
