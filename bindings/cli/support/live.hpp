#pragma once

// What every command that talks to a live cluster shares: the seed addresses (--redis, any
// number of times), the password (--password-file or RCPLAN_PASSWORD, never printed) and its
// ACL user (--user or RCPLAN_USER), how many migrations may run at once (--parallel), and how to
// reach TLS-only nodes (--tls and its files).

#include "progress.hpp"

#include <rcplan/model/node.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/redis/execute.hpp>
#include <rcplan/redis/observe.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/redis/tls.hpp>

#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rcplan::cli {

/// The environment variable that holds the password when no --password-file is given.
inline constexpr const char* password_env = "RCPLAN_PASSWORD";
/// The environment variable that names the password's ACL user when no --user is given.
inline constexpr const char* user_env = "RCPLAN_USER";

/// How fast migrations may go (--latency-budget-ms, --max-speed, --max-keys-per-second). What is
/// not given is left to the spec's `migration`, else to the executor's defaults.
struct pace_options {
  std::optional<double> latency_budget_ms;
  bool max_speed = false;
  std::optional<std::uint64_t> max_keys_per_second;
};

/// --tls, --tls-ca-cert, --tls-cert, --tls-key, --tls-server-name, --tls-insecure as typed.
struct tls_flags {
  bool enabled = false;
  std::string ca_cert;
  std::string cert;
  std::string key;
  std::string server_name;
  bool insecure = false;
};

struct connection_options {
  std::vector<std::string> redis;  ///< HOST:PORT as typed
  std::string password_file;
  /// --previous-password-file: during a password change, the password being replaced.
  std::string previous_password_file;
  std::string user;  ///< --user: the ACL user the password belongs to (empty: $RCPLAN_USER, else default)
  int parallel = redis::default_parallel;
  pace_options pace;
  tls_flags tls;
};

/// Adds --tls, --tls-ca-cert, --tls-cert, --tls-key, --tls-server-name and --tls-insecure; each
/// of the others without --tls is a usage error naming it.
void add_tls_options(CLI::App& command, tls_flags& o);

/// The TLS options of the flags, checked (redis::check_tls_options): a file that is missing or
/// unreadable, a certificate without its key, is an input_error naming it. TLS off without --tls.
[[nodiscard]] redis::tls_options tls_options_for(const tls_flags& o);

/// Adds --latency-budget-ms, --max-speed and --max-keys-per-second.
void add_pace_options(CLI::App& command, pace_options& o);

/// Sets in `eo` what the pace flags gave.
void apply_pace(const pace_options& o, redis::execute_options& eo);

/// Adds --redis (required when `require_redis`), --password-file, --parallel, the pace flags and
/// the TLS flags.
void add_connection_options(CLI::App& command, connection_options& o, bool require_redis);

/// Adds only --password-file, --parallel and the pace flags (commands that find their nodes
/// themselves).
void add_password_options(CLI::App& command, connection_options& o);

/// Refuses (usage error) a command given both or neither of --cluster-nodes and --redis.
void require_one_source(const std::string& cluster_nodes, const std::vector<std::string>& redis);

/// The password of --password-file, else of RCPLAN_PASSWORD, else none, for the ACL user of
/// --user, else of RCPLAN_USER, else the default user. Remembered for redaction, so that no
/// message can show it. A malformed user name is an input_error.
[[nodiscard]] redis::secret resolve_password(const connection_options& o);

/// The password of --previous-password-file (empty without it), for the same ACL user as
/// `current`; remembered for redaction like the password.
[[nodiscard]] redis::secret resolve_previous_password(const connection_options& o, const redis::secret& current);

/// The --redis addresses. Throws input_error naming the malformed one.
[[nodiscard]] std::vector<address> parse_seeds(const std::vector<std::string>& texts);

/// "127.0.0.1:7000, 127.0.0.1:7001" for messages.
[[nodiscard]] std::string describe_seeds(const std::vector<address>& seeds);

/// Observes the cluster the seeds belong to, connecting with `tls`. A failure names the seeds
/// (exit code 1).
[[nodiscard]] topology observe_cluster(const std::vector<address>& seeds, const redis::secret& password,
                                       bool keys_per_slot, const redis::tls_options& tls);

/// The same with every observation option given; the password is `options.password`.
[[nodiscard]] topology observe_cluster(const std::vector<address>& seeds, const redis::observe_options& options);

/// Execution options for `o` (its TLS flags included), reporting to `progress`.
[[nodiscard]] redis::execute_options execute_options_for(const connection_options& o, const redis::secret& password,
                                                         progress_reporter& progress);

}  // namespace rcplan::cli
