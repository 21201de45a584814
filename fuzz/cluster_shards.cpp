// A raw CLUSTER SHARDS reply (RESP bytes) → shard descriptions.
#include "fuzz.hpp"

#include <rcplan/parse/cluster_shards.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rcplan_fuzz::refusals_allowed([&] { (void)rcplan::parse_cluster_shards(rcplan_fuzz::text_of(data, size)); });
  return 0;
}
