#include "status_json.hpp"

#include <rcplan/kubernetes/timestamps.hpp>

#include <rcplan/json/kube_objects.hpp>

#include <array>

namespace rcplan::controller {
namespace {

using nlohmann::json;

bool progressing(const std::string& status) {
  return status == "Creating" || status == "Scaling" || status == "Rebalancing" || status == "RollingUpdate" ||
         status == "ResetPassword";
}

json condition(const json& old_status, const std::string& type, bool is, const std::string& reason,
               const std::string& message, std::int64_t generation) {
  const std::string value = is ? "True" : "False";
  std::string since = kubernetes::now_rfc3339();
  for (const json& c : old_status.value("conditions", json::array()))
    if (c.value("type", "") == type && c.value("status", "") == value) since = c.value("lastTransitionTime", since);
  json out = {{"type", type}, {"status", value}, {"reason", reason}, {"lastTransitionTime", since},
              {"observedGeneration", generation}};
  if (!message.empty()) out["message"] = message;
  return out;
}

}  // namespace

json status_json(const cluster_status& s, const json& obj, const std::string& reason) {
  json out = s;
  const json old = obj.value("status", json::object());
  // a restore's record stays once the pass no longer restores
  if (!s.restore && old.contains("restore")) out["restore"] = old["restore"];
  const std::int64_t generation = obj["metadata"].value("generation", std::int64_t{0});
  out["observedGeneration"] = generation;
  const std::string why = reason.empty() ? s.status : reason;
  out["conditions"] = json::array({condition(old, "Ready", s.status == "Healthy", why, s.reason, generation),
                                   condition(old, "Progressing", progressing(s.status), why, s.reason, generation),
                                   condition(old, "Degraded", s.status == "Failed", why, s.reason, generation)});
  return out;
}

}  // namespace rcplan::controller
