#include <rcplan/error.hpp>
#include <rcplan/kubernetes/install.hpp>
#include <rcplan/yaml/yaml.hpp>

#include "embedded_manifests.hpp"

#include <thread>

namespace rcplan::kubernetes {

namespace {

/// "Established" True, or the messages of the conditions that say why not.
bool established(const nlohmann::json& crd, std::string& why) {
  why.clear();
  for (const nlohmann::json& c : crd.value("status", nlohmann::json::object()).value("conditions", nlohmann::json::array())) {
    if (c.value("type", "") == "Established" && c.value("status", "") == "True") return true;
    const std::string message = c.value("message", "");
    if (!message.empty()) why += (why.empty() ? "" : "; ") + c.value("type", "") + ": " + message;
  }
  return false;
}

/// Every object of the embedded YAML files, in order.
std::vector<nlohmann::json> documents(const std::vector<std::string_view>& texts) {
  std::vector<nlohmann::json> out;
  for (const std::string_view text : texts)
    for (nlohmann::json& doc : yaml::parse_yaml_documents(std::string(text)))
      if (doc.is_object()) out.push_back(std::move(doc));
  return out;
}

/// Applies `objects` in order; "Kind name" of each.
install_result apply_in_order(client& c, const std::vector<nlohmann::json>& objects) {
  install_result r;
  for (const nlohmann::json& object : objects) {
    (void)c.apply(object);
    r.applied.push_back(object["kind"].get<std::string>() + " " + object["metadata"]["name"].get<std::string>());
  }
  return r;
}

}  // namespace

std::vector<nlohmann::json> crd_manifests() { return documents(detail::embedded_crds()); }

std::vector<nlohmann::json> operator_manifests(const operator_options& o) {
  std::vector<nlohmann::json> out = documents(detail::embedded_operator());
  for (nlohmann::json& doc : out) {
    const std::string kind = doc.value("kind", "");
    if (kind == "Namespace") doc["metadata"]["name"] = o.namespace_name;
    if (kind == "ServiceAccount" || kind == "Deployment") doc["metadata"]["namespace"] = o.namespace_name;
    if (kind == "ClusterRoleBinding")
      for (nlohmann::json& subject : doc["subjects"]) subject["namespace"] = o.namespace_name;
    if (kind == "Deployment")
      for (nlohmann::json& container : doc["spec"]["template"]["spec"]["containers"]) {
        container["image"] = o.image;
        for (nlohmann::json& e : container["env"])
          if (e.value("name", "") == "RCPLAN_TOOLS_IMAGE") e["value"] = o.image;
      }
  }
  return out;
}

std::string operator_user(const std::string& namespace_name) {
  return "system:serviceaccount:" + namespace_name + ":rcplan-operator";
}

install_result install_operator(client& c, const operator_options& o) { return apply_in_order(c, operator_manifests(o)); }

install_result install_crds(client& c, const install_options& o) {
  const std::vector<nlohmann::json> crds = crd_manifests();
  install_result r = apply_in_order(c, crds);
  const auto deadline = std::chrono::steady_clock::now() + o.timeout;
  for (const nlohmann::json& crd : crds) {
    const std::string name = crd["metadata"]["name"].get<std::string>();
    std::string why;
    while (!established(c.get(kinds::crd, "", name), why)) {
      if (std::chrono::steady_clock::now() >= deadline)
        throw error("rcplan.kubernetes.timeout", "CustomResourceDefinition " + name + " is not Established after " +
                                                     std::to_string(o.timeout.count()) + " s" +
                                                     (why.empty() ? std::string{} : ": " + why));
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  return r;
}

}  // namespace rcplan::kubernetes
