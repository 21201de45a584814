// `rcplan keys load|verify|traffic --redis HOST:PORT --count N`: a numbered key set written to,
// checked on, or read and written by an application-like client of a live cluster. It is how
// the benchmark script loads its clusters, proves nothing was lost, and measures what clients
// see during a rebalance.

#include "cli.hpp"
#include "support/io.hpp"
#include "support/key_set.hpp"
#include "support/live.hpp"

#include <rcplan/error.hpp>
#include <rcplan/redis/client.hpp>

#include <atomic>
#include <csignal>
#include <iostream>
#include <memory>

namespace rcplan::cli {
namespace {

struct keys_cli_options {
  connection_options connection;
  key_set keys;
  double seconds = 10;
  output_format format = output_format::text;
};

std::atomic<bool> stop_requested{false};

extern "C" void request_stop(int) { stop_requested.store(true); }

redis::cluster_client connect_client(const keys_cli_options& o) {
  const std::vector<address> seeds = parse_seeds(o.connection.redis);
  redis::client_options co;
  co.password = resolve_password(o.connection);
  co.previous_password = resolve_previous_password(o.connection, co.password);
  co.tls = tls_options_for(o.connection.tls);
  try {
    return redis::cluster_client(seeds, co);
  } catch (const rcplan::error& e) {
    throw input_error("cannot reach the cluster from " + describe_seeds(seeds) + ": " + e.what());
  }
}

nlohmann::ordered_json counters_json(const redis::client_counters& c) {
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (const auto& [kind, n] : c.by_kind) kinds[kind] = n;
  return {{"commands", c.commands}, {"moved", c.moved},   {"ask", c.ask},
          {"retried", c.retries},   {"failed", c.errors}, {"by_kind", kinds}};
}

void run_load(const keys_cli_options& o) {
  redis::cluster_client client = connect_client(o);
  const auto started = std::chrono::steady_clock::now();
  load_keys(client, o.keys);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.format == output_format::json)
    print_json(std::cout, {{"loaded", o.keys.count}, {"seconds", seconds}, {"client", counters_json(client.counters())}});
  else
    std::cout << "loaded " << o.keys.count << " keys of " << o.keys.value_size << " bytes in " << seconds << " s\n";
  if (client.counters().errors > 0) throw command_exit(exit_bad_input);
}

void run_verify(const keys_cli_options& o) {
  redis::cluster_client client = connect_client(o);
  const verify_result v = verify_keys(client, o.keys);
  if (o.format == output_format::json) {
    print_json(std::cout, {{"expected", o.keys.count}, {"present", v.present}, {"wrong", v.wrong},
                           {"missing", v.missing}, {"errors", v.errors}, {"dbsize", v.dbsize}});
  } else {
    std::cout << v.present << "/" << o.keys.count << " keys present with their values";
    if (!v.all_present()) std::cout << " (" << v.missing << " missing, " << v.wrong << " wrong, " << v.errors << " errors)";
    std::cout << "; DBSIZE over the masters: " << v.dbsize << '\n';
  }
  std::cout.flush();
  if (!v.all_present()) throw command_exit(exit_bad_input);
}

void run_traffic_command(const keys_cli_options& o) {
  redis::cluster_client client = connect_client(o);
  std::signal(SIGTERM, request_stop);
  std::signal(SIGINT, request_stop);
  const auto duration = std::chrono::milliseconds(static_cast<long long>(o.seconds * 1000));
  const traffic_result r = run_traffic(client, o.keys, duration, stop_requested);
  const redis::client_counters& c = client.counters();
  const std::size_t visible = c.retries + c.errors + r.wrong_values;
  if (o.format == output_format::json) {
    print_json(std::cout, {{"reads", r.reads}, {"writes", r.writes}, {"seconds", r.seconds},
                           {"wrong_values", r.wrong_values}, {"client", counters_json(c)},
                           {"client_visible_errors", visible},
                           {"latency_ms", {{"p50", r.latency.p50_ms}, {"p99", r.latency.p99_ms},
                                           {"p99.9", r.latency.p999_ms}, {"max", r.latency.max_ms}}}});
  } else {
    std::cout << r.reads + r.writes << " commands in " << r.seconds << " s: " << c.moved << " MOVED, " << c.ask
              << " ASK, " << c.retries << " retried (TRYAGAIN, CLUSTERDOWN, dropped connection), " << c.errors
              << " failed, " << r.wrong_values << " wrong values; latency ms p50 " << r.latency.p50_ms << ", p99 "
              << r.latency.p99_ms << ", p99.9 " << r.latency.p999_ms << ", max " << r.latency.max_ms << '\n';
  }
}

CLI::App* add_keys_subcommand(CLI::App& parent, const char* name, const char* description,
                              const std::shared_ptr<keys_cli_options>& opts) {
  CLI::App* cmd = parent.add_subcommand(name, description);
  add_connection_options(*cmd, opts->connection, true);
  cmd->add_option("--count", opts->keys.count, "How many keys (numbered from 0)")->required()->check(CLI::Range(1, 1000000000));
  cmd->add_option("--size", opts->keys.value_size, "Bytes per value (default 100)")->check(CLI::Range(1, 1 << 20));
  cmd->add_option("--prefix", opts->keys.prefix, "Key name prefix (default rcplan:)");
  add_output_option(*cmd, opts->format);
  return cmd;
}

}  // namespace

void add_keys_command(CLI::App& app) {
  CLI::App* keys = app.add_subcommand("keys", "Load, verify or exercise a numbered key set on a live cluster");
  keys->require_subcommand(1);
  auto opts = std::make_shared<keys_cli_options>();
  add_keys_subcommand(*keys, "load", "SET keys PREFIX0..PREFIX(N-1) with values derived from their numbers", opts)
      ->callback([opts] { run_load(*opts); });
  add_keys_subcommand(*keys, "verify", "Check every key is present with its value; exit 1 if not", opts)
      ->callback([opts] { run_verify(*opts); });
  CLI::App* traffic = add_keys_subcommand(
      *keys, "traffic",
      "Read and write random keys one at a time until --seconds pass or SIGTERM; count errors, time each command",
      opts);
  traffic->add_option("--seconds", opts->seconds, "How long (default 10)")->check(CLI::Range(0.001, 31536000.0));
  traffic->callback([opts] { run_traffic_command(*opts); });
}

}  // namespace rcplan::cli
