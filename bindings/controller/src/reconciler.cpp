#include <rcplan/controller/reconciler.hpp>

#include "object_fields.hpp"
#include "restore_source.hpp"
#include "status_json.hpp"

#include <rcplan/error.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/kubernetes/resources.hpp>
#include <rcplan/kubernetes/secrets.hpp>
#include <rcplan/loop/loop.hpp>
#include <rcplan/planner/restore.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/redis/converge.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>

#include <algorithm>
#include <optional>
#include <variant>

namespace rcplan::controller {
namespace {

using nlohmann::json;
namespace k8s = rcplan::kubernetes;

std::string claim_selector(const std::string& cluster) {
  return std::string(label_app_name) + "=" + app_name + "," + label_cluster_name + "=" + cluster;
}

std::vector<std::string> finalizers_of(const json& obj) {
  std::vector<std::string> out;
  for (const json& f : obj["metadata"].value("finalizers", json::array()))
    if (f.is_string()) out.push_back(f.get<std::string>());
  return out;
}

/// Writes the finalizer list at the version read, so a concurrent change is not overwritten.
void set_finalizers(k8s::client& c, const json& obj, const std::vector<std::string>& list) {
  const json& meta = obj["metadata"];
  (void)c.merge_patch(k8s::kinds::distributed_redis_cluster, meta["namespace"].get<std::string>(),
                      meta["name"].get<std::string>(),
                      {{"metadata", {{"finalizers", list}, {"resourceVersion", meta["resourceVersion"]}}}});
}

cluster_resource load(const json& obj) { return load_cluster_resource(detail::trimmed(obj)); }

/// The first error of validate(), as "field: message".
std::optional<std::string> invalid(cluster_resource r) {
  apply_defaults(r);
  for (const diagnostic& d : validate(r.spec))
    if (d.severity == severity::error) return (d.subject.empty() ? std::string("spec") : d.subject) + ": " + d.message;
  return std::nullopt;
}

/// Diagnostics worth an Event: errors and warnings, and every diagnostic of a waiting or
/// blocked plan (they say what it waits for).
bool eventful(const plan& p, const diagnostic& d) {
  return d.severity != severity::info || p.status == plan_status::waiting || p.status == plan_status::blocked;
}

/// The steps of the waves a pass executes, as one line each.
std::string wave_text(const plan& p) {
  if (p.steps.empty()) return {};
  const int first = std::min_element(p.steps.begin(), p.steps.end(), [](const step& a, const step& b) {
                      return a.wave < b.wave;
                    })->wave;
  const int waves = first_wave_and_its_waits(p);
  std::string out;
  std::size_t n = 0;
  for (const step& s : p.steps) {
    if (s.wave >= first + waves) continue;
    if (++n > 8) continue;
    out += (out.empty() ? "" : "; ") + s.reason;
  }
  if (n > 8) out += "; and " + std::to_string(n - 8) + " more";
  return out;
}

}  // namespace

std::string applied_password_secret(const std::string& cluster) { return cluster + "-rcplan-password"; }

namespace {

/// Why a change of the password or user cannot go ahead: the pods define the ACL user at
/// start, and changing it live needs ACL SETUSER on every node, which rcplan does not send.
std::optional<std::string> acl_change_refused(const std::string& user, const std::string& applied_user,
                                              bool password_changed) {
  if (user != applied_user)
    return "spec.username changed from \"" + applied_user + "\" to \"" + user +
           "\": the nodes define their ACL user at start, and rcplan does not change it live (ACL SETUSER); "
           "put the previous username back";
  if (!user.empty() && password_changed)
    return "the password of ACL user " + user +
           " changed: rcplan changes a password live with CONFIG SET requirepass, which does not reach an ACL "
           "user (that needs ACL SETUSER); put the previous password back in the Secret";
  return std::nullopt;
}

}  // namespace

reconciler::reconciler(k8s::client& c, event_recorder& events, reconciler_options o)
    : c_(c), events_(events), o_(o) {}

pass_result reconciler::reconcile(const k8s::cluster_ref& cluster) {
  pass_result out;
  const auto found = c_.find(k8s::kinds::distributed_redis_cluster, cluster.namespace_name, cluster.name);
  if (!found) {
    out.outcome = pass_outcome::gone;
    return out;
  }
  const json& obj = *found;
  const std::string uid = obj["metadata"].value("uid", "");
  std::vector<std::string> finalizers = finalizers_of(obj);
  const bool ours = std::find(finalizers.begin(), finalizers.end(), finalizer) != finalizers.end();

  // --- deletion ---
  if (obj["metadata"].contains("deletionTimestamp")) {
    out.outcome = pass_outcome::deleted;
    if (!ours) return out;
    bool delete_claims = false;
    try {
      const cluster_resource r = load(obj);
      delete_claims = r.spec.storage && r.spec.storage->delete_claim;
    } catch (const error&) {
      // An invalid spec keeps the claims: data is only deleted when asked for clearly.
    }
    std::size_t deleted = 0;
    if (delete_claims) {
      k8s::list_options lo;
      lo.label_selector = claim_selector(cluster.name);
      const json claims = c_.list(k8s::kinds::pvc, cluster.namespace_name, lo);
      for (const json& claim : claims["items"])
        deleted += c_.remove(k8s::kinds::pvc, cluster.namespace_name, claim["metadata"]["name"].get<std::string>()) ? 1U : 0U;
    }
    (void)events_.record(c_, obj, event_type::normal, "Deleting",
                         delete_claims ? "deleted " + std::to_string(deleted) + " PersistentVolumeClaims (deleteClaim)"
                                       : "PersistentVolumeClaims kept (deleteClaim is false)");
    finalizers.erase(std::remove(finalizers.begin(), finalizers.end(), finalizer), finalizers.end());
    set_finalizers(c_, obj, finalizers);
    events_.forget(uid);
    return out;
  }

  // --- the spec ---
  const auto write_status = [&](const cluster_status& s, const std::string& condition_reason) {
    const json status = status_json(s, obj, condition_reason);
    if (obj.value("status", json::object()) != status) {
      json patch = {{"apiVersion", obj["apiVersion"]},
                    {"kind", obj["kind"]},
                    {"metadata", {{"name", cluster.name}, {"namespace", cluster.namespace_name}}},
                    {"status", status}};
      (void)c_.apply_status(patch);
    }
    out.status = s.status;
    out.masters = s.number_of_master;
  };
  cluster_resource desired;
  std::optional<std::string> problem;
  try {
    desired = load(obj);
    problem = invalid(desired);
  } catch (const error& e) {
    problem = e.what();
  }
  if (problem) {
    cluster_status s;
    s.status = "Failed";
    s.reason = "invalid spec: " + *problem;
    write_status(s, "InvalidSpec");
    (void)events_.record(c_, obj, event_type::warning, "InvalidSpec", *problem);
    out.outcome = pass_outcome::invalid;
    out.message = *problem;
    return out;
  }
  if (!ours) {
    finalizers.push_back(finalizer);
    set_finalizers(c_, obj, finalizers);
  }

  // --- the password ---
  redis::secret password;
  redis::secret previous;
  bool applied_missing = false;  // no Secret yet holds the password in force
  if (desired.spec.password_secret) {
    const std::string& name = desired.spec.password_secret->name;
    const auto value = k8s::read_secret_value(c_, cluster.namespace_name, name);
    if (!value) {
      const std::string why = "the password Secret " + name + " (key \"password\") does not exist";
      (void)events_.record(c_, obj, event_type::warning, "PasswordSecretMissing", why);
      out.outcome = pass_outcome::error;
      out.message = why;
      return out;
    }
    const std::string& user = desired.spec.username;
    password = value->for_user(user);
    const auto applied = k8s::read_secret_value(c_, cluster.namespace_name, applied_password_secret(cluster.name));
    applied_missing = !applied;
    if (applied && applied->reveal() != password.reveal()) previous = applied->for_user(user);
    const std::string applied_user =
        applied ? k8s::read_secret_value(c_, cluster.namespace_name, applied_password_secret(cluster.name), "username")
                      .value_or(redis::secret{})
                      .reveal()
                : user;
    if (const auto why = acl_change_refused(user, applied_user, !previous.empty())) {
      (void)events_.record(c_, obj, event_type::warning, "PasswordChangeBlocked", *why);
      out.outcome = pass_outcome::blocked;
      out.message = *why;
      return out;
    }
  }

  // --- a restore: the backup resolved before anything starts ---
  std::optional<restore_source> restore;
  if (desired.spec.init && desired.spec.init->backup_source && restore_done(obj)) {
    finish_restore(c_, obj);  // again, for a pass cut short between the status and the clean-up
  } else if (desired.spec.init && desired.spec.init->backup_source) {
    try {
      restore = prepare_restore(c_, obj, desired);
    } catch (const error& e) {
      (void)events_.record(c_, obj, event_type::warning, "RestoreError", e.what());
      out.outcome = pass_outcome::error;
      out.message = e.what();
      return out;
    }
    if (!restore->failed.empty() || !restore->waiting.empty()) {
      const bool failed = !restore->failed.empty();
      cluster_status s;
      s.status = failed ? "Failed" : "Creating";
      s.reason = failed ? restore->failed : restore->waiting;
      s.restore = restore_status{failed ? phase_failed : phase_running, restore->backup};
      write_status(s, failed ? "RestoreFailed" : "RestoreWaiting");
      (void)events_.record(c_, obj, failed ? event_type::warning : event_type::normal,
                           failed ? "RestoreFailed" : "Waiting", s.reason);
      out.outcome = failed ? pass_outcome::blocked : pass_outcome::waiting;
      out.message = s.reason;
      return out;
    }
  }

  // --- one iteration of the controller loop ---
  k8s::platform platform(c_, cluster, o_.tools_image);
  redis::converge_options co;
  co.observe.password = password;
  co.observe.previous_password = previous;
  co.observe.connect_timeout = o_.connect_timeout;
  co.execute.parallel = o_.parallel;
  co.max_iterations = 1;
  co.waiting_backoff = std::chrono::milliseconds(0);
  co.waiting_backoff_max = std::chrono::milliseconds(0);
  std::optional<cluster_status> status;
  plan planned;
  if (restore) co.reconcile.restore = restore->manifest;
  co.on_observed = [&](const topology& t, const plan& p) {
    status = compute_status(t, desired, p);
    if (restore) status->restore = restore_progress(t, p, restore->backup);
    planned = p;
  };
  bool executed = false;
  co.on_executed = [&](const redis::execute_result& r) {
    executed = true;
    out.slots_moved += r.slots_moved;
    out.keys_moved += r.keys_moved;
  };
  redis::converge_result r;
  try {
    r = redis::run_until_converged({}, desired, co, &platform);
  } catch (const error& e) {
    (void)events_.record(c_, obj, event_type::warning, "ReconcileError", e.what());
    out.outcome = pass_outcome::error;
    out.message = e.what();
    return out;
  }

  if (executed) {
    const std::string text = wave_text(planned);
    (void)events_.record(c_, obj, event_type::normal, "WaveExecuted", text);
  }
  for (const diagnostic& d : planned.diagnostics)
    if (eventful(planned, d))
      (void)events_.record(c_, obj, d.severity == severity::info ? event_type::normal : event_type::warning,
                           planned.status == plan_status::blocked   ? "Blocked"
                           : planned.status == plan_status::waiting ? "Waiting"
                                                                    : "PlanWarning",
                           d.code + ": " + d.message);
  for (const diagnostic& d : r.diagnostics)
    (void)events_.record(c_, obj, event_type::warning, "WaveIncomplete", d.code + ": " + d.message);

  if (r.converged) out.outcome = pass_outcome::converged;
  else if (planned.status == plan_status::blocked) out.outcome = pass_outcome::blocked;
  else if (executed) out.outcome = pass_outcome::progressing;
  else out.outcome = pass_outcome::waiting;
  if (!planned.diagnostics.empty()) out.message = planned.diagnostics.front().message;

  if (status) write_status(*status, {});
  if (restore && status && status->restore && status->restore->phase == phase_succeeded) finish_restore(c_, obj);
  // The cluster runs with the new password now: keep it as the one in force.
  if (r.converged && desired.spec.password_secret &&
      (applied_missing || !previous.empty())) {
    (void)c_.apply({{"apiVersion", "v1"},
                    {"kind", "Secret"},
                    {"metadata",
                     {{"name", applied_password_secret(cluster.name)},
                      {"namespace", cluster.namespace_name},
                      {"labels", {{label_app_name, app_name}, {label_cluster_name, cluster.name}}},
                      {"ownerReferences", json::array({{{"apiVersion", obj["apiVersion"]},
                                                        {"kind", obj["kind"]},
                                                        {"name", cluster.name},
                                                        {"uid", uid},
                                                        {"controller", true}}})}}},
                    {"type", "Opaque"},
                    {"stringData", {{"password", password.reveal()}, {"username", password.user()}}}});
  }
  return out;
}

}  // namespace rcplan::controller
