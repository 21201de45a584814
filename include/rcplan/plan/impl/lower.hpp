#pragma once

// The definitions of what rcplan/plan/lower.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/plan/lower.hpp>

namespace rcplan {

RCPLAN_ENTRY std::vector<lowered_command> lower(const action& a, const lower_context& c) {
  return std::visit(plan_detail::lowerer{c}, a);
}

RCPLAN_ENTRY std::vector<std::string> migrate_argv(const move_keys& m, const std::vector<std::string>& keys,
                                                   bool replace) {
  std::vector<std::string> argv = {"MIGRATE", m.target_host, std::to_string(m.target_port), "", "0",
                                   std::to_string(m.timeout_ms)};
  if (replace) argv.emplace_back("REPLACE");
  if (m.auth) {
    argv.emplace_back("AUTH");
    argv.emplace_back(password_placeholder);
  }
  argv.emplace_back("KEYS");
  argv.insert(argv.end(), keys.begin(), keys.end());
  return argv;
}

}  // namespace rcplan
