// `rcplan demo`: the whole loop on this machine. A local 3-master cluster with one replica each
// is created from a spec, keys are loaded, it is scaled to 4 masters and back to 3, a master is
// killed and the cluster recovers; every plan is printed, and at the end every key is read
// back. Exit 0 only if no key was lost.

#include "cli.hpp"
#include "support/converge_run.hpp"
#include "support/io.hpp"
#include "support/key_set.hpp"
#include "support/live.hpp"
#include "support/local_cluster.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/local/runtime.hpp>
#include <rcplan/redis/client.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace rcplan::cli {
namespace {

struct demo_options {
  std::string dir;
  std::size_t keys = 20000;
  bool keep = false;
  connection_options connection;
};

constexpr const char* demo_spec = R"({
  "apiVersion": "redis.kun/v1alpha1",
  "kind": "DistributedRedisCluster",
  "metadata": {"name": "demo", "namespace": "default"},
  "spec": {"masterSize": 3, "clusterReplicas": 1}
})";

using clock_type = std::chrono::steady_clock;

double since(clock_type::time_point t) { return std::chrono::duration<double>(clock_type::now() - t).count(); }

void heading(const std::string& title) { std::cout << "\n=== " << title << " ===\n" << std::flush; }

/// "3 masters: 5462 5461 5461 slots; 3 replicas" — the shape of the cluster in one line.
void print_shape(local::runtime& runtime) {
  const topology t = observe_local(runtime, {});
  std::string slots;
  int masters = 0, replicas = 0;
  for (const cluster_node& n : merged_nodes(t)) {
    if (!n.is_master()) {
      ++replicas;
      continue;
    }
    if (n.slots.empty()) continue;
    ++masters;
    slots += ' ' + std::to_string(n.slots.count());
  }
  std::cout << "cluster: " << masters << " masters holding" << slots << " slots; " << replicas << " replicas; "
            << t.pods.size() << " pods\n"
            << std::flush;
}

/// Converges to `desired`, printing every plan; throws when it does not converge.
void converge(local::runtime& runtime, const cluster_resource& desired, const demo_options& o,
              const local::runtime_options& ro) {
  converge_settings cs;
  cs.parallel = o.connection.parallel;
  cs.pace = o.connection.pace;
  cs.node_timeout_ms = ro.node_timeout_ms;
  const auto started = clock_type::now();
  const converge_run run = converge_printing(std::cout, {}, desired, cs, &runtime);
  std::cout << "\nresult: " << (run.result.converged ? "converged" : "NOT converged") << " after "
            << run.result.iterations << " iterations in " << std::fixed << std::setprecision(1) << since(started)
            << " s\n";
  if (!run.result.converged) {
    for (const diagnostic& d : run.result.diagnostics) std::cout << "  " << d.code << ": " << d.message << '\n';
    throw input_error("the demo cluster did not converge (last plan " +
                      std::string{to_string(run.result.last_plan.status)} + ")");
  }
  print_shape(runtime);
}

/// The pod of a master holding slots, and the node's id: the one the demo kills.
std::pair<std::string, node_id> pick_master(local::runtime& runtime) {
  const topology t = observe_local(runtime, {});
  for (const cluster_node& n : merged_nodes(t)) {
    if (!n.is_master() || n.slots.empty()) continue;
    for (const pod& p : t.pods)
      if (p.port == n.addr.port) return {p.name, n.id};
  }
  throw input_error("no master with slots found to kill");
}

/// Waits until another node serves the killed master's slots (Redis' own failover).
bool wait_for_failover(local::runtime& runtime, const node_id& killed, std::chrono::seconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  while (clock_type::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    try {
      const topology t = observe_local(runtime, {});
      const std::vector<cluster_node> nodes = merged_nodes(t);
      const cluster_node* old = find_node(nodes, killed);
      const bool failed_over = old == nullptr || !old->is_master() || old->slots.empty();
      if (failed_over && uncovered_slots(nodes).empty()) return true;
    } catch (const std::exception&) {
      // a node that is down makes some observations fail for a moment: look again
    }
  }
  return false;
}

