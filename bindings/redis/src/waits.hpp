#pragma once

// wait_until steps: poll the condition against the live nodes until it holds or times out.

#include "context.hpp"

#include <rcplan/plan/action.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rcplan::redis::detail {

/// Whether the condition holds right now. Failures to reach a node count as "not yet".
[[nodiscard]] bool holds(exec_context& ctx, const wait_until& w);

/// Polls until `w` holds (true) or its timeout passes (false, with a diagnostic).
[[nodiscard]] bool run_wait(exec_context& ctx, std::size_t step, const wait_until& w);

/// One master's config epoch and the highest epoch it has heard of (CLUSTER INFO's
/// cluster_my_epoch and cluster_current_epoch).
struct master_epochs {
  node_id id;
  std::uint64_t config = 0;
  std::uint64_t current = 0;
};

/// Why a wave moving slots from `sources` to `targets` must not start yet, or empty.
///
/// A target claims a slot with SETSLOT NODE (raising its config epoch above every epoch it has
/// heard of) a moment before its source lets go. If in that moment the source's epoch rises
/// above the target's, the source's claim wins: the target gives the slot back and Redis
/// deletes the keys it holds of a slot it no longer owns, while the source has already sent
/// them away. A source's epoch rises when Redis settles a collision (two masters with one
/// epoch: the one with the greater id takes a new, highest epoch). So before a wave: no source
/// shares its epoch with another master, and every target has heard of every source's epoch
/// (its bump then lands above them, never on one).
[[nodiscard]] std::string epoch_hazard(const std::vector<master_epochs>& masters, const std::vector<node_id>& sources,
                                       const std::vector<node_id>& targets);

/// Polls the masters' epochs until epoch_hazard() finds nothing (true) or the wait timeout
/// passes (false, with a diagnostic naming the hazard). `sources` and `targets` are the ends of
/// the wave's migrations.
[[nodiscard]] bool settle_epochs(exec_context& ctx, std::size_t step, const std::vector<node_id>& sources,
                                 const std::vector<node_id>& targets);

}  // namespace rcplan::redis::detail
