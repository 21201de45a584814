#pragma once

// The status subresource the operator writes: the original's fields (compute_status), plus
// observedGeneration and standard conditions, with transition times kept while a condition
// does not change, so that a converged resource's status stays byte for byte the same.

#include <rcplan/plan/kube_objects.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace rcplan::controller {

/// `s` as the resource's status, given the resource `obj` as read (its generation and current
/// conditions). `reason` overrides the conditions' reason (e.g. InvalidSpec).
[[nodiscard]] nlohmann::json status_json(const cluster_status& s, const nlohmann::json& obj, const std::string& reason);

}  // namespace rcplan::controller
