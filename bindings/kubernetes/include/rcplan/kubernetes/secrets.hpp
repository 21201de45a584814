#pragma once

// Reading a Secret's value: the passwords of clusters (the resource's passwordSecret, key
// `password`). The value only ever lives in an rcplan::redis::secret, which never prints it.

#include <rcplan/kubernetes/client.hpp>
#include <rcplan/redis/secret.hpp>

#include <optional>
#include <string>

namespace rcplan::kubernetes {

/// The key every password Secret holds the password under.
inline constexpr const char* password_key = "password";

/// The decoded value of `key` in Secret `ns`/`name`; nothing when the Secret or the key does not
/// exist. Throws rcplan::error (`rcplan.kubernetes.secret`, naming the Secret and the key, not
/// the value) when the value is not base64, and the client's errors.
[[nodiscard]] std::optional<redis::secret> read_secret_value(client& c, const std::string& ns, const std::string& name,
                                                             const std::string& key = password_key);

}  // namespace rcplan::kubernetes
