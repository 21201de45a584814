#pragma once

#include <ctime>
#include <string>

namespace rcplan::controller::detail {

/// Now, as Kubernetes writes times (RFC 3339, UTC, seconds).
inline std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace rcplan::controller::detail
