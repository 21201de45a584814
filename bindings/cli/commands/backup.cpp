// `rcplan backup`, `rcplan backup verify`, `rcplan restore`, and `rcplan local backup|restore`:
// a cluster's backup taken into a directory or S3, checked without starting anything, and
// restored as a local cluster of any master count.

#include "cli.hpp"
#include "support/converge_run.hpp"
#include "support/exit.hpp"
#include "support/io.hpp"
#include "support/live.hpp"
#include "support/local_cluster.hpp"
#include "support/progress.hpp"
#include "support/redact.hpp"
#include "support/spec_input.hpp"

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/pod_restore.hpp>
#include <rcplan/json/backup.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/local/runtime.hpp>
#include <rcplan/planner/restore.hpp>
#include <rcplan/redis/client.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>

namespace rcplan::cli {
namespace {

/// Where a backup is: --to/--from URL, or a RedisClusterBackup resource's S3 bucket.
struct storage_cli_options {
  std::string url;
  std::string backup_file;
  std::string s3_endpoint;
  std::string s3_region;
  std::string s3_credentials_file;
};

void add_storage_options(CLI::App& cmd, storage_cli_options& o, const char* url_flag) {
  auto* url = cmd.add_option(url_flag, o.url, "A directory, or s3://BUCKET/PREFIX");
  auto* file = cmd.add_option("--backup", o.backup_file,
                              "A RedisClusterBackup resource (YAML or JSON): its s3 endpoint and bucket, under a "
                              "prefix named after the resource");
  url->excludes(file);
  cmd.add_option("--s3-endpoint", o.s3_endpoint, "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default: AWS)");
  cmd.add_option("--s3-region", o.s3_region, "S3 region");
  cmd.add_option("--s3-credentials-file", o.s3_credentials_file,
                 "File of AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… lines (the storage Secret's keys); "
                 "default: those environment variables");
}

/// KEY=VALUE lines; the credential values are remembered as secrets at once.
[[nodiscard]] std::map<std::string, std::string> read_key_values(const std::string& path) {
  std::map<std::string, std::string> out;
  std::istringstream in(read_input(path));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto eq = line.find('=');
    if (line.empty() || line.front() == '#' || eq == std::string::npos) continue;
    out[line.substr(0, eq)] = line.substr(eq + 1);
    remember_secret(out[line.substr(0, eq)]);
  }
  return out;
}

[[nodiscard]] backup::s3_credentials credentials_for(const storage_cli_options& o) {
  std::map<std::string, std::string> kv;
  if (!o.s3_credentials_file.empty()) {
    kv = read_key_values(o.s3_credentials_file);
    if (!kv.count("AWS_ACCESS_KEY_ID") || !kv.count("AWS_SECRET_ACCESS_KEY"))
      throw input_error(o.s3_credentials_file + ": needs AWS_ACCESS_KEY_ID=… and AWS_SECRET_ACCESS_KEY=… lines");
  } else {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
      if (const char* v = std::getenv(name); v != nullptr && *v != '\0') {
        kv[name] = v;
        remember_secret(v);
      }
  }
  backup::s3_credentials c;
  c.access_key_id = redis::secret(kv["AWS_ACCESS_KEY_ID"]);
  c.secret_access_key = redis::secret(kv["AWS_SECRET_ACCESS_KEY"]);
  return c;
}

[[nodiscard]] backup_resource read_backup_resource(const std::string& path) {
  backup_resource r;
  try {
    r = load_backup_resource(yaml::parse_yaml(read_input(path)));
  } catch (const rcplan::error& e) {
    throw input_error(input_name(path) + ": " + e.what());
  }
  std::string errors;
  for (const diagnostic& d : validate(r.spec))
    if (d.severity == severity::error) errors += "\n  " + d.subject + ": " + d.message + " [" + d.code + "]";
  if (!r.spec.s3) errors += "\n  spec.s3: only S3 storage is carried out (gcs, azure, swift, local are not)";
  if (!errors.empty()) throw input_error(input_name(path) + ": the backup resource is not valid:" + errors);
  return r;
}

[[nodiscard]] backup::store_location location_for(const storage_cli_options& o, std::string* cluster_name = nullptr) {
  backup::store_location l;
  l.url = o.url;
  l.s3_endpoint = o.s3_endpoint;
  l.s3_region = o.s3_region;
  if (!o.backup_file.empty()) {
    const backup_resource r = read_backup_resource(o.backup_file);
    const backup::store_location of_resource = backup::location_of(r);
    l.url = of_resource.url;
    if (l.s3_endpoint.empty()) l.s3_endpoint = of_resource.s3_endpoint;
    if (cluster_name != nullptr && cluster_name->empty()) *cluster_name = r.spec.redis_cluster_name;
  }
  if (l.url.empty()) throw input_error("say where the backup is: a directory or s3://BUCKET/PREFIX, or --backup FILE");
  if (l.url.rfind("s3://", 0) == 0) l.credentials = credentials_for(o);
  return l;
}

[[nodiscard]] std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  return std::string(text, std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

[[nodiscard]] std::string megabytes(std::uint64_t bytes) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(1) << static_cast<double>(bytes) / 1e6 << " MB";
  return s.str();
}

/// Transfers on standard error: one line redrawn on a terminal, a line per finished shard
/// otherwise.
class transfer_printer {
 public:
  explicit transfer_printer(std::size_t shards) : tty_(stderr_is_tty()), bytes_(shards, 0), totals_(shards, 0) {}
  void operator()(const backup::transfer_progress& p) {
    const auto i = static_cast<std::size_t>(p.shard);
    if (i >= bytes_.size()) return;
    bytes_[i] = p.bytes;
    if (p.total) totals_[i] = *p.total;
    if (!tty_) {
      if (p.done) std::cerr << "shard " << p.shard << ": " << megabytes(p.bytes) << " done" << std::endl;
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!p.done && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::uint64_t done = 0, total = 0;
    for (std::size_t s = 0; s < bytes_.size(); ++s) {
      done += bytes_[s];
      total += std::max(totals_[s], bytes_[s]);
    }
    std::cerr << '\r' << progress_bar(static_cast<std::size_t>(done / 1024), static_cast<std::size_t>(total / 1024), 30)
              << "  " << megabytes(done) << " of " << bytes_.size() << " shards" << std::flush;
    open_ = true;
  }
  void finish() {
    if (open_) std::cerr << '\n';
    open_ = false;
  }

 private:
  bool tty_;
  std::vector<std::uint64_t> bytes_, totals_;
  std::chrono::steady_clock::time_point last_{};
  bool open_ = false;
};

void print_manifest(std::ostream& out, const backup_manifest& m, const std::string& where) {
  std::uint64_t keys = 0, bytes = 0;
  out << "backup of " << (m.cluster.empty() ? std::string("a cluster") : m.cluster) << " taken at " << m.taken_at
      << " (Redis " << (m.redis_version.empty() ? std::string("?") : m.redis_version) << ") in " << where << "\n";
  for (const backup_shard& s : m.shards) {
    out << "  shard " << s.index << "  slots " << to_string(s.slots) << "  " << s.keys << " keys  "
        << megabytes(s.rdb_bytes) << "  from " << (s.from_replica ? "replica " : "master ") << s.source.substr(0, 8)
        << "  " << s.file << "\n";
    keys += s.keys;
    bytes += s.rdb_bytes;
  }
  out << "  " << m.shards.size() << " shards, " << keys << " keys, " << megabytes(bytes) << "\n";
}

// --- rcplan backup ------------------------------------------------------------------------

/// The name of the resource a local cluster was made from: its StatefulSets are `drc-NAME-i`.
[[nodiscard]] std::string local_cluster_name(local::runtime& runtime, const redis::secret& password) {
  redis::observe_options oo;
  oo.password = password;
  const topology t = observe_local(runtime, oo);
  for (const statefulset& s : t.statefulsets) {
    const std::string suffix = "-" + std::to_string(s.shard_index);
    if (s.name.rfind("drc-", 0) == 0 && s.name.size() > 4 + suffix.size() &&
        s.name.compare(s.name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return s.name.substr(4, s.name.size() - 4 - suffix.size());
  }
  return {};
}

struct backup_cli_options {
  connection_options connection;
  storage_cli_options storage;
  std::string cluster;
  std::string dir;  ///< `local backup`: the local cluster's directory
  output_format format = output_format::text;
};

void run_backup(const backup_cli_options& o, bool local) {
  std::string cluster = o.cluster;
  const backup::store_location where = location_for(o.storage, &cluster);
  const redis::secret password = resolve_password(o.connection);
  std::vector<address> seeds;
  redis::tls_options tls;
  if (local) {
    if (!local::holds_cluster(o.dir)) throw input_error("no local cluster in " + o.dir);
    local::runtime runtime(local_options(o.dir, password));
    runtime.keep_pods_running();
    seeds = runtime.seeds();
    tls = runtime.client_tls();
    if (cluster.empty()) cluster = local_cluster_name(runtime, password);
  } else {
    seeds = parse_seeds(o.connection.redis);
    tls = tls_options_for(o.connection.tls);
  }
  const auto to = backup::open_store(where);
  backup::backup_options bo;
  bo.password = password;
  bo.tls = tls;
  bo.cluster = cluster;
  bo.max_parallel = static_cast<std::size_t>(std::max(1, o.connection.parallel));
  std::unique_ptr<transfer_printer> printer;
  bo.on_plan = [&](const backup_plan& p) {
    printer = std::make_unique<transfer_printer>(p.sources.size());
    if (o.format == output_format::text)
      for (const snapshot_source& s : p.sources)
        std::cerr << "shard " << s.shard << ": snapshot from " << (s.replica ? "replica " : "master ")
                  << s.addr.host << ':' << s.addr.port << std::endl;
  };
  bo.progress = [&](const backup::transfer_progress& p) {
    if (printer) (*printer)(p);
  };
  const auto started = std::chrono::steady_clock::now();
  const std::string start_time = utc_now();
  backup_manifest m;
  try {
    m = backup::take_backup(seeds, *to, bo);
  } catch (const std::exception& e) {
    if (printer) printer->finish();
    if (o.format == output_format::json) {
      // the resource's status says why; the message on standard error as for every failure
      nlohmann::ordered_json doc;
      to_json(doc["status"], backup_failed(redact(e.what()), start_time, utc_now()));
      print_json(std::cout, doc);
    }
    throw;
  }
  if (printer) printer->finish();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (o.format == output_format::json) {
    nlohmann::ordered_json doc;
    to_json(doc["status"], backup_succeeded(m, start_time, utc_now(), to->where()));
    doc["seconds"] = seconds;
    to_json(doc["manifest"], m);
    print_json(std::cout, doc);
  } else {
    print_manifest(std::cout, m, to->where());
    std::cout << "  took " << std::fixed << std::setprecision(2) << seconds << " s\n";
  }
}

// --- rcplan backup verify -----------------------------------------------------------------

struct verify_cli_options {
  storage_cli_options storage;
  bool sizes_only = false;
  output_format format = output_format::text;
};

void run_verify(const verify_cli_options& o) {
  const auto from = backup::open_store(location_for(o.storage));
  backup::verify_options vo;
  vo.checksums = !o.sizes_only;
  const backup::verify_report r = backup::verify_backup(*from, vo);
  if (o.format == output_format::json) {
    nlohmann::ordered_json doc;
    doc["where"] = from->where();
    doc["restorable"] = !has_errors(r.problems);
    to_json(doc["manifest"], r.manifest);
    doc["problems"] = nlohmann::ordered_json::array();
    for (const diagnostic& d : r.problems) {
      nlohmann::ordered_json x;
      to_json(x, d);
      doc["problems"].push_back(std::move(x));
    }
    print_json(std::cout, doc);
  } else {
    print_manifest(std::cout, r.manifest, from->where());
    for (const diagnostic& d : r.problems) std::cout << "  " << d.code << ": " << d.message << "\n";
    std::cout << (has_errors(r.problems) ? "not restorable\n"
                                         : (o.sizes_only ? "restorable (sizes checked, checksums not)\n"
                                                         : "restorable: every file matches its SHA-256, every slot "
                                                           "is in exactly one shard\n"));
  }
  if (has_errors(r.problems)) throw command_exit(exit_bad_input);
}

// --- rcplan restore -----------------------------------------------------------------------

struct restore_cli_options {
  storage_cli_options storage;
  std::string spec;
  std::string dir;
  bool tls = false;  ///< the new local cluster runs TLS-only
  connection_options connection;
  output_format format = output_format::text;
};

/// Keys the restored cluster's masters hold.
[[nodiscard]] std::uint64_t keys_served(local::runtime& runtime, const redis::secret& password) {
  redis::client_options co;
  co.password = password;
  co.tls = runtime.client_tls();
  redis::cluster_client c(runtime.seeds(), co);
  std::uint64_t n = 0;
  for (const std::string& m : c.masters()) {
    const redis::reply r = c.call_node(m, {"DBSIZE"});
    if (r.type == redis::reply::kind::integer && r.integer > 0) n += static_cast<std::uint64_t>(r.integer);
  }
  return n;
}

void run_restore(const restore_cli_options& o) {
  const cluster_resource desired = read_valid_resource(o.spec);
  const redis::secret password = password_for_spec(desired, o.connection);
  const std::filesystem::path dir{o.dir};
  if (local::holds_cluster(dir))
    throw input_error(o.dir + " already holds a local cluster: a restore creates a new one");

  // Everything is checked before anything starts: the manifest, every file's checksum, the spec.
  const auto from = backup::open_store(location_for(o.storage));
  const std::filesystem::path files = dir / "restore";
  const backup_manifest m = backup::fetch_backup(*from, files);
  const restore_plan rp = plan_restore(m, desired);
  if (rp.status == plan_status::blocked) {
    std::string why;
    for (const diagnostic& d : rp.diagnostics)
      if (d.severity == severity::error) why += "\n  " + d.code + ": " + d.message;
    throw input_error("the backup in " + from->where() + " cannot be restored as " + o.spec + ":" + why);
  }
  for (const diagnostic& d : rp.diagnostics) std::cerr << d.code << ": " << d.message << std::endl;

  local::runtime_options ro = local_options(dir, password);
  ro.tls = o.tls;
  std::map<std::string, std::filesystem::path> pending;  // pod → its shard's file, placed once
  for (const restore_placement& p : rp.placements) pending[p.pod] = files / p.file;
  // called under the runtime's own lock, one pod at a time
  ro.prepare_volume = [&pending](const std::string& pod, const std::filesystem::path& data_dir) {
    const auto it = pending.find(pod);
    if (it == pending.end()) return;
    backup::place_rdb(it->second, data_dir);
    pending.erase(it);
  };
  local::runtime runtime(ro);
  converge_settings cs;
  cs.password = password;
  cs.tls = runtime.client_tls();
  cs.parallel = o.connection.parallel;
  cs.pace = o.connection.pace;
  cs.format = o.format;
  cs.node_timeout_ms = ro.node_timeout_ms;
  cs.restore = m;
  const converge_run run = converge_printing(std::cout, {}, desired, cs, &runtime);
  std::error_code ec;
  std::filesystem::remove_all(files, ec);  // copies: the backup itself stays where it is

  std::uint64_t backed_up = 0;
  for (const backup_shard& s : m.shards) backed_up += s.keys;
  const std::uint64_t served = run.result.converged ? keys_served(runtime, password) : 0;
  if (o.format == output_format::json) {
    nlohmann::ordered_json doc;
    doc["from"] = from->where();
    redis::observe_options oo;
    oo.password = password;
    to_json(doc["status"], restore_progress(observe_local(runtime, oo), run.result.last_plan, from->where()));
    to_json(doc["restore"], rp);
    add_converge_result(doc, run);
    doc["keys"] = {{"backup", backed_up}, {"served", served}};
    print_json(std::cout, doc);
  } else {
    std::cout << "\nrestored " << m.shards.size() << " shards from " << from->where() << " as " << rp.masters
              << " masters in " << o.dir << ": " << (run.result.converged ? "converged" : "not converged") << "; "
              << served << " keys served, " << backed_up << " in the backup"
              << (served < backed_up ? " (keys with a TTL that expired since are not restored)" : "") << "\n";
  }
  if (!run.result.converged) throw command_exit(exit_blocked);
}

template <typename T>
CLI::App* with_password_and_output(CLI::App* cmd, T& o) {
  add_password_options(*cmd, o.connection);
  add_output_option(*cmd, o.format);
  return cmd;
}

void add_restore_options(CLI::App& cmd, restore_cli_options& o, bool required) {
  add_storage_options(cmd, o.storage, "--from");
  auto* spec = cmd.add_option("--spec", o.spec, "The new cluster's DistributedRedisCluster resource or bare spec");
  auto* dir = cmd.add_option("--dir", o.dir, "Work directory of the new local cluster");
  spec->required(required);
  dir->required(required);
  cmd.add_flag("--tls", o.tls,
               "Run the new local cluster TLS-only, with an authority and certificates made in DIR/tls (clients use "
               "DIR/tls/ca.crt, client.crt and client.key)");
  with_password_and_output(&cmd, o);
}

// --- rcplan restore pod -------------------------------------------------------------------

struct restore_pod_cli_options {
  std::string config;
  std::string pod;
  std::string data_dir;
};

/// A restored StatefulSet's init container: the pod's shard file onto its new volume. Without
/// the config (the operator removed its ConfigMap once the restore succeeded) there is nothing
/// to do: a volume recreated after that starts empty, as any new one.
void run_restore_pod(const restore_pod_cli_options& o) {
  std::error_code ec;
  if (!std::filesystem::exists(o.config, ec)) {
    std::cout << "no restore in progress (" << o.config << " does not exist): nothing to place\n";
    return;
  }
  backup::pod_restore_config config;
  try {
    config = nlohmann::json::parse(read_input(o.config)).get<backup::pod_restore_config>();
  } catch (const nlohmann::json::exception& e) {
    throw input_error(o.config + ": " + rcplan::printable(e.what()));
  } catch (const rcplan::error& e) {
    throw input_error(o.config + ": " + e.what());
  }
  storage_cli_options storage;  // credentials from the environment (the restore Secret)
  const backup::s3_credentials credentials =
      config.url.rfind("s3://", 0) == 0 ? credentials_for(storage) : backup::s3_credentials{};
  const backup::pod_restore_result r = backup::restore_pod(config, o.pod, o.data_dir, credentials);
  switch (r.outcome) {
    case backup::pod_restore_outcome::placed:
      std::cout << "pod " << o.pod << ": placed backup shard " << r.shard << " (" << r.file << ", "
                << megabytes(r.bytes) << ", SHA-256 checked) in " << o.data_dir << "\n";
      break;
    case backup::pod_restore_outcome::has_data:
      std::cout << "pod " << o.pod << ": " << o.data_dir << " already holds Redis data: nothing placed\n";
      break;
    case backup::pod_restore_outcome::not_listed:
      std::cout << "pod " << o.pod << " takes no backup file: it starts empty\n";
      break;
  }
}

}  // namespace

void add_backup_command(CLI::App& app) {
  auto bo = std::make_shared<backup_cli_options>();
  CLI::App* backup = app.add_subcommand(
      "backup", "Back up a cluster: every shard's RDB snapshot at once (from an in-sync replica when there is one), "
                "checksummed, then a manifest");
  add_connection_options(*backup, bo->connection, false);
  add_storage_options(*backup, bo->storage, "--to");
  backup->add_option("--cluster", bo->cluster, "The cluster's name, for the manifest and the file names");
  add_output_option(*backup, bo->format);
  backup->callback([bo, backup] {
    if (backup->get_subcommands().empty()) {
      if (bo->connection.redis.empty()) throw CLI::RequiredError("--redis");
      run_backup(*bo, false);
    }
  });

  auto vo = std::make_shared<verify_cli_options>();
  CLI::App* verify = backup->add_subcommand(
      "verify", "Check a backup without starting anything: its manifest, slot coverage and every file's SHA-256");
  add_storage_options(*verify, vo->storage, "--from");
  verify->add_flag("--sizes-only", vo->sizes_only, "Check the files' sizes, not their checksums (no download)");
  add_output_option(*verify, vo->format);
  verify->callback([vo] { run_verify(*vo); });

  auto ro = std::make_shared<restore_cli_options>();
  CLI::App* restore = app.add_subcommand(
      "restore", "Restore a backup as a new local cluster of the spec's masterSize (more or fewer masters than the "
                 "backup had)");
  add_restore_options(*restore, *ro, false);
  restore->callback([ro, restore] {
    if (!restore->get_subcommands().empty()) return;
    if (ro->spec.empty()) throw CLI::RequiredError("--spec");
    if (ro->dir.empty()) throw CLI::RequiredError("--dir");
    run_restore(*ro);
  });

  auto po = std::make_shared<restore_pod_cli_options>();
  CLI::App* pod = restore->add_subcommand(
      "pod", "One pod's part of a restore on Kubernetes (the restored StatefulSets' init container): fetch its shard "
             "file, check it against its SHA-256 and place it on the new volume");
  pod->add_option("--config", po->config, "The restore ConfigMap's restore.json (missing: nothing to do)")->required();
  pod->add_option("--pod", po->pod, "This pod's name")->required();
  pod->add_option("--data-dir", po->data_dir, "The pod's data volume")->required();
  pod->callback([po] { run_restore_pod(*po); });
}

void add_local_backup_commands(CLI::App& local) {
  auto bo = std::make_shared<backup_cli_options>();
  CLI::App* backup = local.add_subcommand("backup", "Back up a local cluster (see `rcplan backup`)");
  backup->add_option("--dir", bo->dir, "Work directory of the local cluster")->required();
  add_storage_options(*backup, bo->storage, "--to");
  backup->add_option("--cluster", bo->cluster, "The cluster's name, for the manifest and the file names");
  with_password_and_output(backup, *bo);
  backup->callback([bo] { run_backup(*bo, true); });

  auto ro = std::make_shared<restore_cli_options>();
  CLI::App* restore = local.add_subcommand("restore", "Restore a backup as a new local cluster (see `rcplan restore`)");
  add_restore_options(*restore, *ro, true);
  restore->callback([ro] { run_restore(*ro); });
}

}  // namespace rcplan::cli
