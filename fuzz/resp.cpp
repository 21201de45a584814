// RESP bytes → a reply, whole and as a prefix of a stream.
#include "fuzz.hpp"

#include <rcplan/parse/resp.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto text = rcplan_fuzz::text_of(data, size);
  rcplan_fuzz::refusals_allowed([&] { (void)rcplan::parse_resp(text); });
  rcplan_fuzz::refusals_allowed([&] { (void)rcplan::parse_resp_prefix(text); });
  return 0;
}
