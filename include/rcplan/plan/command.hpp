#pragma once

// What lowering produces: one Redis command for one node, or a key-moving loop that needs the
// server's answers; and what lowering needs to know beyond the action (`lower_context`).

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/plan/action.hpp>
#include <rcplan/spec/spec.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rcplan {

/// Stands where the password goes in a lowered command (MIGRATE ... AUTH, CONFIG SET of a
/// secret); only the executing binding replaces it, so plans, logs and JSON never carry it.
inline constexpr std::string_view password_placeholder = secret_placeholder;

/// One Redis command sent to one node.
struct redis_command {
  node_id node;
  std::vector<std::string> argv;
  friend bool operator==(const redis_command&, const redis_command&) = default;
};

/// Step 3 of a slot migration, which needs the server's answers: repeat
/// `CLUSTER GETKEYSINSLOT slot batch` on `source`, then
/// `MIGRATE host port "" 0 timeout [AUTH password] KEYS k...` toward `target`, until the slot is
/// empty on `source`.
struct move_keys {
  node_id source;
  node_id target;
  slot number = 0;
  std::string target_host;
  std::uint16_t target_port = 0;
  std::size_t batch = 0;
  std::uint32_t timeout_ms = 0;
  bool auth = false;  ///< MIGRATE needs `AUTH <password_placeholder>`
  friend bool operator==(const move_keys&, const move_keys&) = default;
};

using lowered_command = std::variant<redis_command, move_keys>;

/// What lowering needs to know beyond the action itself.
struct lower_context {
  /// Every node of the cluster (addresses for MEET and MIGRATE; masters to notify).
  std::vector<cluster_node> nodes;
  bool password = false;
  std::size_t key_batch = static_cast<std::size_t>(default_key_batch_size);
  std::uint32_t migrate_timeout_ms = static_cast<std::uint32_t>(default_migrate_timeout_ms);
  /// Step 6 of a migration: tell every other master the new owner, which saves clients a
  /// redirection; Redis would otherwise learn it by gossip.
  bool notify_other_masters = true;
};

}  // namespace rcplan
