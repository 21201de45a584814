#pragma once

// Leader election on a coordination.k8s.io Lease, as Kubernetes controllers do it: one
// identity holds the Lease and renews it; another takes it over only after it has seen the
// same record unrenewed for a whole lease duration (measured on its own clock, so clocks that
// disagree between machines do not matter). Every write is at the version read, so two
// contenders never both win: the loser's write is a conflict.

#include <rcplan/kubernetes/client.hpp>

#include <chrono>
#include <string>

namespace rcplan::kubernetes {

struct lease_options {
  std::string namespace_name = "default";
  std::string name;
  std::string identity;  ///< this contender (e.g. the pod name)
  std::chrono::seconds duration{15};
};

class leader_lease {
 public:
  leader_lease(client& c, lease_options o);

  /// Creates the Lease, renews it when ours, or takes it over when it is free or expired.
  /// Returns whether this identity holds it now. Throws rcplan::error for failures other than
  /// losing a race (forbidden, unreachable).
  bool try_acquire_or_renew();
  /// Gives the Lease up (an empty holder) if this identity holds it, so another can take it at
  /// once.
  void release();
  [[nodiscard]] bool held() const noexcept { return held_; }

 private:
  client& c_;
  lease_options o_;
  bool held_ = false;
  std::string observed_record_;  ///< holder and renew time last seen
  std::chrono::steady_clock::time_point observed_at_{};
};

}  // namespace rcplan::kubernetes
