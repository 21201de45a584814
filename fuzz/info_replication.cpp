// INFO replication text → replication facts, and back to text.
#include "fuzz.hpp"

#include <rcplan/parse/info_replication.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  rcplan_fuzz::refusals_allowed([&] {
    const rcplan::replication_info r = rcplan::parse_info_replication(rcplan_fuzz::text_of(data, size));
    (void)rcplan::format_info_replication(r);
  });
  return 0;
}
