#pragma once

// What one iteration of the reconcile loop executes of a plan.

#include <rcplan/plan/plan.hpp>

#include <map>
#include <variant>

namespace rcplan::redis::detail {

/// How many waves one iteration runs: the first, and the waves right after it that only wait
/// (for a handover, for the views). Re-planning before such a wait held would repeat the first
/// wave: a second CLUSTER FAILOVER restarts the handover it was meant to wait for.
[[nodiscard]] inline int first_wave_and_its_waits(const plan& p) {
  std::map<int, bool> only_waits;  // wave -> it holds nothing but wait_until steps
  for (const step& s : p.steps) {
    const bool wait = std::holds_alternative<wait_until>(s.action);
    const auto [it, fresh] = only_waits.try_emplace(s.wave, wait);
    if (!fresh) it->second = it->second && wait;
  }
  int n = 0;
  for (const auto& [wave, waits] : only_waits) {
    if (n > 0 && !waits) break;
    ++n;
  }
  return n > 0 ? n : 1;
}

}  // namespace rcplan::redis::detail
