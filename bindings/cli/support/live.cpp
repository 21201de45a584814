#include "live.hpp"

#include "exit.hpp"
#include "redact.hpp"
#include "stop_signal.hpp"

#include <rcplan/error.hpp>

#include <chrono>
#include <cstdlib>

namespace rcplan::cli {

void add_pace_options(CLI::App& command, pace_options& o) {
  CLI::Option* budget =
      command
          .add_option("--latency-budget-ms", o.latency_budget_ms,
                      "The p99 latency a probe may see on a migrating node before the executor slows down (default: "
                      "the spec's migration.latencyBudgetMs, else " +
                          std::to_string(static_cast<int>(default_latency_budget_ms)) + "; 0: unpaced)")
          ->check(CLI::Range(0.0, max_latency_budget_ms));
  command.add_flag("--max-speed", o.max_speed, "Migrate as fast as the cluster goes: no latency budget")->excludes(budget);
  command.add_option("--max-keys-per-second", o.max_keys_per_second, "At most this many keys a second in MIGRATE (0: no cap)");
}

void apply_pace(const pace_options& o, redis::execute_options& eo) {
  if (o.max_speed) eo.latency_budget = std::chrono::microseconds(0);
  if (o.latency_budget_ms)
    eo.latency_budget = redis::latency_budget_of(*o.latency_budget_ms);
  if (o.max_keys_per_second) eo.max_keys_per_second = *o.max_keys_per_second;
}

void add_password_options(CLI::App& command, connection_options& o) {
  command.add_option("--password-file", o.password_file,
                     std::string{"File whose first line is the cluster password (else $"} + password_env + ")");
  command.add_option("--previous-password-file", o.previous_password_file,
                     "During a password change: file whose first line is the password being replaced; nodes "
                     "that still require it are reached with it while they learn the new one");
  command.add_option("--user", o.user,
                     std::string{"The Redis ACL user the password belongs to (else $"} + user_env +
                         ", else the default user); MIGRATE then authenticates with AUTH2");
  command.add_option("--parallel", o.parallel, "Migrations run at once within a wave")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  add_pace_options(command, o.pace);
}

void add_tls_options(CLI::App& command, tls_flags& o) {
  CLI::Option* tls = command.add_flag("--tls", o.enabled,
                                      "Connect to the nodes with TLS (TLS-only nodes: tls-port, tls-cluster yes)");
  command.add_option("--tls-ca-cert", o.ca_cert,
                     "With --tls: PEM file of the authority that signs the nodes' certificates (else the system's)")
      ->needs(tls);
  command.add_option("--tls-cert", o.cert,
                     "With --tls: PEM file of the client certificate (nodes with tls-auth-clients); needs --tls-key")
      ->needs(tls);
  command.add_option("--tls-key", o.key, "With --tls: PEM file of the client certificate's key")->needs(tls);
  command.add_option("--tls-server-name", o.server_name,
                     "With --tls: the name the nodes' certificates carry (else the address connected to)")
      ->needs(tls);
  command.add_flag("--tls-insecure", o.insecure,
                   "With --tls: do not check the nodes' certificates (encrypted but unauthenticated: for tests only)")
      ->needs(tls);
}

redis::tls_options tls_options_for(const tls_flags& o) {
  redis::tls_options t;
  if (!o.enabled) return t;
  t.enabled = true;
  t.ca_file = o.ca_cert;
  t.cert_file = o.cert;
  t.key_file = o.key;
  t.server_name = o.server_name;
  t.verify_peer = !o.insecure;
  try {
    redis::check_tls_options(t);
  } catch (const rcplan::error& e) {
    throw input_error(e.what());
  }
  return t;
}

void add_connection_options(CLI::App& command, connection_options& o, bool require_redis) {
  CLI::Option* redis = command.add_option("--redis", o.redis, "HOST:PORT of a cluster node; may be repeated")
                           ->allow_extra_args(false);
  if (require_redis) redis->required();
  add_password_options(command, o);
  add_tls_options(command, o.tls);
}

void require_one_source(const std::string& cluster_nodes, const std::vector<std::string>& redis) {
  if (cluster_nodes.empty() && redis.empty())
    throw CLI::ValidationError("--cluster-nodes is required, or --redis HOST:PORT for a live cluster");
  if (!cluster_nodes.empty() && !redis.empty())
    throw CLI::ValidationError("give only one of --cluster-nodes (a dump) and --redis (a live cluster)");
}

redis::secret resolve_password(const connection_options& o) {
  redis::secret s;
  try {
    s = o.password_file.empty() ? redis::password_from_env(password_env) : redis::read_password_file(o.password_file);
    const char* env_user = std::getenv(user_env);
    const std::string user = !o.user.empty() ? o.user : env_user != nullptr ? std::string{env_user} : std::string{};
    if (!user.empty()) {
      redis::check_user_name(user, o.user.empty() ? std::string{"$"} + user_env : std::string{"--user"});
      s = s.for_user(user);
    }
  } catch (const rcplan::error& e) {
    throw input_error(e.what());
  }
  remember_secret(s.reveal());
  return s;
}

redis::secret resolve_previous_password(const connection_options& o, const redis::secret& current) {
  if (o.previous_password_file.empty()) return {};
  redis::secret s;
  try {
    s = redis::read_password_file(o.previous_password_file).for_user(current.user());
  } catch (const rcplan::error& e) {
    throw input_error(e.what());
  }
  remember_secret(s.reveal());
  return s;
}

std::vector<address> parse_seeds(const std::vector<std::string>& texts) {
  std::vector<address> out;
  for (const std::string& t : texts) {
    try {
      out.push_back(redis::parse_address(t));
    } catch (const rcplan::error& e) {
      throw input_error("--redis \"" + t + "\": " + e.what());
    }
  }
  return out;
}

std::string describe_seeds(const std::vector<address>& seeds) {
  std::string out;
  for (const address& a : seeds) out += (out.empty() ? "" : ", ") + a.host + ':' + std::to_string(a.port);
  return out;
}

topology observe_cluster(const std::vector<address>& seeds, const redis::secret& password, bool keys_per_slot,
                         const redis::tls_options& tls) {
  redis::observe_options oo;
  oo.password = password;
  oo.tls = tls;
  oo.keys_per_slot = keys_per_slot;
  return observe_cluster(seeds, oo);
}

topology observe_cluster(const std::vector<address>& seeds, const redis::observe_options& options) {
  try {
    return redis::observe(seeds, options);
  } catch (const rcplan::error& e) {
    throw input_error("cannot observe the cluster from " + describe_seeds(seeds) + ": " + e.what());
  }
}

redis::execute_options execute_options_for(const connection_options& o, const redis::secret& password,
                                           progress_reporter& progress) {
  redis::execute_options eo;
  eo.password = password;
  eo.parallel = o.parallel;
  eo.tls = tls_options_for(o.tls);
  apply_pace(o.pace, eo);
  eo.progress = progress.callback();
  eo.stop = &stop_requested();
  return eo;
}

}  // namespace rcplan::cli
