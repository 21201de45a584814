#pragma once

// What the kubelet runs inside the redis container, done from outside over the pod's IP: the
// readiness probe and the pre-stop hand-over the rendered StatefulSet declares.

#include <rcplan/model/node.hpp>
#include <rcplan/redis/secret.hpp>

#include <chrono>

namespace rcplan::local::detail {

/// The rendered readiness probe's rule: the node serves a healthy cluster (cluster_state:ok),
/// or it is a lone node rcplan has yet to meet (cluster_known_nodes:1).
[[nodiscard]] bool probe_ready(const address& node, const redis::secret& password, std::chrono::milliseconds timeout);

/// The rendered pre-stop step: a master with a connected, healthy replica asks that replica to
/// take over and waits (up to `limit`) until it has become a replica itself. Anything else
/// returns at once; failures are not errors (the pod stops either way).
void hand_over_master(const address& node, const redis::secret& password, std::chrono::seconds limit);

}  // namespace rcplan::local::detail
