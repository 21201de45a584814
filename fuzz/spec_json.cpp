// A DistributedRedisCluster resource as JSON → the spec, validated.
#include "fuzz.hpp"

#include <rcplan/json/spec.hpp>
#include <rcplan/spec/validate.hpp>

#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(rcplan_fuzz::text_of(data, size), nullptr, false);
  if (j.is_discarded()) return 0;  // not JSON: nlohmann's to refuse
  rcplan_fuzz::refusals_allowed([&] { (void)rcplan::validate(rcplan::load_cluster_resource(j).spec); });
  return 0;
}
