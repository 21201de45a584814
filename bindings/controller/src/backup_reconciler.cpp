#include <rcplan/controller/backup_reconciler.hpp>

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/store.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/kubernetes/secrets.hpp>
#include <rcplan/kubernetes/timestamps.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/spec/validate.hpp>

#include "object_fields.hpp"
#include "store_access.hpp"

#include <optional>

namespace rcplan::controller {
namespace {

using nlohmann::json;
namespace k8s = rcplan::kubernetes;

using detail::text_at;

/// What is wrong with the spec for a backup on Kubernetes; nothing when it can run.
std::optional<std::string> problem_of(const backup_resource& r) {
  for (const diagnostic& d : validate(r.spec))
    if (d.severity == severity::error) return d.subject + ": " + d.message;
  if (!r.spec.s3) return std::string("spec.s3: only S3 storage is carried out (gcs, azure, swift, local are not)");
  return std::nullopt;
}

json owner_reference(const json& obj) {
  return json::array({{{"apiVersion", obj["apiVersion"]},
                       {"kind", obj["kind"]},
                       {"name", obj["metadata"]["name"]},
                       {"uid", obj["metadata"]["uid"]},
                       {"controller", true},
                       {"blockOwnerDeletion", true}}});
}

json secret_ref(const std::string& variable, const std::string& secret, const std::string& key) {
  return {{"name", variable}, {"valueFrom", {{"secretKeyRef", {{"name", secret}, {"key", key}}}}}};
}

/// The running pods' addresses: `rcplan backup` finds every node from any one of them.
std::vector<std::string> seeds_of(k8s::client& c, const std::string& ns, const std::string& cluster) {
  k8s::list_options lo;
  lo.label_selector = std::string(label_app_name) + "=" + app_name + "," + label_cluster_name + "=" + cluster;
  const json pods = c.list(k8s::kinds::pod, ns, lo);
  std::vector<std::string> out;
  for (const json& p : pods["items"]) {
    const std::string ip = text_at(p, "/status/podIP");
    if (!ip.empty() && text_at(p, "/status/phase") == "Running" && !p["metadata"].contains("deletionTimestamp"))
      out.push_back(ip + ":" + std::to_string(redis_client_port));
  }
  return out;
}

json backup_job(const json& obj, const backup_resource& r, const cluster_resource& cluster,
                const std::vector<std::string>& seeds, const reconciler_options& o) {
  const std::string name = r.metadata.name;
  const std::string ns = r.metadata.namespace_;
  const backup::store_location where = backup::location_of(r);
  json command = json::array({"rcplan", "backup"});
  for (const std::string& s : seeds) command.insert(command.end(), {"--redis", s});
  command.insert(command.end(), {"--to", where.url, "--cluster", r.spec.redis_cluster_name});
  if (!where.s3_endpoint.empty()) command.insert(command.end(), {"--s3-endpoint", where.s3_endpoint});
  json env = json::array();
  if (cluster.spec.password_secret && !cluster.spec.password_secret->name.empty())
    env.push_back(secret_ref("RCPLAN_PASSWORD", cluster.spec.password_secret->name, k8s::password_key));
  if (!r.spec.storage_secret_name.empty())
    for (const char* key : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"})
      env.push_back(secret_ref(key, r.spec.storage_secret_name, key));
  json container = {{"name", "backup"},
                    {"image", r.spec.image.empty() ? o.tools_image : r.spec.image},
                    {"command", command},
                    {"env", env},
                    {"terminationMessagePolicy", "FallbackToLogsOnError"}};
  if (obj["spec"].contains("resources") && obj["spec"]["resources"].is_object())
    container["resources"] = obj["spec"]["resources"];
  const json labels = {{label_app_name, app_name}, {label_backup, name}, {"app.kubernetes.io/managed-by", "rcplan"}};
  return {{"apiVersion", k8s::kinds::job.api_version()},
          {"kind", k8s::kinds::job.kind},
          {"metadata",
           {{"name", backup_job_name(name)}, {"namespace", ns}, {"labels", labels},
            {"ownerReferences", owner_reference(obj)}}},
          {"spec",
           {{"backoffLimit", 2},
            {"template",
             {{"metadata", {{"labels", labels}}},
              {"spec", {{"restartPolicy", "Never"}, {"containers", json::array({container})}}}}}}}};
}

/// A Job's condition of `type` holds.
bool job_condition(const json& job, const char* type) {
  for (const json& c : job.value("status", json::object()).value("conditions", json::array()))
    if (c.value("type", "") == type && c.value("status", "") == "True") return true;
  return false;
}

/// Why the Job failed: its last pod's termination message, else the Job's condition.
std::string failure_of(k8s::client& c, const json& job) {
  k8s::list_options lo;
  lo.label_selector = "job-name=" + text_at(job, "/metadata/name");
  const json pods = c.list(k8s::kinds::pod, text_at(job, "/metadata/namespace"), lo);
  std::string message;
  std::string latest;
  for (const json& p : pods["items"])
    for (const json& s : p.value("status", json::object()).value("containerStatuses", json::array())) {
      const std::string at = text_at(s, "/state/terminated/finishedAt");
      const std::string m = text_at(s, "/state/terminated/message");
      if (!m.empty() && at >= latest) {
        latest = at;
        message = m;
      }
    }
  if (!message.empty()) return message;
  for (const json& cond : job.value("status", json::object()).value("conditions", json::array()))
    if (cond.value("type", "") == "Failed") return cond.value("message", "the backup Job failed");
  return "the backup Job failed";
}

}  // namespace

std::string backup_job_name(const std::string& backup) { return "rcplan-backup-" + backup; }

backup_reconciler::backup_reconciler(k8s::client& c, event_recorder& events, reconciler_options o)
    : c_(c), events_(events), o_(std::move(o)) {}

pass_result backup_reconciler::reconcile(const k8s::cluster_ref& ref) {
  pass_result out;
  const auto found = c_.find(k8s::kinds::redis_cluster_backup, ref.namespace_name, ref.name);
  if (!found) {
    out.outcome = pass_outcome::gone;
    return out;
  }
  const json& obj = *found;
  const json current = obj.value("status", json::object());
  const std::string phase = current.value("phase", "");
  if (phase == phase_succeeded || phase == phase_failed) {
    out.outcome = pass_outcome::converged;
    out.status = phase;
    return out;
  }
  const auto write = [&](const backup_status& s, event_type type, const std::string& reason, const std::string& message) {
    json status;
    to_json(status, s);
    status["observedGeneration"] = obj["metadata"].value("generation", std::int64_t{0});
    if (status != current)
      (void)c_.apply_status({{"apiVersion", obj["apiVersion"]},
                             {"kind", obj["kind"]},
                             {"metadata", {{"name", ref.name}, {"namespace", ref.namespace_name}}},
                             {"status", status}});
    (void)events_.record(c_, obj, type, reason, message);
    out.status = s.phase;
  };
  const std::string started = current.value("startTime", k8s::now_rfc3339());

  backup_resource r;
  std::optional<std::string> problem;
  try {
    r = load_backup_resource(detail::trimmed(obj));
    problem = problem_of(r);
  } catch (const error& e) {
    problem = e.what();
  }
  if (problem) {
    write(backup_failed("invalid spec: " + *problem, started, k8s::now_rfc3339()), event_type::warning, "InvalidSpec",
          *problem);
    out.outcome = pass_outcome::invalid;
    out.message = *problem;
    return out;
  }

  const auto job = c_.find(k8s::kinds::job, ref.namespace_name, backup_job_name(ref.name));
  if (!job) {
    const auto drc = c_.find(k8s::kinds::distributed_redis_cluster, ref.namespace_name, r.spec.redis_cluster_name);
    const std::vector<std::string> seeds =
        drc ? seeds_of(c_, ref.namespace_name, r.spec.redis_cluster_name) : std::vector<std::string>{};
    if (seeds.empty()) {
      out.outcome = pass_outcome::waiting;
      out.message = "cluster " + r.spec.redis_cluster_name + (drc ? " has no running pod yet" : " does not exist");
      (void)events_.record(c_, obj, event_type::normal, "Waiting", out.message);
      return out;
    }
    cluster_resource cluster;
    try {
      cluster = load_cluster_resource(detail::trimmed(*drc));
    } catch (const error& e) {
      out.outcome = pass_outcome::waiting;
      out.message = "cluster " + r.spec.redis_cluster_name + " has an invalid spec: " + e.what();
      return out;
    }
    (void)c_.create(backup_job(obj, r, cluster, seeds, o_));
    backup_status s;
    s.phase = phase_running;
    s.start_time = started;
    s.location = backup::location_of(r).url;
    write(s, event_type::normal, "BackupStarted",
          "Job " + backup_job_name(ref.name) + " backs up " + r.spec.redis_cluster_name + " to " + s.location);
    out.outcome = pass_outcome::waiting;
    return out;
  }

  if (job_condition(*job, "Failed")) {
    const std::string why = failure_of(c_, *job);
    write(backup_failed(why, started, k8s::now_rfc3339()), event_type::warning, "BackupFailed", why);
    out.outcome = pass_outcome::blocked;
    out.message = why;
    return out;
  }
  if (!job_condition(*job, "Complete")) {
    out.outcome = pass_outcome::waiting;
    out.message = "the backup Job runs";
    return out;
  }

  // The Job says it succeeded: what it wrote must be there, whole.
  const std::string completed = text_at(*job, "/status/completionTime").empty()
                                    ? k8s::now_rfc3339()
                                    : text_at(*job, "/status/completionTime");
  try {
    const auto from = open_backup_store(c_, r);
    backup::verify_options vo;
    vo.checksums = false;
    const backup::verify_report report = backup::verify_backup(*from, vo);
    if (has_errors(report.problems)) {
      std::string why = "the backup in " + from->where() + " is not whole:";
      for (const diagnostic& d : report.problems) why += " " + d.message + ";";
      write(backup_failed(why, started, completed), event_type::warning, "BackupFailed", why);
      out.outcome = pass_outcome::blocked;
      out.message = why;
      return out;
    }
    const backup_status s = backup_succeeded(report.manifest, started, completed, from->where());
    write(s, event_type::normal, "BackupSucceeded",
          std::to_string(s.master_size) + " shards, " + std::to_string(s.keys) + " keys, " +
              std::to_string(s.size_bytes) + " bytes in " + s.location);
    out.outcome = pass_outcome::converged;
  } catch (const error& e) {
    out.outcome = pass_outcome::error;
    out.message = e.what();
  }
  return out;
}

}  // namespace rcplan::controller
