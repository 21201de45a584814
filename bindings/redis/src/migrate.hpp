#pragma once

// One migrate_slots step: live resharding of its slots from source to target, in the order
// design §3 documents, a chunk of slots at a time with every per-node batch pipelined.

#include "context.hpp"

#include <rcplan/plan/action.hpp>

#include <cstddef>

namespace rcplan::redis::detail {

/// Moves every slot of `a` (whose ids are real node ids). True when all moved; otherwise the
/// diagnostics name the slots that may be left open.
[[nodiscard]] bool run_migration(exec_context& ctx, std::size_t step, const migrate_slots& a);

}  // namespace rcplan::redis::detail
