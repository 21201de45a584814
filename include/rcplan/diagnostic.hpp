#pragma once

// Diagnostics: the findings every validator and planner reports with its result, each with a
// stable code (spec_code, and the planners' codes in planner/codes.hpp).

#include <cstdint>
#include <string>

namespace rcplan {

enum class severity : std::uint8_t { info, warning, error };

/// A finding about an input or a plan: a stable machine-readable `code`, the `subject` it is
/// about (a spec field path such as `spec.masterSize`, a node id, a slot range) and a message
/// for people. Messages never contain secrets.
struct diagnostic {
  rcplan::severity severity = severity::error;
  std::string code;
  std::string subject;
  std::string message;

  friend bool operator==(const diagnostic&, const diagnostic&) = default;
};

}  // namespace rcplan
