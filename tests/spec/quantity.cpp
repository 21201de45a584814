#include <rcplan/spec/quantity.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cstdint>
#include <string>

namespace {

long double amount(const char* text) {
  const auto q = rcplan::parse_quantity(text);
  REQUIRE(q.has_value());
  return q->amount;
}

}  // namespace

TEST_CASE("quantity suffixes") {
  CHECK(amount("10Gi") == 10.0L * 1024 * 1024 * 1024);
  CHECK(amount("1Ki") == 1024.0L);
  CHECK(amount("1Ei") == 1152921504606846976.0L);
  CHECK(amount("500m") == amount("0.5"));
  CHECK(amount("1k") == 1000.0L);
  CHECK(amount("2M") == 2e6L);
  CHECK(amount("1E") == 1e18L);  // exa, not an exponent
  CHECK(amount("1e3") == 1000.0L);
  CHECK(amount("1E3") == 1000.0L);
  CHECK(amount("25e-1") == 2.5L);
  CHECK(amount("100n") == amount("0.1u"));
  CHECK(amount(".5") == 0.5L);
  CHECK(amount("5.") == 5.0L);
  CHECK(amount("+3") == 3.0L);
  CHECK(amount("-3Mi") == -3.0L * 1024 * 1024);
  CHECK(amount("0") == 0.0L);
}

TEST_CASE("quantity rejects text outside the grammar") {
  for (const char* bad : {"", "Gi", "10GB", "10 Gi", "1.2.3", "1e", "1e+", "e3", "--1", "1Gi ", "ten", "0x10",
                          "1ki", "1mi", "1e99999", "."})
    CHECK_FALSE(rcplan::parse_quantity(bad).has_value());
}

TEST_CASE("quantities order across units") {
  CHECK(*rcplan::parse_quantity("1Gi") > *rcplan::parse_quantity("1G"));
  CHECK(*rcplan::parse_quantity("1024Mi") == *rcplan::parse_quantity("1Gi"));
  CHECK(*rcplan::parse_quantity("999m") < *rcplan::parse_quantity("1"));
  rc::prop("n Mi equals n*1048576 and n*1024 Ki", [] {
    const auto n = *rc::gen::inRange<std::int64_t>(0, 1 << 30);
    const auto mi = rcplan::parse_quantity(std::to_string(n) + "Mi");
    const auto bytes = rcplan::parse_quantity(std::to_string(n * 1048576));
    const auto ki = rcplan::parse_quantity(std::to_string(n * 1024) + "Ki");
    RC_ASSERT(mi.has_value() && bytes.has_value() && ki.has_value());
    RC_ASSERT(*mi == *bytes);
    RC_ASSERT(*mi == *ki);
  });
  rc::prop("millicores order like their integers", [] {
    const auto a = *rc::gen::inRange(0, 100000);
    const auto b = *rc::gen::inRange(0, 100000);
    const auto qa = *rcplan::parse_quantity(std::to_string(a) + "m");
    const auto qb = *rcplan::parse_quantity(std::to_string(b) + "m");
    RC_ASSERT((qa < qb) == (a < b));
    RC_ASSERT((qa == qb) == (a == b));
  });
}
