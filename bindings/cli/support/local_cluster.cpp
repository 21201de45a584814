#include "local_cluster.hpp"

#include "exit.hpp"
#include "topology_text.hpp"

#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/status.hpp>
#include <rcplan/planner/summary.hpp>
#include <rcplan/redis/observe.hpp>

#include <iomanip>
#include <optional>
#include <ostream>

namespace rcplan::cli {

redis::secret password_for_spec(const cluster_resource& desired, const connection_options& c) {
  redis::secret s = resolve_password(c);
  if (!desired.spec.password_secret) return {};
  if (s.empty())
    throw input_error("the spec names the password Secret \"" + desired.spec.password_secret->name +
                      "\" (spec.passwordSecret): give its value with --password-file FILE or " + password_env);
  const std::string& user = desired.spec.username;
  if (user.empty()) return s;
  if (!s.user().empty() && s.user() != user)
    throw input_error("the ACL user " + s.user() + " (--user or RCPLAN_USER) is not the spec's, " + user +
                      " (spec.username)");
  return s.for_user(user);
}

local::runtime_options local_options(const std::filesystem::path& dir, const redis::secret& password) {
  local::runtime_options o;
  o.dir = dir;
  o.password = password;
  return o;
}

topology observe_local(local::runtime& runtime, const redis::observe_options& options) {
  runtime.keep_pods_running();
  redis::observe_options o = options;
  o.tls = runtime.client_tls();  // a TLS-only cluster is reached only so
  return redis::observe(runtime, o);
}

void print_local_tls(std::ostream& out, const local::runtime& runtime) {
  const redis::tls_options& t = runtime.client_tls();
  if (!t.enabled) return;
  out << "\nTLS only; connect with:\n  --tls --tls-ca-cert " << t.ca_file.string() << " --tls-cert "
      << t.cert_file.string() << " --tls-key " << t.key_file.string() << '\n';
}

nlohmann::ordered_json local_tls_json(const local::runtime& runtime) {
  const redis::tls_options& t = runtime.client_tls();
  if (!t.enabled) return {{"enabled", false}};
  return {{"enabled", true},
          {"ca_cert", t.ca_file.string()},
          {"cert", t.cert_file.string()},
          {"key", t.key_file.string()}};
}

namespace {

void print_pods(std::ostream& out, const topology& t) {
  out << "\npods (" << t.pods.size() << ")\n";
  for (const pod& p : t.pods)
    out << "  " << std::left << std::setw(36) << p.name << std::right << "  " << p.ip << ':' << p.port << "  "
        << p.kube_node << '/' << p.zone << (p.ready ? "" : "  not ready") << '\n';
}

}  // namespace

bool print_local_status(std::ostream& out, const topology& t, const cluster_resource* desired, output_format format) {
  const topology_summary s = summarize(t);
  std::optional<plan> next;
  std::optional<cluster_status> status;
  if (desired != nullptr) {
    next = reconcile(t, *desired);
    status = compute_status(t, *desired, *next);
  }
  if (format == output_format::json) {
    nlohmann::ordered_json doc;
    doc["summary"] = topology_summary_json(s);
    doc["pods"] = nlohmann::ordered_json::array();
    for (const pod& p : t.pods)
      doc["pods"].push_back({{"name", p.name}, {"ip", p.ip}, {"port", p.port}, {"node", p.kube_node},
                             {"zone", p.zone}, {"ready", p.ready}});
    if (status) {
      doc["status"] = *status;
      doc["next_plan"] = *next;
    }
    print_json(out, doc);
  } else {
    print_topology_text(out, s);
    print_pods(out, t);
    if (status) {
      out << "\nstatus: " << status->status;
      if (!status->reason.empty()) out << " (" << status->reason << ')';
      out << "\n  masters: " << status->number_of_master << ", replicas per master: " << status->min_replication_factor;
      if (status->max_replication_factor != status->min_replication_factor) out << '-' << status->max_replication_factor;
      out << "\n  next plan: " << to_string(next->status) << ", " << next->steps.size()
          << (next->steps.size() == 1 ? " step\n" : " steps\n");
    }
  }
  out.flush();
  return !next || next->status == plan_status::converged;
}

}  // namespace rcplan::cli
