#pragma once

// rapidcheck generators for the model layer: node ids, addresses, flags, slot sets, whole
// `CLUSTER NODES` views and `INFO replication` sections.
//
// Every generated value is representable in the text Redis prints, so
// `parse_cluster_nodes(format_cluster_nodes(v)) == v` holds for any `v` from
// `gen_cluster_view()` (and likewise for `gen_replication_info()`), which is what the parser
// round-trip tests rely on.
//
// Example:
//
//   #include <rcplan/testing/gen_model.hpp>
//   #include <rapidcheck/catch.h>
//
//   TEST_CASE("every master in a view owns disjoint slots") {
//     rc::prop("disjoint", [] {
//       const rcplan::cluster_view v = *rcplan::testing::gen_cluster_view();
//       rcplan::slot_set seen;
//       for (const rcplan::cluster_node& n : v.nodes) {
//         RC_ASSERT(!seen.intersects(n.slots));
//         seen |= n.slots;
//       }
//     });
//   }

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::testing {

/// 40 lowercase hex characters, the shape Redis gives node ids.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<node_id> gen_node_id();

/// Mostly IPv4 with the bus port at port + 10000; sometimes IPv6, a hostname, an unusual bus
/// port, or the `:0@0` form Redis prints for a node whose address it does not know yet.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<address> gen_address();

/// Flags of a peer line: master or replica (or neither, as for a node in handshake) plus any
/// liveness flags. `myself` is never set: only a view decides who the observer is.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<node_flags> gen_node_flags();

/// Empty, one contiguous range, or a fragmented set of several ranges.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<slot_set> gen_slot_set();

/// A slot being migrated to, or imported from, some peer.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<open_slot> gen_open_slot();

/// One peer line on its own: a master with some slots, or a replica of a random id. Replicas
/// carry no slots (Redis prints slots on master lines only); open slots are left to the view.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<cluster_node> gen_cluster_node();

/// A view one node could really print: unique ids, exactly one `myself` line (the observer),
/// replicas following masters of the view, masters owning disjoint slots, and open slots only
/// on the observer's line (migrating slots it owns, importing slots it does not, each toward
/// another master, sorted by slot as Redis prints them).
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<cluster_view> gen_cluster_view();

/// The `# Replication` section of a master (with its replicas' links) or of a replica
/// (with the state of its link to the master).
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<replication_info> gen_replication_info();

}  // namespace rcplan::testing

#if RCPLAN_TESTING_HEADER_ONLY
#include <rcplan/testing/impl/gen_model.hpp>
#endif
