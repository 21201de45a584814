#pragma once

// wait_until steps: poll the condition against the live nodes until it holds or times out.

#include "context.hpp"

#include <rcplan/plan/action.hpp>

#include <cstddef>

namespace rcplan::redis::detail {

/// Whether the condition holds right now. Failures to reach a node count as "not yet".
[[nodiscard]] bool holds(exec_context& ctx, const wait_until& w);

/// Polls until `w` holds (true) or its timeout passes (false, with a diagnostic).
[[nodiscard]] bool run_wait(exec_context& ctx, std::size_t step, const wait_until& w);

}  // namespace rcplan::redis::detail
