#pragma once

// rapidcheck generators of whole observed topologies: Redis views from several observers,
// node-local observations and the Kubernetes pods and StatefulSets behind the nodes.
//
// `gen_topology(options)` produces exactly what the options ask for, so a property can rely on
// it: `failed_masters = 2` gives two masters that every view flags `fail`,
// `views_agree = false` gives `!rcplan::views_agree(t)`, `uncovered_slots = 10` gives
// `uncovered_slots(merged_nodes(t)).count() == 10`, and so on. Options that contradict each
// other (two failed masters out of one) make gen_topology throw std::invalid_argument; call
// `topology_options_error` first to check them. `gen_topology()` without options mixes every
// kind of cluster, healthy or not.
//
// Example:
//
//   #include <rcplan/testing/gen_topology.hpp>
//   #include <rapidcheck/catch.h>
//
//   TEST_CASE("a failed master without replicas blocks the plan") {
//     rcplan::testing::topology_options o;
//     o.failed_masters = 1;
//     o.failed_masters_have_replicas = false;
//     rc::prop("blocked", [o] {
//       const rcplan::topology t = *rcplan::testing::gen_topology(o);
//       RC_ASSERT(my_planner(t).status == rcplan::plan_status::blocked);
//     });
//   }
//
// Shape of what comes out. Shard i is StatefulSet `drc-<name>-i` holding master i and its
// replicas as pods `drc-<name>-i-<ordinal>`, the master at a random ordinal; pod ips are node
// addresses. Empty masters are the highest shards (new shards of a scale-up); failed masters
// hold slots, are unreachable, observe nothing and their pods are not ready. Open slots sit on
// one source master (migrating, it owns the slot) and one target master (importing), both
// observers, as a resharding between two masters leaves them.

#include <rcplan/config.hpp>
#include <rcplan/model/node.hpp>
#include <rcplan/model/pod.hpp>
#include <rcplan/model/replication.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/testing/gen_model.hpp>

#include <rapidcheck.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace rcplan::testing {

enum class slot_layout : std::uint8_t {
  contiguous,  ///< each slot-owning master one run of the covered slots, sizes within one slot
  fragmented,  ///< each slot-owning master several runs (at least two when there are two owners)
  weighted,    ///< one run each, sizes in proportion to uneven random weights
};

struct topology_options {
  std::size_t min_masters = 1;  ///< inclusive
  std::size_t max_masters = 6;  ///< inclusive, at most 256
  std::size_t min_replicas = 0;  ///< per master, inclusive
  std::size_t max_replicas = 2;  ///< per master, inclusive
  slot_layout layout = slot_layout::contiguous;
  std::size_t empty_masters = 0;   ///< masters owning no slot; fewer than min_masters
  std::size_t failed_masters = 0;  ///< slot-owning masters flagged `fail` in every view
  bool failed_masters_have_replicas = true;  ///< at least one replica each, or none
  std::size_t open_slot_pairs = 0;  ///< slots MIGRATING on the source and IMPORTING on the target
  std::size_t half_open_slots = 0;  ///< slots open on only one of the two sides
  std::size_t uncovered_slots = 0;  ///< slots no master claims
  std::size_t contested_slots = 0;  ///< slots claimed by two masters
  std::size_t views = 0;            ///< observers; 0: every reachable node
  bool views_agree = true;          ///< false: some view differs from the merged picture
  bool observations = true;         ///< one node_observation per node
  bool keys_per_slot = false;       ///< observations carry key counts (else `nullopt`)
  bool kubernetes = true;           ///< pods and StatefulSets
};

/// The fewest nodes that answer, over every master count `o` allows.
[[nodiscard]] RCPLAN_TESTING_ENTRY std::size_t min_reachable_nodes(const topology_options& o) noexcept;

/// Why `o` cannot be generated, or nullopt when it can.
[[nodiscard]] RCPLAN_TESTING_ENTRY std::optional<std::string> topology_options_error(const topology_options& o);

/// A topology with exactly the features `o` asks for. Throws std::invalid_argument when
/// `topology_options_error(o)` names a contradiction.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<topology> gen_topology(const topology_options& o);

/// Options that gen_topology accepts, mixing every feature: mostly a few, sometimes none.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<topology_options> gen_topology_options();

/// Any topology: healthy or degraded, one view or many, agreeing or not.
[[nodiscard]] RCPLAN_TESTING_ENTRY rc::Gen<topology> gen_topology();

}  // namespace rcplan::testing

#if RCPLAN_TESTING_HEADER_ONLY
#include <rcplan/testing/impl/gen_topology.hpp>
#endif
