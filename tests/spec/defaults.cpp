#include <rcplan/spec/defaults.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

TEST_CASE("apply_defaults fills what the original operator fills") {
  rcplan::cluster_resource r;
  r.metadata.name = "restore";
  rcplan::apply_defaults(r);
  const auto& s = r.spec;
  CHECK(s.image == "redis:5.0.4-alpine");
  CHECK(s.master_size == 3);
  CHECK(s.cluster_replicas == 1);
  CHECK(s.service_name == "restore");
  REQUIRE(s.resources.has_value());
  CHECK(s.resources->requests.at("cpu") == "200m");
  CHECK(s.resources->requests.at("memory") == "2Gi");
  CHECK(s.resources->limits.at("cpu") == "1000m");
  CHECK(s.resources->limits.at("memory") == "4Gi");
  CHECK_FALSE(s.monitor.has_value());
  CHECK(s.annotations.empty());
}

TEST_CASE("apply_defaults keeps explicit values, even the risky ones") {
  rcplan::cluster_resource r;
  r.metadata.name = "x";
  r.spec.image = "redis:7.0";
  r.spec.master_size = 1;
  r.spec.cluster_replicas = 0;
  r.spec.service_name = "svc";
  r.spec.resources = rcplan::resource_requirements{{{"cpu", "1"}}, {}, {}};
  rcplan::apply_defaults(r);
  CHECK(r.spec.image == "redis:7.0");
  CHECK(r.spec.master_size == 1);
  CHECK(r.spec.cluster_replicas == 0);
  CHECK(r.spec.service_name == "svc");
  CHECK(r.spec.resources->requests == std::map<std::string, std::string>{{"cpu", "1"}});
  CHECK(r.spec.resources->limits.empty());
}

TEST_CASE("apply_defaults sets up the exporter when monitoring is on") {
  rcplan::cluster_resource r;
  r.spec.monitor = rcplan::monitor_spec{};
  r.spec.annotations["prometheus.io/port"] = "1";
  r.spec.annotations["team"] = "cache";
  rcplan::apply_defaults(r);
  REQUIRE(r.spec.monitor->prometheus.has_value());
  CHECK(r.spec.monitor->prometheus->port == 9100);
  CHECK(r.spec.annotations.at("prometheus.io/scrape") == "true");
  CHECK(r.spec.annotations.at("prometheus.io/path") == "/metrics");
  CHECK(r.spec.annotations.at("prometheus.io/port") == "9100");
  CHECK(r.spec.annotations.at("team") == "cache");

  rcplan::cluster_resource custom;
  custom.spec.monitor = rcplan::monitor_spec{};
  custom.spec.monitor->prometheus = rcplan::prometheus_spec{};
  custom.spec.monitor->prometheus->port = 9121;
  rcplan::apply_defaults(custom);
  CHECK(custom.spec.monitor->prometheus->port == 9121);
  CHECK(custom.spec.annotations.at("prometheus.io/port") == "9121");
}

TEST_CASE("apply_defaults is idempotent and never breaks a valid spec") {
  rc::prop("twice equals once; still no errors", [] {
    auto r = *rcplan::testing::gen_cluster_resource();
    rcplan::apply_defaults(r);
    auto again = r;
    rcplan::apply_defaults(again);
    RC_ASSERT(again == r);
    RC_ASSERT(r.spec.master_size.has_value());
    RC_ASSERT(r.spec.cluster_replicas.has_value());
    RC_ASSERT(!r.spec.image.empty());
    RC_ASSERT(!rcplan::has_errors(rcplan::validate(r.spec)));
  });
}
