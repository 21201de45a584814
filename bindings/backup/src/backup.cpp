#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/sha256.hpp>
#include <rcplan/backup/snapshot.hpp>

#include "parallel.hpp"
#include "scratch.hpp"

#include <rcplan/error.hpp>
#include <rcplan/json/backup.hpp>
#include <rcplan/planner/codes.hpp>
#include <rcplan/redis/observe.hpp>

#include <nlohmann/json.hpp>

#include <ctime>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

namespace rcplan::backup {
namespace {

[[nodiscard]] std::string utc_now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, format, &tm);
  return std::string(text, n);
}

/// Tells apart two backups started in the same second: their files must not share a name, or
/// the second would overwrite files the first one's manifest still names.
[[nodiscard]] std::string run_token() {
  std::random_device random;
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 8; ++i) out += hex[random() % 16];
  return out;
}

/// The cluster's name as it may appear in a file name.
[[nodiscard]] std::string file_safe(const std::string& name) {
  std::string out = name.empty() ? "cluster" : name;
  for (char& c : out)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
      c = '_';
  return out;
}

[[nodiscard]] std::string error_lines(const std::vector<diagnostic>& d) {
  std::string out;
  for (const diagnostic& x : d)
    if (x.severity == severity::error) out += "\n  " + x.code + ": " + x.message;
  return out;
}

/// Every failure of a parallel run in one message (by shard), or nothing when all succeeded.
void raise_failures(const std::vector<std::exception_ptr>& failures, const std::string& id, const std::string& what) {
  std::string message;
  for (std::size_t i = 0; i < failures.size(); ++i) {
    if (!failures[i]) continue;
    try {
      std::rethrow_exception(failures[i]);
    } catch (const std::exception& e) {
      message += "\n  shard " + std::to_string(i) + ": " + e.what();
    }
  }
  if (!message.empty()) throw error(id, what + message);
}

/// Serializes the progress callback, which several transfers call at once.
class progress_sink {
 public:
  explicit progress_sink(std::function<void(const transfer_progress&)> f) : f_(std::move(f)) {}
  void operator()(const transfer_progress& p) {
    if (!f_) return;
    const std::lock_guard<std::mutex> lock(mu_);
    f_(p);
  }

 private:
  std::function<void(const transfer_progress&)> f_;
  std::mutex mu_;
};

struct shard_taken {
  backup_shard shard;
  std::string redis_version;
};

[[nodiscard]] shard_taken take_shard(const snapshot_source& s, const std::string& file, store& to,
                                     const backup_options& o, const detail::scratch_dir& scratch,
                                     progress_sink& progress) {
  snapshot_options so;
  so.password = o.password;
  so.connect_timeout = o.connect_timeout;
  so.io_timeout = o.io_timeout;
  so.tls = o.tls;
  so.progress = [&](std::uint64_t bytes, std::optional<std::uint64_t> total) {
    progress({s.shard, bytes, total, false});
  };
  // A directory store takes the snapshot straight under its final name (renamed into place
  // when complete); a remote one gets it from a scratch copy.
  const std::optional<std::filesystem::path> direct = to.local_path(file);
  const std::filesystem::path target = direct ? *direct : scratch.path() / file;
  const snapshot_result r = take_snapshot(s.addr, target, so);
  if (!direct) {
    const detail::remove_after remove(target);
    to.put(target, file);
  }
  progress({s.shard, r.bytes, r.bytes, true});
  shard_taken out;
  out.shard.index = s.shard;
  out.shard.slots = s.slots;
  out.shard.source = s.node.value;
  out.shard.from_replica = s.replica;
  out.shard.keys = r.keys;
  out.shard.rdb_bytes = r.bytes;
  out.shard.sha256 = r.sha256;
  out.shard.file = file;
  out.redis_version = r.redis_version;
  return out;
}

void put_manifest(const backup_manifest& m, store& to, const detail::scratch_dir& scratch) {
  nlohmann::ordered_json j;
  to_json(j, m);
  const std::filesystem::path file = scratch.path() / manifest_name;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << j.dump(2) << '\n';
    if (!out.flush()) throw error("rcplan.backup.store", "cannot write " + file.string());
  }
  const detail::remove_after remove(file);
  to.put(file, manifest_name);
}

[[nodiscard]] backup_manifest read_manifest(store& from, const detail::scratch_dir& scratch) {
  if (!from.exists(manifest_name))
    throw error("rcplan.backup.manifest", "no " + std::string(manifest_name) + " in " + from.where() +
                                              ": not a backup, or one that did not complete");
  const std::filesystem::path file = scratch.path() / manifest_name;
  from.get(manifest_name, file);
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  try {
    return nlohmann::json::parse(text.str()).get<backup_manifest>();
  } catch (const std::exception& e) {
    throw error("rcplan.backup.manifest", from.where() + "/" + manifest_name + ": " + e.what());
  }
}

void problem(std::vector<diagnostic>& out, const char* code, const backup_shard& s, std::string message) {
  out.push_back({severity::error, code, s.file, "shard " + std::to_string(s.index) + ": " + std::move(message)});
}

