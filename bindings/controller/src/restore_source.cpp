#include "restore_source.hpp"

#include "object_fields.hpp"
#include "store_access.hpp"

#include <rcplan/backup/backup.hpp>
#include <rcplan/backup/pod_restore.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/render.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/planner/restore.hpp>

namespace rcplan::controller {
namespace {

using nlohmann::json;
namespace k8s = rcplan::kubernetes;

using detail::text_at;

json restore_metadata(const json& drc) {
  const std::string cluster = text_at(drc, "/metadata/name");
  return {{"name", restore_config_name(cluster)},
          {"namespace", text_at(drc, "/metadata/namespace")},
          {"labels", {{label_app_name, app_name}, {label_cluster_name, cluster}}},
          {"ownerReferences", json::array({{{"apiVersion", drc["apiVersion"]},
                                            {"kind", drc["kind"]},
                                            {"name", cluster},
                                            {"uid", drc["metadata"]["uid"]},
                                            {"controller", true}}})}};
}

/// The restore config an earlier pass wrote; nothing when there is none.
std::optional<backup::pod_restore_config> written_config(k8s::client& c, const json& drc) {
  const auto cm = c.find(k8s::kinds::configmap, text_at(drc, "/metadata/namespace"),
                         restore_config_name(text_at(drc, "/metadata/name")));
  if (!cm) return std::nullopt;
  const std::string text = cm->value("data", json::object()).value(k8s::restore_config_key, "");
  try {
    return json::parse(text).get<backup::pod_restore_config>();
  } catch (const std::exception& e) {
    throw error("rcplan.controller.restore",
                "the restore ConfigMap " + cm->at("metadata").value("name", "") + " cannot be read: " + e.what());
  }
}

void write_config(k8s::client& c, const json& drc, const backup::pod_restore_config& config,
                  const backup::s3_credentials& credentials) {
  // The Secret first: a pod that finds the ConfigMap finds the credentials too.
  json data = json::object();
  if (!credentials.access_key_id.empty()) {
    data["AWS_ACCESS_KEY_ID"] = credentials.access_key_id.reveal();
    data["AWS_SECRET_ACCESS_KEY"] = credentials.secret_access_key.reveal();
  }
  (void)c.apply({{"apiVersion", "v1"}, {"kind", "Secret"}, {"metadata", restore_metadata(drc)}, {"type", "Opaque"},
                 {"stringData", data}});
  json cfg;
  to_json(cfg, config);
  (void)c.apply({{"apiVersion", "v1"},
                 {"kind", "ConfigMap"},
                 {"metadata", restore_metadata(drc)},
                 {"data", {{k8s::restore_config_key, cfg.dump()}}}});
}

}  // namespace

bool restore_done(const json& drc) { return text_at(drc, "/status/restore/phase") == phase_succeeded; }

restore_source prepare_restore(k8s::client& c, const json& drc, const cluster_resource& desired) {
  const backup_source& source = *desired.spec.init->backup_source;
  const std::string cluster_ns = text_at(drc, "/metadata/namespace");
  const std::string ns = source.namespace_.empty() ? cluster_ns : source.namespace_;
  restore_source out;
  out.backup = ns + "/" + source.name;
  if (const auto written = written_config(c, drc)) {
    out.manifest = written->manifest;
    return out;
  }
  const auto found = c.find(k8s::kinds::redis_cluster_backup, ns, source.name);
  if (!found) {
    out.waiting = "the RedisClusterBackup " + out.backup + " does not exist";
    return out;
  }
  const std::string phase = text_at(*found, "/status/phase");
  if (phase == phase_failed) {
    out.failed = "the RedisClusterBackup " + out.backup + " failed: " + text_at(*found, "/status/reason");
    return out;
  }
  if (phase != phase_succeeded) {
    out.waiting = "the RedisClusterBackup " + out.backup + " has not succeeded yet";
    return out;
  }
  const backup_resource b = load_backup_resource(detail::trimmed(*found));
  const backup::s3_credentials credentials = storage_credentials(c, b);
  backup::store_location where = backup::location_of(b);
  where.credentials = credentials;
  const auto from = backup::open_store(where);
  // Before anything starts: the manifest, the slots, every file there and of its size (each
  // pod checks its own file's SHA-256 before placing it).
  backup::verify_options vo;
  vo.checksums = false;
  const backup::verify_report report = backup::verify_backup(*from, vo);
  std::string problems;
  for (const diagnostic& d : report.problems)
    if (d.severity == severity::error) problems += " " + d.message + ";";
  const restore_plan plan = plan_restore(report.manifest, desired);
  for (const diagnostic& d : plan.diagnostics)
    if (d.severity == severity::error && problems.find(d.message) == std::string::npos) problems += " " + d.message + ";";
  if (!problems.empty()) {
    out.failed = "the backup in " + from->where() + " cannot be restored:" + problems;
    return out;
  }
  backup::pod_restore_config config;
  config.url = where.url;
  config.s3_endpoint = where.s3_endpoint;
  config.s3_region = where.s3_region;
  config.manifest = report.manifest;
  config.placements = plan.placements;
  write_config(c, drc, config, credentials);
  out.manifest = report.manifest;
  return out;
}

void finish_restore(k8s::client& c, const json& drc) {
  const std::string ns = text_at(drc, "/metadata/namespace");
  const std::string name = restore_config_name(text_at(drc, "/metadata/name"));
  if (c.find(k8s::kinds::configmap, ns, name)) (void)c.remove(k8s::kinds::configmap, ns, name);
  const auto secret = c.find(k8s::kinds::secret, ns, name);
  if (secret && !secret->value("data", json::object()).empty())
    (void)c.merge_patch(k8s::kinds::secret, ns, name, {{"data", nullptr}});
}

}  // namespace rcplan::controller
