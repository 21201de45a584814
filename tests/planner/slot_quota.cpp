#include <rcplan/planner/slot_quota.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>
#include <numeric>

using rcplan::compute_quotas;
using rcplan::quota_input;
using rcplan_test::make_id;

TEST_CASE("quotas of equal masters give the remainder to its holder") {
  // 3 masters as redis-cli creates them: 5461, 5461, 5462
  const auto q = compute_quotas({{make_id(0), 1, 5461}, {make_id(1), 1, 5461}, {make_id(2), 1, 5462}});
  CHECK(q[0].quota == 5461);
  CHECK(q[1].quota == 5461);
  CHECK(q[2].quota == 5462);
  CHECK(rcplan::move_lower_bound(q) == 0);
  // the same masters, the extra slot held by the first one instead
  const auto r = compute_quotas({{make_id(0), 1, 5462}, {make_id(1), 1, 5461}, {make_id(2), 1, 5461}});
  CHECK(r[0].quota == 5462);
  CHECK(rcplan::move_lower_bound(r) == 0);
}

TEST_CASE("weight 0 drains and empty masters get their share") {
  const auto q = compute_quotas({{make_id(0), 1, 8192}, {make_id(1), 0, 8192}, {make_id(2), 1, 0}});
  CHECK(q[0].quota == 8192);
  CHECK(q[1].quota == 0);
  CHECK(q[2].quota == 8192);
  CHECK(rcplan::move_lower_bound(q) == 8192);
  CHECK(rcplan::threshold_exceeded(q, 2.0));
}

TEST_CASE("threshold follows redis-cli's rule") {
  // 1% off quota: below the default 2% threshold, above 0.5%
  const auto q = compute_quotas({{make_id(0), 1, 8192 + 82}, {make_id(1), 1, 8192 - 82}});
  CHECK_FALSE(rcplan::threshold_exceeded(q, 2.0));
  CHECK(rcplan::threshold_exceeded(q, 0.5));
}

TEST_CASE("quota properties") {
  rc::prop("sum exact, within one of the share, minimal rounding", [] {
    const auto n = *rc::gen::inRange<std::size_t>(1, 60);
    std::vector<quota_input> in;
    for (std::size_t i = 0; i < n; ++i) {
      const double w = *rc::gen::element(0.0, 0.5, 1.0, 1.0, 1.0, 2.0, 3.7);
      in.push_back({make_id(i), w, *rc::gen::inRange<std::size_t>(0, 1000)});
    }
    if (std::none_of(in.begin(), in.end(), [](const quota_input& x) { return x.weight > 0; })) in[0].weight = 1;
    const auto q = compute_quotas(in);
    std::size_t sum = 0;
    double wsum = 0;
    for (const auto& x : in) wsum += x.weight;
    for (std::size_t i = 0; i < n; ++i) {
      sum += q[i].quota;
      const double share = 16384.0 * in[i].weight / wsum;
      RC_ASSERT(std::abs(static_cast<double>(q[i].quota) - share) < 1.0 + 1e-9);
      if (in[i].weight == 0) RC_ASSERT(q[i].quota == 0);
      RC_ASSERT(q[i].id == in[i].id);
    }
    RC_ASSERT(sum == rcplan::slot_count);
  });
}
