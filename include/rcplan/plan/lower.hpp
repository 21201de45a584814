#pragma once

// Lowering: an intent action becomes the exact Redis commands (argv) to send, in the order the
// cluster specification documents; slot migrations loop over keys through `move_keys`.

#include <rcplan/config.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/plan/command.hpp>
#include <rcplan/plan/detail/lowerer.hpp>

#include <iterator>
#include <variant>
#include <vector>

namespace rcplan {

/// The exact Redis commands that carry out `a`, in order (design §3). `migrate_slots` lowers,
/// per slot, to IMPORTING on the target, MIGRATING on the source, a `move_keys` loop, then
/// SETSLOT NODE on the target, the source and the other masters. Kubernetes actions and waits
/// lower to nothing: the binding performs them directly.
[[nodiscard]] RCPLAN_ENTRY std::vector<lowered_command> lower(const action& a, const lower_context& c);

/// The whole plan's steps lowered in order (steps of one wave one after another).
template <typename Steps>
[[nodiscard]] std::vector<lowered_command> lower_all(const Steps& steps, const lower_context& c) {
  std::vector<lowered_command> out;
  for (const auto& s : steps) {
    std::vector<lowered_command> part = lower(s.action, c);
    out.insert(out.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return out;
}

/// The argv of one MIGRATE call of a `move_keys` loop for `keys`.
[[nodiscard]] RCPLAN_ENTRY std::vector<std::string> migrate_argv(const move_keys& m, const std::vector<std::string>& keys,
                                                                 bool replace = false);

}  // namespace rcplan

#if RCPLAN_HEADER_ONLY
#include <rcplan/plan/impl/lower.hpp>
#endif
