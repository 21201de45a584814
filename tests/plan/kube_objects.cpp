// kube_objects.hpp: the one piece of logic among the Kubernetes object descriptions, the config
// hash a StatefulSet's pods start with.

#include <rcplan/plan/kube_objects.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("template_config_hash reads the config hash annotation, empty when there is none") {
  rcplan::statefulset_description s;
  CHECK(rcplan::template_config_hash(s).empty());
  s.annotations.emplace("unrelated", "x");
  CHECK(rcplan::template_config_hash(s).empty());
  s.annotations[rcplan::config_hash_annotation] = "0123abcd";
  CHECK(rcplan::template_config_hash(s) == "0123abcd");
  CHECK(std::string(rcplan::config_hash_annotation) == "rcplan.io/config-hash");
}
