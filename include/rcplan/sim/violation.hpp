#pragma once

// What the simulator reports when a command breaks a rule: Redis' own refusals, the
// invariants of design §6, and commands it does not understand. Invariant names are stable:
// tests and users' properties match on them.

#include <string>

namespace rcplan::sim {

/// A rule of design §6 (or of Redis itself) that a command broke.
struct violation {
  std::string invariant;  ///< stable name, one of `invariant::*`
  std::string detail;     ///< which slot, which nodes
  friend bool operator==(const violation&, const violation&) = default;
};

/// The names a `violation` carries.
namespace invariant {
/// The command (or its CLUSTER subcommand, arity or an argument) is not one the simulator
/// models, so it cannot vouch for it: a misspelled or new command from `lower()` lands here.
inline constexpr const char* unknown_command = "unknown_command";
inline constexpr const char* unknown_node = "unknown_node";          ///< sent to a node that does not exist
inline constexpr const char* node_unreachable = "node_unreachable";  ///< sent to a dead node
inline constexpr const char* redis_refused = "redis_refused";        ///< Redis would answer with an error
inline constexpr const char* slot_unowned = "slot_unowned";
inline constexpr const char* slot_contested = "slot_contested";
inline constexpr const char* keys_not_conserved = "keys_not_conserved";
inline constexpr const char* keys_stranded = "keys_stranded";
inline constexpr const char* open_slot_unpaired = "open_slot_unpaired";
inline constexpr const char* replica_without_master = "replica_without_master";
inline constexpr const char* replica_auth_broken = "replica_auth_broken";
inline constexpr const char* forget_nonempty = "forget_nonempty";
inline constexpr const char* replica_colocated = "replica_colocated";
}  // namespace invariant

}  // namespace rcplan::sim
