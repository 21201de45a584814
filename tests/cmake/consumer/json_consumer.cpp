// rcplan::json must bring nlohmann/json along with it, and its to_json/from_json must be found.
#include <rcplan/json/json.hpp>
#include <rcplan/rcplan.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>

int main() {
  const rcplan::slot_set owned{{0, 5460}, {5462, 5462}};
  const nlohmann::json doc = owned;
  if (doc != nlohmann::json::parse("[[0, 5460], [5462, 5462]]")) return 1;
  if (doc.get<rcplan::slot_set>() != owned) return 1;

  try {
    (void)nlohmann::json::parse(R"([[0, 99999]])").get<rcplan::slot_set>();
    return 1;
  } catch (const rcplan::json_error& e) {
    std::printf("rejected as expected: %s\n", e.what());
  }
  std::printf("%s\n", doc.dump().c_str());
  return 0;
}
