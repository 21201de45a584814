// Following a collection across what ends watches: a restart of the API server (the watch
// resumes from the last version it saw, or from a new list told as the changes it brings, so
// no event is missed and none is repeated), and a version the server has compacted away (410
// Gone, which follow() answers with such a list).

#include "kubernetes/kube_env.hpp"

#include <rcplan/error.hpp>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace k8s = rcplan::kubernetes;
using nlohmann::json;
using rcplan_kube_test::admin;
using rcplan_kube_test::eventually;
using rcplan_kube_test::test_namespace;

namespace {

json labelled_configmap(const std::string& ns, const std::string& name) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"labels", {{"watched", "yes"}}}}}};
}

}  // namespace

TEST_CASE("follow: a watch survives an API server restart and misses no event", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "follow");
  (void)c.apply(labelled_configmap(ns.name(), "before-start"));

  std::mutex m;
  std::vector<std::string> seen;
  std::atomic<bool> stop{false};
  std::thread follower([&] {
    k8s::client fc = admin();
    k8s::follow_options o;
    o.label_selector = "watched=yes";
    o.watch_timeout = std::chrono::seconds(5);
    fc.follow(k8s::kinds::configmap, ns.name(), o, [&](const k8s::watch_event& e) {
      const std::lock_guard<std::mutex> lock(m);
      seen.push_back(e.type + ":" + e.object["metadata"]["name"].get<std::string>());
      return !stop.load();
    });
  });
  const auto saw = [&](const std::string& what) {
    return eventually([&] {
      const std::lock_guard<std::mutex> lock(m);
      return std::find(seen.begin(), seen.end(), what) != seen.end();
    }, std::chrono::seconds(60));
  };
  CHECK(saw("ADDED:before-start"));
  (void)c.apply(labelled_configmap(ns.name(), "before-restart"));
  CHECK(saw("ADDED:before-restart"));

  const std::string script = std::string(RCPLAN_SOURCE_DIR) + "/scripts/kube-testenv.sh restart-apiserver " +
                             rcplan_kube_test::testenv_dir().string() + " >/dev/null 2>&1";
  REQUIRE(std::system(script.c_str()) == 0);
  (void)c.apply(labelled_configmap(ns.name(), "after-restart"));
  (void)c.remove(k8s::kinds::configmap, ns.name(), "before-restart");
  CHECK(saw("DELETED:before-restart"));

  stop = true;
  (void)c.apply(labelled_configmap(ns.name(), "to-end-the-follow"));
  follower.join();
  const std::lock_guard<std::mutex> lock(m);
  std::vector<std::string> expected = {"ADDED:before-start", "ADDED:before-restart", "ADDED:after-restart",
                                       "DELETED:before-restart"};
  REQUIRE(seen.size() >= expected.size());
  CHECK(std::vector<std::string>(seen.begin(), seen.begin() + 4) == expected);
}

TEST_CASE("watch: a compacted version is 410 Gone", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "gone");
  // The test API server compacts etcd every 10 s; an early version is gone soon after.
  std::string id;
  CHECK(eventually([&] {
    try {
      k8s::watch_options o;
      o.resource_version = "2";
      o.timeout = std::chrono::seconds(1);
      (void)c.watch(k8s::kinds::configmap, ns.name(), o, [](const k8s::watch_event&) { return false; });
    } catch (const rcplan::error& e) {
      id = e.id();
      return id == "rcplan.kubernetes.gone";
    }
    (void)c.apply(labelled_configmap(ns.name(), "churn"));  // move the current version on
    (void)c.remove(k8s::kinds::configmap, ns.name(), "churn");
    return false;
  }, std::chrono::seconds(60)));
  CHECK(id == "rcplan.kubernetes.gone");
}
