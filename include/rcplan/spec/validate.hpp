#pragma once

// Checks a desired spec before anything is planned from it. Every problem is reported at
// once, each naming the field it is about, so that a user fixes a resource in one pass.

#include <rcplan/config.hpp>
#include <rcplan/diagnostic.hpp>
#include <rcplan/model/limits.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/spec/codes.hpp>
#include <rcplan/spec/config_keys.hpp>
#include <rcplan/spec/quantity.hpp>
#include <rcplan/spec/spec.hpp>
#include <rcplan/spec/detail/validate.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan {

/// Every problem of `spec` at once: errors that make it unusable and warnings about settings
/// that are legal but risky. Absent masterSize/clusterReplicas are checked at their defaults.
/// Messages quote field values except secrets; the password itself never appears in a spec
/// (only the name of its Secret), and reserved config keys are reported without their value.
[[nodiscard]] RCPLAN_ENTRY std::vector<diagnostic> validate(const cluster_spec& spec);

/// validate(spec) and the resource's name, which every object it creates is named after
/// (`drc-<name>-<shard>`): it must be a DNS label of 1 to 50 characters (lower-case letters,
/// digits and '-', starting with a letter and ending with a letter or digit), which leaves the
/// pod names Kubernetes derives from it within 63.
[[nodiscard]] RCPLAN_ENTRY std::vector<diagnostic> validate(const cluster_resource& r);

/// Checks a RedisClusterBackup spec as the original operator does before it runs a backup.
[[nodiscard]] RCPLAN_ENTRY std::vector<diagnostic> validate(const backup_spec& spec);

/// Whether Redis can take `name` as an ACL user name in a `user` line of redis.conf or an AUTH:
/// not empty, no space, quote or control character (redis.conf splits its lines at spaces and
/// reads quotes as the start of a quoted word).
[[nodiscard]] constexpr bool acl_user_name_ok(std::string_view name) noexcept {
  return !name.empty() && std::none_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) <= ' ' || c == '\x7f' || c == '"' || c == '\'';
  });
}

/// Whether any diagnostic is an error (warnings and infos do not block planning).
[[nodiscard]] inline bool has_errors(const std::vector<diagnostic>& diags) noexcept {
  return std::any_of(diags.begin(), diags.end(), [](const diagnostic& d) { return d.severity == severity::error; });
}

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/spec/impl/validate.hpp>
#endif
