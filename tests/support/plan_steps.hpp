#pragma once

// Test support: the actions of one kind among a plan's (or a repair's) steps, in step order.

#include <rcplan/plan/plan.hpp>

#include <variant>
#include <vector>

namespace rcplan_test {

template <typename A>
[[nodiscard]] std::vector<A> actions_of(const std::vector<rcplan::step>& steps) {
  std::vector<A> out;
  for (const auto& s : steps)
    if (const auto* x = std::get_if<A>(&s.action)) out.push_back(*x);
  return out;
}

template <typename A, typename HasSteps>
[[nodiscard]] std::vector<A> actions_of(const HasSteps& p) {
  return actions_of<A>(p.steps);
}

}  // namespace rcplan_test
