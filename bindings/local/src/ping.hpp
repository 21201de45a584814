#pragma once

// The readiness probe: one PING (after AUTH) through the Redis binding's client.

#include <rcplan/redis/tls.hpp>

#include <chrono>
#include <cstdint>
#include <string>

namespace rcplan::local::detail {

/// Whether 127.0.0.1:`port` answers PING with PONG within `timeout` (after AUTH with
/// `password` when it is not empty), connecting with `tls` (a TLS-only pod). A node still loading
/// its data answers -LOADING: not ready.
[[nodiscard]] bool ping(std::uint16_t port, const std::string& password, std::chrono::milliseconds timeout,
                        const redis::tls_options& tls = {});

}  // namespace rcplan::local::detail
