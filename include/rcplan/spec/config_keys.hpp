#pragma once

// The keys of the spec's `config` map (redis.conf directives): how rcplan compares them (case
// does not matter to Redis) and which ones rcplan decides itself and refuses to take from a spec.

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <string_view>

namespace rcplan {

/// redis.conf directives whose value rcplan (or the pod template) must decide: changing them
/// through `config` would break cluster membership, persistence paths or authentication.
inline constexpr std::array<std::string_view, 14> reserved_config_keys = {
    "port",          "cluster-enabled",   "cluster-config-file", "cluster-port",
    "cluster-announce-ip", "cluster-announce-port", "cluster-announce-bus-port",
    "cluster-announce-hostname", "dir", "daemonize", "requirepass", "masterauth",
    "replicaof", "slaveof"};

/// `key` in lower case, the form Redis itself compares directives in.
[[nodiscard]] inline std::string config_key_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

/// Whether `key` (in any case) is one of reserved_config_keys.
[[nodiscard]] inline bool is_reserved_config_key(std::string_view key) {
  const std::string lower = config_key_lower(key);
  return std::find(reserved_config_keys.begin(), reserved_config_keys.end(), lower) != reserved_config_keys.end();
}

}  // namespace rcplan
