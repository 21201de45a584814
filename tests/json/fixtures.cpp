// The fixture files, read the way the CLI reads them: YAML → JSON → resource.

#include <rcplan/yaml/yaml.hpp>

#include <rcplan/json/spec.hpp>
#include <rcplan/spec/defaults.hpp>
#include <rcplan/spec/validate.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>

namespace {

using nlohmann::json;

std::string fixture_path(const char* name) {
  std::string path = RCPLAN_TEST_DATA_DIR "/fixtures/";  // appended apart: GCC 12 -O3 warns on `+` here
  path += name;
  return path;
}

json fixture(const char* name) { return rcplan::yaml::load_yaml_file(fixture_path(name)); }

std::size_t error_line(const std::string& yaml) {
  try {
    (void)rcplan::yaml::parse_yaml(yaml);
  } catch (const rcplan::parse_error& e) {
    CHECK(e.id() == "rcplan.yaml");
    return e.line();
  }
  return 0;
}

}  // namespace

TEST_CASE("distributedrediscluster.yaml") {
  const auto j = fixture("distributedrediscluster.yaml");
  const auto r = rcplan::load_cluster_resource(j);
  CHECK(r.api_version == "redis.kun/v1alpha1");
  CHECK(r.metadata.name == "example-distributedrediscluster");
  CHECK(r.spec.image == "redis:5.0.4-alpine");
  CHECK(r.spec.master_size == 3);
  CHECK(r.spec.cluster_replicas == 1);
  REQUIRE(r.spec.storage.has_value());
  CHECK(r.spec.storage->type == "persistent-claim");
  CHECK(r.spec.storage->size == "10Gi");
  CHECK(r.spec.storage->class_name == "csi-rbd-sc");
  CHECK(r.spec.storage->delete_claim);
  CHECK(r.spec.unknown_fields.is_null());
  CHECK(json(r) == j);  // loaded unchanged: writing it back gives the same document
  CHECK(rcplan::validate(r.spec).empty());
}

TEST_CASE("distributedrediscluster-restore.yaml: no image, no masterSize") {
  const auto j = fixture("distributedrediscluster-restore.yaml");
  auto r = rcplan::load_cluster_resource(j);
  CHECK(r.metadata.name == "restore");
  CHECK(r.spec.image.empty());
  CHECK_FALSE(r.spec.master_size.has_value());
  CHECK(r.spec.storage->size == "1Gi");
  CHECK(r.spec.resources->limits.at("cpu") == "500m");
  CHECK(r.spec.resources->limits.at("memory") == "300Mi");
  CHECK(r.spec.resources->requests.at("cpu") == "100m");
  CHECK(r.spec.resources->requests.at("memory") == "100Mi");
  REQUIRE(r.spec.init.has_value());
  REQUIRE(r.spec.init->backup_source.has_value());
  CHECK(r.spec.init->backup_source->name == "example-redisclusterbackup");
  CHECK(r.spec.init->backup_source->namespace_ == "shu");
  CHECK(json(r) == j);
  CHECK_FALSE(rcplan::has_errors(rcplan::validate(r.spec)));

  rcplan::apply_defaults(r);
  CHECK(r.spec.image == "redis:5.0.4-alpine");
  CHECK(r.spec.master_size == 3);
  CHECK(r.spec.service_name == "restore");
  CHECK(r.spec.resources->limits.at("memory") == "300Mi");  // given, so not defaulted
  CHECK(rcplan::validate(r.spec).empty());
}

