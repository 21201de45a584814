// Leader election on a real Lease: one holder at a time, renewals keep it, a rival takes it
// over only after seeing it unrenewed for a whole duration, and a release hands it on at once.

#include "kubernetes/kube_env.hpp"

#include <rcplan/kubernetes/lease.hpp>

#include <mutex>
#include <thread>
#include <vector>

namespace k8s = rcplan::kubernetes;
using rcplan_kube_test::admin;
using rcplan_kube_test::test_namespace;

TEST_CASE("leader lease: one holder, renewals, takeover after expiry, release", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "lease");
  k8s::lease_options o;
  o.namespace_name = ns.name();
  o.name = "rcplan-operator";
  o.duration = std::chrono::seconds(2);
  o.identity = "a";
  k8s::leader_lease a(c, o);
  o.identity = "b";
  k8s::leader_lease b(c, o);

  CHECK(a.try_acquire_or_renew());
  CHECK_FALSE(b.try_acquire_or_renew());
  for (int i = 0; i < 3; ++i) {  // a renews within its duration: b never gets it
    std::this_thread::sleep_for(std::chrono::milliseconds(900));
    CHECK(a.try_acquire_or_renew());
    CHECK_FALSE(b.try_acquire_or_renew());
  }
  const auto lease = c.get(k8s::kinds::lease, ns.name(), "rcplan-operator");
  CHECK(lease["spec"]["holderIdentity"] == "a");
  CHECK(lease["spec"]["leaseTransitions"] == 0);

  // a stops renewing: b takes over once it has seen the same record for the whole duration
  std::this_thread::sleep_for(std::chrono::milliseconds(2200));
  CHECK(b.try_acquire_or_renew());
  CHECK(b.held());
  CHECK_FALSE(a.try_acquire_or_renew());
  CHECK_FALSE(a.held());
  const auto taken = c.get(k8s::kinds::lease, ns.name(), "rcplan-operator");
  CHECK(taken["spec"]["holderIdentity"] == "b");
  CHECK(taken["spec"]["leaseTransitions"] == 1);

  // a release hands it on without waiting
  b.release();
  CHECK_FALSE(b.held());
  CHECK(a.try_acquire_or_renew());
  CHECK(c.get(k8s::kinds::lease, ns.name(), "rcplan-operator")["spec"]["holderIdentity"] == "a");
}

TEST_CASE("leader lease: two contenders racing for a free lease never both win", "[kubernetes][live]") {
  k8s::client c = admin();
  test_namespace ns(c, "lease-race");
  for (int round = 0; round < 5; ++round) {
    k8s::lease_options o;
    o.namespace_name = ns.name();
    o.name = "race-" + std::to_string(round);
    int winners = 0;
    std::vector<std::thread> contenders;
    std::mutex m;
    for (const char* id : {"x", "y", "z"}) {
      contenders.emplace_back([&, id] {
        k8s::client own = admin();
        k8s::lease_options mine = o;
        mine.identity = id;
        k8s::leader_lease l(own, mine);
        const bool won = l.try_acquire_or_renew();
        const std::lock_guard<std::mutex> lock(m);
        winners += won ? 1 : 0;
      });
    }
    for (std::thread& t : contenders) t.join();
    CHECK(winners == 1);
  }
}
