#pragma once

// Test support: whether a test that lacks a tool or a machine feature may skip.

#include <cstdlib>
#include <string>

namespace rcplan_test {

/// Whether a missing tool must fail a test rather than skip it: on CI (CI=true) every test runs.
inline bool tools_required() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace rcplan_test
