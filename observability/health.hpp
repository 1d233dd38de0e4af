#pragma once

#include <atomic>

namespace sagemcp::observability {

/// Process-wide lifecycle flags behind the health probes.
struct health_state {
  /// Set once migrations ran, actors are up and the listener is bound.
  std::atomic<bool> started{false};
  /// Set when shutdown begins; readiness turns 503 so load balancers drain the node.
  std::atomic<bool> stopping{false};
};

} // namespace sagemcp::observability
