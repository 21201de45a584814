// The client against the real kube-apiserver of the test control plane: apply, get, list,
// delete with preconditions, watch, the status subresource, and each kind of failure with the
// verb, kind and name in its message and no credential.

#include "kubernetes/kube_env.hpp"

#include <rcplan/error.hpp>

#include <atomic>
#include <set>
#include <string>
#include <thread>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::test_namespace;

namespace {

nlohmann::json configmap(const std::string& ns, const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"app", "t"}}}}},
          {"data", {{"key", value}}}};
}

/// Every message a test saw, to check that none holds a credential.
std::vector<std::string> messages;

std::string error_of(const std::function<void()>& f, std::string& id) {
  try {
    f();
  } catch (const rcplan::error& e) {
    id = e.id();
    messages.emplace_back(e.what());
    return e.what();
  }
  id.clear();
  return {};
}

}  // namespace

TEST_CASE("kubernetes client: apply creates, a second apply of the same object changes nothing", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "apply");
  const nlohmann::json first = c.apply(configmap(ns.name(), "cm", "v1"));
  CHECK(first["data"]["key"] == "v1");
  const std::string version = first["metadata"]["resourceVersion"];
  const nlohmann::json again = c.apply(configmap(ns.name(), "cm", "v1"));
  CHECK(again["metadata"]["resourceVersion"] == version);
  // rcplan is the field manager of what it applied
  bool managed = false;
  for (const auto& m : again["metadata"]["managedFields"]) managed = managed || m["manager"] == k8s::field_manager;
  CHECK(managed);

  const nlohmann::json changed = c.apply(configmap(ns.name(), "cm", "v2"));
  CHECK(changed["metadata"]["resourceVersion"] != version);
  CHECK(c.get(k8s::kinds::configmap, ns.name(), "cm")["data"]["key"] == "v2");
}

TEST_CASE("kubernetes client: list by label, find, and delete with preconditions", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "list");
  (void)c.apply(configmap(ns.name(), "a", "1"));
  (void)c.apply(configmap(ns.name(), "b", "2"));
  nlohmann::json other = configmap(ns.name(), "c", "3");
  other["metadata"]["labels"]["app"] = "other";
  (void)c.apply(other);

  const nlohmann::json l = c.list(k8s::kinds::configmap, ns.name(), {"app=t", ""});
  std::set<std::string> names;
  for (const auto& item : l["items"]) names.insert(item["metadata"]["name"].get<std::string>());
  CHECK(names == std::set<std::string>{"a", "b"});
  CHECK_FALSE(l["metadata"]["resourceVersion"].get<std::string>().empty());

  CHECK(c.find(k8s::kinds::configmap, ns.name(), "a").has_value());
  CHECK_FALSE(c.find(k8s::kinds::configmap, ns.name(), "zzz").has_value());

  k8s::delete_options stale;
  stale.precondition_uid = "00000000-0000-0000-0000-000000000000";
  std::string id;
  const std::string m = error_of([&] { (void)c.remove(k8s::kinds::configmap, ns.name(), "a", stale); }, id);
  CHECK(id == "rcplan.kubernetes.conflict");
  CHECK_THAT(m, Catch::Contains("delete ConfigMap " + ns.name() + "/a"));
  CHECK(c.find(k8s::kinds::configmap, ns.name(), "a").has_value());

  k8s::delete_options exact;
  exact.precondition_uid = c.get(k8s::kinds::configmap, ns.name(), "a")["metadata"]["uid"];
  CHECK(c.remove(k8s::kinds::configmap, ns.name(), "a", exact));
  CHECK_FALSE(c.find(k8s::kinds::configmap, ns.name(), "a").has_value());
  CHECK_FALSE(c.remove(k8s::kinds::configmap, ns.name(), "a"));  // already gone
}

TEST_CASE("kubernetes client: a watch from a list's version sees every later change in order", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "watch");
  const std::string from = c.list(k8s::kinds::configmap, ns.name())["metadata"]["resourceVersion"];
  (void)c.apply(configmap(ns.name(), "w", "1"));
  (void)c.apply(configmap(ns.name(), "w", "2"));
  (void)c.remove(k8s::kinds::configmap, ns.name(), "w");

  std::vector<std::string> seen;
  k8s::watch_options o;
  o.resource_version = from;
  o.timeout = std::chrono::seconds(20);
  const std::string last = c.watch(k8s::kinds::configmap, ns.name(), o, [&](const k8s::watch_event& e) {
    if (e.object["metadata"]["name"] != "w") return true;
    const std::string data = e.object.contains("data") ? e.object["data"]["key"].get<std::string>() : "";
    seen.push_back(e.type + ":" + data);
    return seen.size() < 3;
  });
  CHECK(seen == std::vector<std::string>{"ADDED:1", "MODIFIED:2", "DELETED:2"});
  CHECK_FALSE(last.empty());
}