/// Checks one shard's file: there, of its size, and (with `local`, a copy of it) of its
/// checksum. Appends what is wrong to `out`.
void check_file(const backup_shard& s, const std::optional<std::uint64_t>& size,
                const std::optional<std::filesystem::path>& local, std::vector<diagnostic>& out) {
  if (!size) {
    problem(out, backup_code::file_missing, s, s.file + " is missing");
    return;
  }
  if (*size != s.rdb_bytes) {
    problem(out, backup_code::size_mismatch, s,
            s.file + " holds " + std::to_string(*size) + " bytes, the manifest says " + std::to_string(s.rdb_bytes));
    return;
  }
  if (local && sha256_file(*local) != s.sha256)
    problem(out, backup_code::checksum_mismatch, s, s.file + " does not match its SHA-256: the file is corrupt");
}

/// The files of `m` checked, each downloaded to `keep` when given (else to scratch and only
/// when checksums are wanted). Problems in shard order.
[[nodiscard]] std::vector<diagnostic> check_files(store& from, const backup_manifest& m, const verify_options& o,
                                                  const detail::scratch_dir& scratch,
                                                  const std::optional<std::filesystem::path>& keep) {
  std::vector<std::vector<diagnostic>> found(m.shards.size());
  progress_sink progress(o.progress);
  const auto failures = detail::run_parallel(m.shards.size(), o.max_parallel, [&](std::size_t i) {
    const backup_shard& s = m.shards[i];
    const std::optional<std::uint64_t> size = from.size(s.file);
    std::optional<std::filesystem::path> local;
    if (size && *size == s.rdb_bytes && (keep || o.checksums)) {
      local = from.local_path(s.file);
      if (keep || !local) {
        local = (keep ? *keep : scratch.path()) / s.file;
        from.get(s.file, *local);
      }
    }
    check_file(s, size, o.checksums || keep ? local : std::nullopt, found[i]);
    if (local && !keep && !from.local_path(s.file)) std::filesystem::remove(*local);
    progress({s.index, size.value_or(0), size, true});
  });
  raise_failures(failures, "rcplan.backup.store", "cannot read the backup in " + from.where() + ":");
  std::vector<diagnostic> out;
  for (auto& f : found) out.insert(out.end(), f.begin(), f.end());
  return out;
}

}  // namespace

backup_manifest take_backup(const std::vector<address>& seeds, store& to, const backup_options& o) {
  redis::observe_options oo;
  oo.password = o.password;
  oo.connect_timeout = o.connect_timeout;
  oo.tls = o.tls;
  const topology t = redis::observe(seeds, oo);
  const backup_plan plan = plan_backup(t);
  if (o.on_plan) o.on_plan(plan);
  if (plan.status == plan_status::blocked)
    throw error("rcplan.backup.blocked", "the cluster cannot be backed up now:" + error_lines(plan.diagnostics));

  const detail::scratch_dir scratch(o.scratch_dir);
  const std::string stem = file_safe(o.cluster) + "-" + utc_now("%Y%m%dT%H%M%SZ") + "-" + run_token() + "-shard-";
  backup_manifest m;
  m.cluster = o.cluster;
  m.taken_at = utc_now("%Y-%m-%dT%H:%M:%SZ");
  std::vector<shard_taken> taken(plan.sources.size());
  progress_sink progress(o.progress);
  const auto failures = detail::run_parallel(plan.sources.size(), o.max_parallel, [&](std::size_t i) {
    const snapshot_source& s = plan.sources[i];
    taken[i] = take_shard(s, stem + std::to_string(s.shard) + ".rdb", to, o, scratch, progress);
  });
  raise_failures(failures, "rcplan.backup.snapshot", "the backup failed; no manifest was written:");
  for (shard_taken& s : taken) {
    if (m.redis_version.empty()) m.redis_version = s.redis_version;
    m.shards.push_back(std::move(s.shard));
  }
  put_manifest(m, to, scratch);
  return m;
}

verify_report verify_backup(store& from, const verify_options& o) {
  const detail::scratch_dir scratch(o.scratch_dir);
  verify_report r;
  r.manifest = read_manifest(from, scratch);
  r.problems = check_manifest(r.manifest);
  if (has_errors(r.problems)) return r;  // names and slots first: files of a broken manifest mean nothing
  r.problems = check_files(from, r.manifest, o, scratch, std::nullopt);
  return r;
}

backup_manifest fetch_backup(store& from, const std::filesystem::path& dir, const verify_options& o) {
  const detail::scratch_dir scratch(o.scratch_dir);
  const backup_manifest m = read_manifest(from, scratch);
  std::vector<diagnostic> problems = check_manifest(m);
  if (!has_errors(problems)) {
    std::filesystem::create_directories(dir);
    verify_options all = o;
    all.checksums = true;
    problems = check_files(from, m, all, scratch, dir);
  }
  if (has_errors(problems)) {
    for (const backup_shard& s : m.shards)
      if (s.file.find('/') == std::string::npos && !s.file.empty()) {
        std::error_code ec;
        std::filesystem::remove(dir / s.file, ec);
      }
    throw error("rcplan.backup.unrestorable",
                "the backup in " + from.where() + " cannot be restored; nothing was started:" + error_lines(problems));
  }
  return m;
}

}  // namespace rcplan::backup
