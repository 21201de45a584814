#pragma once

// What every fuzz target shares: the input as text, and the rule that rcplan reports bad input
// with rcplan::error and nothing else — any other exception, a crash or a sanitizer report is
// a finding.

#include <rcplan/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rcplan_fuzz {

[[nodiscard]] inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Runs `f`, accepting the refusals rcplan promises for bad input.
template <typename F>
void refusals_allowed(F&& f) {
  try {
    f();
  } catch (const rcplan::error&) {
  }
}

}  // namespace rcplan_fuzz
