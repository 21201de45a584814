#pragma once

// Small text helpers of the Kubernetes binding: base64 (kubeconfig's certificate data) and
// trimming (token files end with a newline).

#include <string>
#include <string_view>

namespace rcplan::kubernetes::detail {

/// Decodes standard base64 (padding optional, whitespace ignored) into `out`; false when the
/// text is not base64.
[[nodiscard]] bool base64_decode(std::string_view text, std::string& out);

[[nodiscard]] std::string trim(std::string_view s);

/// Percent-encodes a query parameter's value.
[[nodiscard]] std::string url_encode(std::string_view s);

}  // namespace rcplan::kubernetes::detail