TEST_CASE("redisclusterbackup.yaml") {
  const auto j = fixture("redisclusterbackup.yaml");
  const auto any = rcplan::load_resource(j);
  REQUIRE(std::holds_alternative<rcplan::backup_resource>(any));
  const auto& b = std::get<rcplan::backup_resource>(any);
  CHECK(b.metadata.name == "example-redisclusterbackup");
  CHECK(b.spec.image == "uhub.service.ucloud.cn/operator/redis-tools:5.0.4");
  CHECK(b.spec.redis_cluster_name == "example-distributedrediscluster");
  CHECK(b.spec.storage_secret_name == "s3-secret");
  REQUIRE(b.spec.s3.has_value());
  CHECK(b.spec.s3->endpoint == "http://10.23.229.102:8080");
  CHECK(b.spec.s3->bucket == "ucloud");
  CHECK(json(b) == j);
  CHECK(rcplan::validate(b.spec).empty());
  // and it is not a cluster
  CHECK_THROWS_AS(rcplan::load_cluster_resource(j), rcplan::json_error);
}

TEST_CASE("YAML scalars are typed by the core schema") {
  const auto j = rcplan::yaml::parse_yaml(R"(
int: 3
neg: -42
hex: 0x1F
oct: 0o17
float: 1.5
exp: 1e3
dot: .5
t: true
f: False
n1: null
n2: ~
n3:
quoted_int: "3"
single: '8080'
quoted_bool: 'true'
quoted_null: "null"
yes_word: yes
on_word: on
quantity: 10Gi
version: 5.0.4
tagged: !!str 12
literal: |
  a
  b
list: [1, "1", x]
big: 18446744073709551615
)");
  CHECK(j.at("int") == 3);
  CHECK(j.at("int").is_number_integer());
  CHECK(j.at("neg") == -42);
  CHECK(j.at("hex") == 31);
  CHECK(j.at("oct") == 15);
  CHECK(j.at("float") == 1.5);
  CHECK(j.at("exp").is_number_float());
  CHECK(j.at("exp") == 1000.0);
  CHECK(j.at("dot") == 0.5);
  CHECK(j.at("t") == true);
  CHECK(j.at("f") == false);
  CHECK(j.at("n1").is_null());
  CHECK(j.at("n2").is_null());
  CHECK(j.at("n3").is_null());
  CHECK(j.at("quoted_int") == "3");
  CHECK(j.at("single") == "8080");
  CHECK(j.at("quoted_bool") == "true");
  CHECK(j.at("quoted_null") == "null");
  CHECK(j.at("yes_word") == "yes");
  CHECK(j.at("on_word") == "on");
  CHECK(j.at("quantity") == "10Gi");
  CHECK(j.at("version") == "5.0.4");
  CHECK(j.at("tagged") == "12");
  CHECK(j.at("literal") == "a\nb\n");
  CHECK(j.at("list") == json::array({1, "1", "x"}));
  CHECK(j.at("big").is_number_unsigned());
}

TEST_CASE("YAML errors name the line") {
  CHECK(error_line("a: 1\nb: 2\na: 3\n") == 3);
  CHECK(error_line("a: 1\nb:\n  - x\n  - [y\n") >= 4);
  CHECK(error_line("a: 1\n? [x, y]\n: 2\n") == 2);
  CHECK(error_line("a: 1\nb: .inf\n") == 2);
  CHECK(error_line("a: !!int x\n") == 1);
  CHECK(error_line("a: 1\n---\nb: 2\n") == 0);  // two documents: no single line to blame
  CHECK(rcplan::yaml::parse_yaml_documents("a: 1\n---\nb: 2\n").size() == 2);
  CHECK(rcplan::yaml::parse_yaml("").is_null());
  CHECK_THROWS_AS(rcplan::yaml::load_yaml_file(fixture_path("no-such-file.yaml")), rcplan::error);
}

TEST_CASE("a YAML spec with a wrong type fails at the exact path") {
  const auto j = rcplan::yaml::parse_yaml(R"(
apiVersion: redis.kun/v1alpha1
kind: DistributedRedisCluster
metadata:
  name: x
spec:
  masterSize: "3"
)");
  try {
    (void)rcplan::load_cluster_resource(j);
    FAIL("no error");
  } catch (const rcplan::json_error& e) {
    CHECK(e.path() == "spec.masterSize");
  }
}
