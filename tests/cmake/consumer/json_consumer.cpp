// rcplan::json must bring nlohmann/json along with it.
#include <rcplan/json/detail.hpp>
#include <rcplan/rcplan.hpp>

#include <nlohmann/json.hpp>

#include <cstdio>

int main() {
  const nlohmann::json doc = {{"masterSize", 3}};
  int masters = 0;
  rcplan::detail::read_required(doc, "masterSize", masters);
  try {
    int missing = 0;
    rcplan::detail::read_required(doc, "replicas", missing);
    return 1;
  } catch (const rcplan::json_error& e) {
    if (e.path() != "replicas") return 1;
  }
  std::printf("masterSize=%d\n", masters);
  return masters == 3 ? 0 : 1;
}
