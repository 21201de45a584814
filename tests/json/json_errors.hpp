#pragma once

// What the tests of the JSON layer check about errors: the json_error a conversion throws.

#include <rcplan/error.hpp>

#include <nlohmann/json.hpp>

#include <catch2/catch.hpp>

#include <string>

namespace rcplan::json_test {

/// The json_error `f` throws; fails the test when it throws none.
template <typename F>
rcplan::json_error error_from(F&& f) {
  try {
    f();
  } catch (const rcplan::json_error& e) {
    return e;
  }
  FAIL("no json_error");
  return rcplan::json_error("", "");
}

/// The json_error that parsing `text` as `T` throws.
template <typename T>
rcplan::json_error error_of(const std::string& text) {
  INFO(text);
  return error_from([&] { (void)nlohmann::json::parse(text).get<T>(); });
}

}  // namespace rcplan::json_test
