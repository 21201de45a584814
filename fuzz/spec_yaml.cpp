// A resource file as YAML (what `rcplan plan --spec` reads) → JSON → the spec, validated.
#include "fuzz.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/spec/validate.hpp>
#include <rcplan/yaml/yaml.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rcplan_fuzz::refusals_allowed([&] {
    const nlohmann::json j = rcplan::yaml::parse_yaml(std::string(rcplan_fuzz::text_of(data, size)));
    (void)rcplan::validate(rcplan::load_cluster_resource(j).spec);
  });
  return 0;
}
