#pragma once

// How the S3 store drives rclone: the child's environment (the only place its configuration and
// the credentials go) and the errors made of its exit status and output.

#include "store_process.hpp"

#include <rcplan/backup/store.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rcplan::backup::detail {

/// The rclone remote the environment defines, and the prefix of its variables (rclone reads
/// RCLONE_CONFIG_<REMOTE IN UPPER CASE>_<OPTION>).
inline constexpr std::string_view rclone_remote = "rcplanbackup";
inline constexpr std::string_view rclone_remote_env = "RCLONE_CONFIG_RCPLANBACKUP_";

/// `url` without a "user:password@" part, for messages.
[[nodiscard]] std::string without_userinfo(const std::string& url);

/// "the S3 service at http://host:9000" or "AWS S3 (region eu-west-1)", for messages.
[[nodiscard]] std::string service_name(const std::string& endpoint, const std::string& region);

/// `inherited` without RCLONE_* variables, plus the remote `rclone_remote` for `location`.
[[nodiscard]] std::vector<std::string> rclone_environment(const std::vector<std::string>& inherited,
                                                          const store_location& location);

/// `text` with every occurrence of either credential replaced by "<redacted>".
[[nodiscard]] std::string scrub(std::string text, const s3_credentials& credentials);

struct rclone_context {
  const std::string& url;
  const std::string& bucket;
  const std::string& service;
  const s3_credentials& credentials;
};

/// `rcplan.backup.rclone` when rclone could not be run, else `rcplan.backup.s3`.
[[nodiscard]] std::string failure_id(const child_result& r);

/// What went wrong while doing `what`: refused credentials, a missing bucket, an unreachable
/// service, or rclone's own last words, never holding a credential.
[[nodiscard]] std::string failure_message(const std::string& what, const child_result& r,
                                          const rclone_context& context);

}  // namespace rcplan::backup::detail