void run_demo(const demo_options& o) {
  const auto started = clock_type::now();
  std::filesystem::path dir = o.dir;
  if (dir.empty()) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "rcplan-demo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw input_error("cannot create a temporary directory");
    dir = tmpl;
  } else if (local::holds_cluster(dir)) {
    throw input_error(dir.string() + " already holds a local cluster; give another --dir or run `rcplan local down`");
  }
  cluster_resource desired = load_cluster_resource(nlohmann::json::parse(demo_spec));
  const local::runtime_options ro = local_options(dir, {});
  local::runtime runtime(ro);
  struct cleanup {
    local::runtime& rt;
    bool keep;
    ~cleanup() {
      if (keep) return;
      try {
        rt.down(true);
      } catch (...) {
        // the demo's result stands; leftover processes are named in the work dir
      }
    }
  } at_exit{runtime, o.keep};
  std::cout << "rcplan demo in " << dir.string() << (o.keep ? " (kept afterwards)" : "") << '\n';

  heading("1. create a cluster of 3 masters with 1 replica each");
  converge(runtime, desired, o, ro);

  heading("2. load " + std::to_string(o.keys) + " keys");
  const key_set keys{"demo:", o.keys, 64};
  {
    const auto t0 = clock_type::now();
    redis::cluster_client client(runtime.seeds());
    load_keys(client, keys);
    std::cout << "loaded " << o.keys << " keys in " << std::fixed << std::setprecision(2) << since(t0) << " s\n";
  }

  heading("3. scale to 4 masters");
  desired.spec.master_size = 4;
  converge(runtime, desired, o, ro);

  heading("4. scale back to 3 masters");
  desired.spec.master_size = 3;
  converge(runtime, desired, o, ro);

  heading("5. kill a master");
  const auto [pod_name, id] = pick_master(runtime);
  // down for longer than the node timeout: Redis promotes the replica before the pod returns
  const auto down_for = std::chrono::milliseconds(3 * ro.node_timeout_ms);
  runtime.kill_pod(pod_name, down_for);
  std::cout << "killed pod " << pod_name << " (master " << short_id(id) << "), down for "
            << down_for.count() / 1000 << " s\n"
            << std::flush;
  if (wait_for_failover(runtime, id, std::chrono::seconds(30))) std::cout << "its replica took over its slots\n";
  else std::cout << "no failover seen within 30 s; reconcile takes it from here\n";
  std::this_thread::sleep_until(clock_type::now() + down_for / 2);
  converge(runtime, desired, o, ro);

  heading("6. check every key");
  redis::cluster_client client(runtime.seeds());
  const verify_result v = verify_keys(client, keys);
  const bool ok = v.all_present() && v.dbsize == static_cast<long long>(o.keys);
  std::cout << (ok ? "no key lost: " : "KEYS LOST: ") << v.present << "/" << o.keys;
  if (!ok)
    std::cout << " (" << v.missing << " missing, " << v.wrong << " with another value, " << v.errors
              << " unreadable, DBSIZE " << v.dbsize << ")";
  std::cout << "\ndemo finished in " << std::fixed << std::setprecision(1) << since(started) << " s\n" << std::flush;
  if (!ok) throw command_exit(exit_bad_input);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto opts = std::make_shared<demo_options>();
  CLI::App* cmd = app.add_subcommand(
      "demo", "Create a local cluster, load keys, scale 3→4→3 masters, kill a master, check no key was lost");
  cmd->add_option("--dir", opts->dir, "Work directory (default: a new temporary directory)");
  cmd->add_option("--keys", opts->keys, "Keys to load (default 20000)")->check(CLI::Range(1, 10000000));
  cmd->add_flag("--keep", opts->keep, "Leave the cluster running and its directory in place");
  cmd->add_option("--parallel", opts->connection.parallel, "Migrations run at once within a wave")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  add_pace_options(*cmd, opts->connection.pace);
  cmd->callback([opts] { run_demo(*opts); });
}

}  // namespace rcplan::cli
