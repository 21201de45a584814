// The planners' options as JSON (rcplan/json/options.hpp): round trips, defaults for what is
// left out, and errors naming the field.

#include <rcplan/error.hpp>
#include <rcplan/json/options.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using nlohmann::json;

TEST_CASE("rebalance and reconcile options: round trip, defaults, errors with the path", "[json]") {
  rcplan::rebalance_options o;
  o.weights[rcplan::node_id{"aaaa"}] = 0.5;
  o.use_empty_masters = true;
  o.threshold_percent = 0;
  o.max_concurrent_migrations = 3;
  o.max_migrations_per_node = 4;
  o.balance = rcplan::balance_mode::keys;
  const json j = o;
  CHECK(j == json::parse(R"({"weights": {"aaaa": 0.5}, "use_empty_masters": true, "threshold_percent": 0.0,
                             "max_concurrent_migrations": 3, "max_migrations_per_node": 4, "balance": "keys"})"));
  const auto back = j.get<rcplan::rebalance_options>();
  CHECK(back.weights == o.weights);
  CHECK(back.balance == rcplan::balance_mode::keys);
  CHECK(back.max_concurrent_migrations == 3);
  CHECK(back.max_migrations_per_node == 4);

  const auto defaults = json::object().get<rcplan::rebalance_options>();
  CHECK(defaults.threshold_percent == 2.0);
  CHECK(defaults.balance == rcplan::balance_mode::slots);
  CHECK(defaults.weights.empty());
  CHECK(defaults.max_migrations_per_node == static_cast<std::size_t>(rcplan::default_max_migrations_per_node));

  try {
    (void)json::parse(R"({"max_concurrent_migrations": -1})").get<rcplan::rebalance_options>();
    FAIL("a negative count was read");
  } catch (const rcplan::json_error& e) {
    CHECK(e.path() == "max_concurrent_migrations");
  }

  rcplan::reconcile_options r;
  r.node_timeout_ms = 3000;
  const json rj = r;
  CHECK(rj == json::parse(R"({"node_timeout_ms": 3000})"));  // no restore: left out
  CHECK(rj.get<rcplan::reconcile_options>().node_timeout_ms == 3000);
  CHECK_FALSE(rj.get<rcplan::reconcile_options>().restore);
}
