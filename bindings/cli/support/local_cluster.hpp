#pragma once

// What `rcplan local ...` and `rcplan demo` share about a local cluster: its password, its
// observation (Redis views plus the runtime's pods) and how its status is shown.

#include "io.hpp"
#include "live.hpp"

#include <rcplan/local/runtime.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/plan/kube_objects.hpp>
#include <rcplan/redis/observe.hpp>
#include <rcplan/redis/secret.hpp>
#include <rcplan/spec/spec.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iosfwd>

namespace rcplan::cli {

/// The password the cluster runs with: the value of the Secret the spec names, taken from
/// --password-file or RCPLAN_PASSWORD (input_error when the spec names one and none is given);
/// none when the spec names no Secret.
[[nodiscard]] redis::secret password_for_spec(const cluster_resource& desired, const connection_options& c);

/// Runtime options for `dir` with `password`.
[[nodiscard]] local::runtime_options local_options(const std::filesystem::path& dir, const redis::secret& password);

/// The Redis side observed from the runtime's pods, plus its pods and StatefulSets. Empty views
/// when no pod runs. Connects with the runtime's client TLS options (whatever `options` says).
[[nodiscard]] topology observe_local(local::runtime& runtime, const redis::observe_options& options);

/// For a TLS-only local cluster, where the authority and client certificate are, as the flags
/// that connect with them (`--tls --tls-ca-cert ...`); nothing otherwise.
void print_local_tls(std::ostream& out, const local::runtime& runtime);

/// {"enabled": true, "ca_cert": ..., "cert": ..., "key": ...} or {"enabled": false}.
[[nodiscard]] nlohmann::ordered_json local_tls_json(const local::runtime& runtime);

/// Prints the topology summary, the pods and (when `desired` is given) the resource status
/// compute_status() gives for the next plan. Returns whether that plan is converged.
bool print_local_status(std::ostream& out, const topology& t, const cluster_resource* desired, output_format format);

}  // namespace rcplan::cli
