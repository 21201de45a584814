#pragma once

// A target must not take slots with keys while it still carries a stale "owner stopped
// claiming" mark for them.
//
// Redis 7.0.13 added a per-slot mark, set when a slot's owner (as this node sees it) sends a
// message that does not claim the slot: while it is set, the node hands the slot to the next
// master that claims it, whatever that master's epoch. The mark is cleared only when the owner
// later claims the slot in a message that also changes what it claims; 7.0.x never clears it
// when the slot gets a new owner (a later Redis fix does, in clusterDelSlot). So a node can
// keep the mark on a slot for good — it is left behind whenever the node hears its owner's last
// message without the slot after it learnt the new owner (the owner's messages travel on two connections, and
// an executor tells the other masters the new owner directly). If that node later imports the
// slot, takes it with SETSLOT NODE, and then hears the source still claiming it (the source's
// own SETSLOT NODE comes a moment later), it gives the slot back and deletes the keys it has
// just received: the source has sent them away, so they are gone.
//
// The cure: before the target takes any slot of a migration, make it hear the source while its
// view of the source differs from what the source claims. Redis then walks every slot the
// source claims and clears the marks of those the target still assigns to the source — all the
// migration's slots. The executor makes that difference by letting the source give up one
// slot first (its keys already moved, the target still importing it), and makes the source
// speak at once with CLUSTER MEET of a node it already knows: the source opens a new bus
// connection and sends its claims in a MEET, which the target answers with a PONG that ends
// the source's handshake. That answer, and the target's count of MEET messages, show the
// target has taken the claims in.
//
// That slot redirects clients both ways until the target takes it (up to a cron tick of the
// source), and a client following redirections without pause gives up (redis-py: "TTL
// exhausted"). A target that owns no slot and has none open is settled the other way round,
// once per wave, before anything moves: it forgets one slot of each of its sources (CLUSTER
// DELSLOTS, in its own table only), so that each source's next message, forced with the same
// MEET, differs from what the target holds, clears the marks and gives the slot back. Clients
// never ask such a target anything, so nobody sees the moment in which it counts a slot as
// unassigned (and, with full coverage required, calls the cluster down). The forgotten slot
// keeps its own mark, so it is one that does not move to the target in that wave; and no
// UPDATE can come of it (a slot without an owner is never reported). When a source's answer
// does not come in time, the target gets the slot back from the executor (SETSLOT NODE) and
// that source's migrations settle the first way.

#include "context.hpp"
#include "directory.hpp"

#include <rcplan/model/node.hpp>
#include <rcplan/plan/action.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan::redis::detail {

/// How long a target may take to hear its source: one cron tick of the source (100 ms at
/// Redis' default hz) and an answer, with room for a busy machine.
inline constexpr std::chrono::milliseconds settle_timeout{5000};

/// Whether the server whose `INFO server` text this is can keep a stale "owner stopped
/// claiming" mark: Redis from 7.0.13, where the mark came in, up to 7.4, from which the fix is
/// certainly in (whether a 7.2 release has it is not checked, so they all count). Valkey,
/// which reports the Redis version it derives from as redis_version, has the fix. A text
/// without a version counts as affected.
[[nodiscard]] bool keeps_stale_unclaimed_marks(std::string_view info_server);

/// Makes `source` send its claims to `target` now (CLUSTER MEET of the target's bus address
/// as the source knows it) and waits until the target has taken them in, at most `timeout`.
/// False when that could not be confirmed; throws nothing.
/// Whether migrations into `target` must settle claims: per execute_options::settle_claims,
/// and for `automatic` by the target's INFO server (unreachable: yes).
[[nodiscard]] bool needs_claim_guard(const execute_options& o, node_pool& pool, const node_id& target);

/// Settles at once, at the target, every (target, source) pair of `jobs` (a wave's migrations)
/// whose target needs the guard, owns no slot and has none open (see above). Returns the pairs
/// settled; the others settle the first way. Throws nothing.
[[nodiscard]] std::set<std::pair<node_id, node_id>> settle_idle_targets(
    exec_context& ctx, const std::vector<std::pair<std::size_t, migrate_slots>>& jobs, std::chrono::milliseconds timeout);

[[nodiscard]] bool source_heard_by_target(node_pool& pool, directory& dir, const node_id& source,
                                          const node_id& target, std::chrono::milliseconds timeout);

}  // namespace rcplan::redis::detail
