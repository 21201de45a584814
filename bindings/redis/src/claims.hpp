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

#include "directory.hpp"

#include <rcplan/model/node.hpp>

#include <chrono>
#include <optional>
#include <string_view>

namespace rcplan::redis::detail {

/// Whether the server whose `INFO server` text this is can keep a stale "owner stopped
/// claiming" mark: Redis from 7.0.13, where the mark came in, up to 7.4, from which the fix is
/// certainly in (whether a 7.2 release has it is not checked, so they all count). Valkey,
/// which reports the Redis version it derives from as redis_version, has the fix. A text
/// without a version counts as affected.
[[nodiscard]] bool keeps_stale_unclaimed_marks(std::string_view info_server);

/// Makes `source` send its claims to `target` now (CLUSTER MEET of the target's bus address
/// as the source knows it) and waits until the target has taken them in, at most `timeout`.
/// False when that could not be confirmed; throws nothing.
[[nodiscard]] bool source_heard_by_target(node_pool& pool, directory& dir, const node_id& source,
                                          const node_id& target, std::chrono::milliseconds timeout);

}  // namespace rcplan::redis::detail
