#pragma once

// Defaulting, as the original operator fills in a resource before acting on it, so that a
// plan sees the same cluster the operator would build.

#include <rcplan/spec/spec.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace rcplan {

/// The image the original operator runs when the spec names none.
inline constexpr const char* default_redis_image = "redis:5.0.4-alpine";
/// The exporter port the original gives `monitor.prometheus.port` when unset.
inline constexpr std::int32_t default_prometheus_port = 9100;

/// Fills in what the original operator fills in, and only what is absent:
///
/// - `image` → "redis:5.0.4-alpine"
/// - `masterSize` → 3 and `clusterReplicas` → 1. The original raises any masterSize below 3 to
///   3 and leaves clusterReplicas at 0; rcplan never overrides an explicit value (validate()
///   warns about it instead, so a typo is not silently "fixed") and defaults the replicas
///   to 1 so that a cluster without the field can fail over.
/// - `serviceName` → `service_name_default` (the resource's name)
/// - `resources`, when absent or empty → requests cpu 200m / memory 2Gi, limits cpu 1000m /
///   memory 4Gi
/// - with `monitor` set: `monitor.prometheus.port` → 9100 and the pod annotations
///   `prometheus.io/scrape`, `prometheus.io/path`, `prometheus.io/port` (overwritten, as the
///   original does, so they always point at the exporter)
///
/// rcplan's extensions need no defaulting: their defaults are their initial values. The
/// original's `rename-command` lines come from the operator's own configuration and are not
/// part of the resource, so they are not added here.
inline void apply_defaults(cluster_spec& spec, std::string_view service_name_default) {
  if (spec.image.empty()) spec.image = default_redis_image;
  if (!spec.master_size) spec.master_size = default_master_size;
  if (!spec.cluster_replicas) spec.cluster_replicas = default_cluster_replicas;
  if (spec.service_name.empty()) spec.service_name = std::string(service_name_default);
  if (!spec.resources || (spec.resources->requests.empty() && spec.resources->limits.empty())) {
    resource_requirements r;
    if (spec.resources) r.unknown_fields = spec.resources->unknown_fields;
    r.requests = {{"cpu", "200m"}, {"memory", "2Gi"}};
    r.limits = {{"cpu", "1000m"}, {"memory", "4Gi"}};
    spec.resources = std::move(r);
  }
  if (spec.monitor) {
    if (!spec.monitor->prometheus) spec.monitor->prometheus = prometheus_spec{};
    auto& prom = *spec.monitor->prometheus;
    if (!prom.port || *prom.port == 0) prom.port = default_prometheus_port;
    spec.annotations["prometheus.io/scrape"] = "true";
    spec.annotations["prometheus.io/path"] = "/metrics";
    spec.annotations["prometheus.io/port"] = std::to_string(*prom.port);
  }
}

/// Defaults the spec of a whole resource; the service is named after the resource.
inline void apply_defaults(cluster_resource& resource) {
  apply_defaults(resource.spec, resource.metadata.name);
}

}  // namespace rcplan
