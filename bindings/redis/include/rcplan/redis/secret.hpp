#pragma once

// The cluster password as the bindings hold it: read from a file or an environment variable,
// handed to the connection layer, and never printed. `secret` has no stream operator and no
// accessor that returns a copy by accident; only the connection code asks for the value.
//
// A password may belong to a Redis 6+ ACL user: the secret then carries the user's name (not
// a secret itself: messages may name it), and every AUTH the bindings send names the user
// (MIGRATE authenticates with AUTH2). Without a user name it is the default user's password.

#include <filesystem>
#include <string>
#include <string_view>

namespace rcplan::redis {

class secret {
 public:
  secret() = default;
  explicit secret(std::string value, std::string user = {}) : value_(std::move(value)), user_(std::move(user)) {}

  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
  /// The password itself: only for AUTH, MIGRATE ... AUTH and CONFIG SET of a secret.
  [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
  /// The ACL user the password belongs to; empty for the default user.
  [[nodiscard]] const std::string& user() const noexcept { return user_; }
  /// The same password for `name` (empty: the default user).
  [[nodiscard]] secret for_user(std::string name) const { return secret{value_, std::move(name)}; }

 private:
  std::string value_;
  std::string user_;
};

/// Refuses (rcplan::error `rcplan.redis.user`) an ACL user name Redis could not take in one
/// AUTH argument: empty, or holding a space, a quote or a control character (acl_user_name_ok);
/// `where` names its source.
void check_user_name(const std::string& name, const std::string& where);

/// The password in `path` (its first line, without the line end). Throws rcplan::error
/// (`rcplan.redis.password_file`) naming the path, never the content, when it cannot be read.
[[nodiscard]] secret read_password_file(const std::filesystem::path& path);

/// The password in environment variable `name`; empty when unset.
[[nodiscard]] secret password_from_env(std::string_view name);

}  // namespace rcplan::redis
