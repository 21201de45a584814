#pragma once

// Counting a plan's waves for the controller loop: wave numbers need not be consecutive.

#include <rcplan/plan/plan.hpp>

#include <set>

namespace rcplan::loop_detail {

/// The number of distinct waves of `p` (at least 1, as an executor's wave limit).
[[nodiscard]] inline int waves_of(const plan& p) {
  std::set<int> waves;
  for (const step& s : p.steps) waves.insert(s.wave);
  return waves.empty() ? 1 : static_cast<int>(waves.size());
}

}  // namespace rcplan::loop_detail
