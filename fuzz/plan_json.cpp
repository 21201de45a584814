// Plan JSON → a plan → JSON again: what reads must write.
#include "fuzz.hpp"

#include <rcplan/json/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json j = nlohmann::json::parse(rcplan_fuzz::text_of(data, size), nullptr, false);
  if (j.is_discarded()) return 0;
  rcplan_fuzz::refusals_allowed([&] {
    const auto p = j.get<rcplan::plan>();
    (void)nlohmann::json(p).dump();
  });
  return 0;
}
