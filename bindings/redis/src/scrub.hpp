#pragma once

// Every text that leaves the binding (errors, diagnostics, progress, observation errors) goes
// through `scrub`: a server may echo an argument back, and the password must never surface.

#include <rcplan/redis/secret.hpp>

#include <string>

namespace rcplan::redis::detail {

[[nodiscard]] inline std::string scrub(std::string text, const secret& password) {
  const std::string& p = password.reveal();
  if (p.empty()) return text;
  for (std::size_t at = text.find(p); at != std::string::npos; at = text.find(p, at + 8))
    text.replace(at, p.size(), "<secret>");
  return text;
}

/// Both passwords of a change out of `text`.
[[nodiscard]] inline std::string scrub(std::string text, const secret& password, const secret& previous) {
  return scrub(scrub(std::move(text), password), previous);
}

}  // namespace rcplan::redis::detail
