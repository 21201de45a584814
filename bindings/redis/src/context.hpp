#pragma once

// What every part of one execute() call shares, and the helpers for sending commands with
// retries on transient failures.

#include "connection.hpp"
#include "directory.hpp"
#include "pacer.hpp"
#include "reporter.hpp"

#include <rcplan/model/topology.hpp>
#include <rcplan/plan/lower.hpp>
#include <rcplan/redis/execute.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

namespace rcplan::redis::detail {

struct exec_context {
  const execute_options& options;
  const topology& observed;
  directory& dir;
  reporter& rep;
  lower_context lowering;
  /// How fast migrations go: shared by the wave's migrations.
  pacer& pacing;
  /// (target, source) pairs whose claims the wave's start settled at the target (claims.hpp):
  /// their migrations need no settling slot of their own. Written before the wave's
  /// migrations start, read-only while they run.
  std::set<std::pair<node_id, node_id>> claims_settled;
};

/// Errors that go away by themselves: a slot moving, a node loading or failing over, a MIGRATE
/// whose target did not answer in time.
[[nodiscard]] bool transient(const reply& r) noexcept;

/// The value of field `name` in an INFO or CLUSTER INFO text (`name:value` lines), or nullopt.
[[nodiscard]] std::optional<std::string_view> info_value(std::string_view info, std::string_view name);

/// execute_options::stop is set and reads true: start nothing new.
[[nodiscard]] inline bool stop_requested(const execute_options& o) { return o.stop != nullptr && o.stop->load(); }

/// Sleeps before retry number `attempt` (0-based): 10 ms doubling, at most 1 s.
void backoff(int attempt);

/// The command's name for messages: never its arguments, which may hold the password or keys.
[[nodiscard]] std::string command_name(const argv& a);

/// The argv with the password in place of the placeholder where lowering put one: after AUTH
/// (MIGRATE; AUTH2 USER PASSWORD when the password belongs to an ACL user) and as the value of
/// a secret CONFIG SET.
[[nodiscard]] argv with_password(argv a, const secret& password, bool secret_value);

/// Sends one command to `node`, reconnecting and retrying transient failures up to
/// options.max_retries times. False (with a diagnostic naming the step and node) when it never
/// got an answer; otherwise the answer, which may be an error, is in `out`.
[[nodiscard]] bool send(exec_context& ctx, node_pool& pool, std::size_t step, const node_id& node, const argv& a,
                        reply& out);

}  // namespace rcplan::redis::detail
