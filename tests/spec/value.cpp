#include <rcplan/spec/value.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

TEST_CASE("value kinds and accessors") {
  const rcplan::value null;
  CHECK(null.is_null());
  CHECK(null.empty());
  CHECK(rcplan::value(true).as_bool());
  CHECK(rcplan::value(std::int64_t{-7}).as_int() == -7);
  CHECK(rcplan::value(3).is_int());
  CHECK(rcplan::value(0.5).as_double() == 0.5);
  CHECK(rcplan::value("x").as_string() == "x");
  CHECK(rcplan::value::make_array().is_array());
  CHECK(rcplan::value::make_array().empty());
  CHECK_THROWS_AS(rcplan::value("x").as_int(), std::bad_variant_access);
}

TEST_CASE("value objects keep insertion order and replace in place") {
  rcplan::value v;
  v.set("zeta", 1);
  v.set("alpha", "a");
  v.set("zeta", 2);
  REQUIRE(v.is_object());
  const auto& o = v.as_object();
  REQUIRE(o.size() == 2);
  CHECK(o[0].first == "zeta");
  CHECK(o[0].second == rcplan::value(2));
  CHECK(o[1].first == "alpha");
  REQUIRE(v.find("alpha") != nullptr);
  CHECK(v.find("alpha")->as_string() == "a");
  CHECK(v.find("missing") == nullptr);
  CHECK(rcplan::value(1).find("x") == nullptr);
  CHECK_FALSE(v.empty());
}

TEST_CASE("value equality is structural") {
  CHECK(rcplan::value(1) != rcplan::value(1.0));
  CHECK(rcplan::value("1") != rcplan::value(1));
  rcplan::value a;
  a.set("x", 1);
  a.set("y", 2);
  rcplan::value b;
  b.set("y", 2);
  b.set("x", 1);
  CHECK(a != b);  // member order is part of the value: it decides the output order
  rcplan::value c = a;
  CHECK(a == c);
  c.as_object()[1].second = rcplan::value(rcplan::value::array{rcplan::value(), rcplan::value(false)});
  CHECK(a != c);
}