TEST_CASE("kubernetes client: failures carry their kind, the call and the server's message", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "errors");
  std::string id;

  std::string m = error_of([&] { (void)c.get(k8s::kinds::configmap, ns.name(), "missing"); }, id);
  CHECK(id == "rcplan.kubernetes.not_found");
  CHECK_THAT(m, Catch::Contains("get ConfigMap " + ns.name() + "/missing") && Catch::Contains("not found"));

  nlohmann::json bad = configmap(ns.name(), "Bad_Name", "x");
  m = error_of([&] { (void)c.apply(bad); }, id);
  CHECK(id == "rcplan.kubernetes.invalid");
  CHECK_THAT(m, Catch::Contains("apply ConfigMap " + ns.name() + "/Bad_Name") && Catch::Contains("RFC 1123"));

  // A service account with no role may do nothing: the admin impersonates it.
  (void)c.apply({{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "nobody"}, {"namespace", ns.name()}}}});
  k8s::cluster_access as_nobody = c.access();
  as_nobody.impersonate_user = "system:serviceaccount:" + ns.name() + ":nobody";
  k8s::client nobody(as_nobody);
  m = error_of([&] { (void)nobody.list(k8s::kinds::statefulset, ns.name()); }, id);
  CHECK(id == "rcplan.kubernetes.forbidden");
  CHECK_THAT(m, Catch::Contains("list StatefulSet in " + ns.name()) && Catch::Contains("cannot list resource"));

  k8s::cluster_access wrong = c.access();
  wrong.client_certificate_pem.clear();
  wrong.client_key_pem.clear();
  wrong.token = "not-a-valid-token-0123456789";
  m = error_of([&] { (void)k8s::client(wrong).get(k8s::kinds::configmap, ns.name(), "x"); }, id);
  CHECK(id == "rcplan.kubernetes.unauthorized");
  CHECK_THAT(m, !Catch::Contains("not-a-valid-token"));

  k8s::cluster_access closed = c.access();
  closed.server = "https://127.0.0.1:1";
  m = error_of([&] { (void)k8s::client(closed).get(k8s::kinds::configmap, ns.name(), "x"); }, id);
  CHECK(id == "rcplan.kubernetes.unreachable");
  CHECK_THAT(m, Catch::Contains("get ConfigMap") && Catch::Contains("127.0.0.1:1"));

  // no credential ever shows in a message
  REQUIRE(messages.size() >= 5);
  for (const std::string& text : messages) {
    CHECK(text.find(c.access().client_key_pem.substr(40, 40)) == std::string::npos);
    CHECK(text.find(c.access().client_certificate_pem.substr(40, 40)) == std::string::npos);
    CHECK(text.find("not-a-valid-token") == std::string::npos);
  }
}

TEST_CASE("kubernetes client: a Lease replaced with a stale resourceVersion is a conflict", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "lease");
  json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                {"kind", "Lease"},
                {"metadata", {{"name", "leader"}, {"namespace", ns.name()}}},
                {"spec", {{"holderIdentity", "a"}, {"leaseDurationSeconds", 15}}}};
  const json created = c.create(lease);
  json mine = created;
  mine["spec"]["holderIdentity"] = "b";
  const json taken = c.replace(mine);  // at the version read: accepted
  CHECK(taken["spec"]["holderIdentity"] == "b");
  json stale = created;  // still at the first version
  stale["spec"]["holderIdentity"] = "c";
  std::string id;
  const std::string m = error_of([&] { (void)c.replace(stale); }, id);
  CHECK(id == "rcplan.kubernetes.conflict");
  CHECK_THAT(m, Catch::Contains("replace Lease " + ns.name() + "/leader"));
  CHECK(c.get(k8s::kinds::lease, ns.name(), "leader")["spec"]["holderIdentity"] == "b");

  std::string again;
  (void)error_of([&] { (void)c.create(lease); }, again);
  CHECK(again == "rcplan.kubernetes.conflict");  // AlreadyExists is a 409 too
}
