#pragma once

// The last line of defence for the password: main() passes every message it prints through
// redact(), so a secret that slipped into an exception from a lower layer is still not shown.

#include <string>

namespace rcplan::cli {

/// Remembers `value` as a secret to hide from messages (ignored when empty).
void remember_secret(const std::string& value);

/// `text` with every remembered secret replaced by "***".
[[nodiscard]] std::string redact(std::string text);

}  // namespace rcplan::cli
