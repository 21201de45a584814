#pragma once

// Times as the API server writes them (conditions, Events, pod status): RFC 3339 in UTC, to the
// second.

#include <ctime>
#include <string>

namespace rcplan::kubernetes {

[[nodiscard]] inline std::string now_rfc3339() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace rcplan::kubernetes
