// plan_repair()'s result as JSON (rcplan/json/repair.hpp): a round trip, ownership keyed by
// master id, an error naming the field.

#include <rcplan/error.hpp>
#include <rcplan/json/repair.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

TEST_CASE("repair results as JSON: round trip and errors", "[json]") {
  rcplan::repair_result r;
  r.steps.push_back({0, "close slot 7", rcplan::set_slot_stable{rcplan::node_id{"aaaa"}, rcplan::slot_set{{7, 7}}}});
  r.ownership[rcplan::node_id{"aaaa"}] = rcplan::slot_set{{0, 8191}};
  r.ownership[rcplan::node_id{"bbbb"}] = rcplan::slot_set{{8192, 16383}};
  r.slots_repaired = 1;
  const nlohmann::json j = r;
  CHECK(j["ownership"]["aaaa"] == nlohmann::json::parse("[[0, 8191]]"));
  CHECK(j["unassigned"] == nlohmann::json::array());
  const auto back = j.get<rcplan::repair_result>();
  CHECK(back.ownership == r.ownership);
  CHECK(back.steps == r.steps);
  CHECK(back.slots_repaired == 1);

  nlohmann::json bad = j;
  bad["ownership"]["aaaa"] = "everything";
  try {
    (void)bad.get<rcplan::repair_result>();
    FAIL("read a repair with slots that are not ranges");
  } catch (const rcplan::json_error& e) {
    CHECK(e.path() == "ownership.aaaa");
  }
}
