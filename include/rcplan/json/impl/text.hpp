#pragma once

// The definitions of rcplan/json/text.hpp: what rcplan::compiled compiles once, and what a
// header-only user's translation unit compiles with that header.

#include <rcplan/config.hpp>
#include <rcplan/error.hpp>
#include <rcplan/json/detail/errors.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/json/text.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

namespace rcplan {

namespace json_detail {

/// The document in `text`; malformed JSON is a parse_error naming its line.
[[nodiscard]] inline nlohmann::json parse_text(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    const std::size_t upto = std::min(e.byte, text.size());
    const auto line = static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(upto), '\n')) + 1;
    throw parse_error("rcplan.json", line, "not JSON: " + printable(exception_sentence(e)));
  }
}

template <typename T>
[[nodiscard]] std::string write_text(const T& x, int indent) {
  nlohmann::ordered_json j;
  to_json(j, x);
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace json_detail

RCPLAN_ENTRY cluster_resource cluster_resource_from_json(std::string_view text) {
  return load_cluster_resource(json_detail::parse_text(text));
}
RCPLAN_ENTRY topology topology_from_json(std::string_view text) {
  return json_detail::parse_text(text).get<topology>();
}
RCPLAN_ENTRY plan plan_from_json(std::string_view text) { return json_detail::parse_text(text).get<plan>(); }

RCPLAN_ENTRY std::string to_json_text(const cluster_resource& r, int indent) { return json_detail::write_text(r, indent); }
RCPLAN_ENTRY std::string to_json_text(const topology& t, int indent) { return json_detail::write_text(t, indent); }
RCPLAN_ENTRY std::string to_json_text(const plan& p, int indent) { return json_detail::write_text(p, indent); }

}  // namespace rcplan
