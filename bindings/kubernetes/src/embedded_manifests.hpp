#pragma once

// The manifests of deploy/, compiled into the library (embedded_manifests.cpp is generated
// from them by CMake), so that `rcplan kube install` needs no files beside the binary.

#include <string_view>
#include <vector>

namespace rcplan::kubernetes::detail {

/// The YAML text of each file of deploy/crds/, in file name order.
[[nodiscard]] std::vector<std::string_view> embedded_crds();
/// The same for deploy/operator/.
[[nodiscard]] std::vector<std::string_view> embedded_operator();

}  // namespace rcplan::kubernetes::detail
