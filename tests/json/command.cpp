// Lowered commands as JSON (rcplan/json/command.hpp): each alternative's shape, "type" first.

#include <rcplan/json/command.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

TEST_CASE("lowered commands as JSON: a command and a move_keys loop", "[json]") {
  nlohmann::ordered_json a;
  to_json(a, rcplan::lowered_command{rcplan::redis_command{rcplan::node_id{"aaaa"}, {"CLUSTER", "SETSLOT", "7", "STABLE"}}});
  CHECK(a.dump() == R"({"type":"command","node":"aaaa","argv":["CLUSTER","SETSLOT","7","STABLE"]})");

  rcplan::move_keys m;
  m.source = rcplan::node_id{"aaaa"};
  m.target = rcplan::node_id{"bbbb"};
  m.number = 5460;
  m.target_host = "10.0.0.2";
  m.target_port = 6379;
  m.batch = 100;
  m.timeout_ms = 5000;
  m.auth = true;
  nlohmann::ordered_json b;
  to_json(b, rcplan::lowered_command{m});
  CHECK(b.dump() == R"({"type":"move_keys","source":"aaaa","target":"bbbb","slot":5460,"target_host":"10.0.0.2",)"
                    R"("target_port":6379,"batch":100,"timeout_ms":5000,"auth":true})");
}
