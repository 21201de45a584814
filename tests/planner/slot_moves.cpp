#include <rcplan/planner/slot_moves.hpp>
#include <rcplan/planner/slot_quota.hpp>

#include "support/topology_builder.hpp"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <map>

namespace {

using rcplan::slot_holding;
using rcplan::slot_set;
using rcplan_test::make_id;

std::map<rcplan::node_id, slot_set> run_transfers(const std::vector<slot_holding>& h,
                                          const std::vector<rcplan::slot_transfer>& ts) {
  std::map<rcplan::node_id, slot_set> own;
  for (const auto& x : h) own[x.id] = x.slots;
  for (const auto& t : ts) {
    RC_ASSERT(t.slots.is_subset_of(own[t.source]));
    own[t.source] -= t.slots;
    own[t.target] |= t.slots;
  }
  return own;
}

/// Holdings with equal weights from `sets` plus `empty` new masters.
std::vector<slot_holding> even(const std::vector<slot_set>& sets, std::size_t empty) {
  std::vector<rcplan::quota_input> in;
  std::vector<slot_holding> h;
  for (std::size_t i = 0; i < sets.size() + empty; ++i) {
    const slot_set s = i < sets.size() ? sets[i] : slot_set{};
    in.push_back({make_id(i), 1.0, s.count()});
    h.push_back({make_id(i), s, 0});
  }
  const auto q = rcplan::compute_quotas(in);
  for (std::size_t i = 0; i < h.size(); ++i) h[i].quota = q[i].quota;
  return h;
}

std::size_t max_ranges(const std::map<rcplan::node_id, slot_set>& own) {
  std::size_t m = 0;
  for (const auto& [id, s] : own) m = std::max(m, s.range_count());
  return m;
}

}  // namespace

TEST_CASE("scaling up from contiguous ranges keeps one or two ranges per master") {
  for (const auto& [from, add] : std::vector<std::pair<std::size_t, std::size_t>>{
           {3, 1}, {3, 7}, {3, 3}, {5, 1}, {10, 10}, {100, 1}, {100, 100}}) {
    INFO(from << " masters + " << add);
    const auto h = even(rcplan_test::contiguous(from), add);
    const auto ts = rcplan::plan_slot_transfers(h);
    const auto own = run_transfers(h, ts);
    std::size_t moved = 0;
    for (const auto& t : ts) moved += t.slots.count();
    std::size_t lb = 0;
    for (const auto& x : h) lb += x.slots.count() > x.quota ? x.slots.count() - x.quota : 0;
    CHECK(moved == lb);
    // each run of given slots can join at most two donors' cuts
    const std::size_t bound = std::max<std::size_t>(2, (from + 2 * add - 1) / (2 * add) + 1);
    CHECK(max_ranges(own) <= bound);
    if (2 * add >= from) CHECK(max_ranges(own) <= 2);
    for (std::size_t i = 0; i < from; ++i) CHECK(own.at(make_id(i)).range_count() == 1);
  }
}

TEST_CASE("scaling back down restores the original layout") {
  const auto h = even(rcplan_test::contiguous(3), 1);
  auto own = [&] {
    std::map<rcplan::node_id, slot_set> o;
    for (const auto& x : h) o[x.id] = x.slots;
    for (const auto& t : rcplan::plan_slot_transfers(h)) {
      o[t.source] -= t.slots;
      o[t.target] |= t.slots;
    }
    return o;
  }();
  // drain the fourth master
  std::vector<slot_holding> back;
  std::vector<rcplan::quota_input> in;
  for (std::size_t i = 0; i < 4; ++i) {
    back.push_back({make_id(i), own[make_id(i)], 0});
    in.push_back({make_id(i), i == 3 ? 0.0 : 1.0, own[make_id(i)].count()});
  }
  const auto q = rcplan::compute_quotas(in);
  for (std::size_t i = 0; i < 4; ++i) back[i].quota = q[i].quota;
  const auto ts = rcplan::plan_slot_transfers(back);
  for (const auto& t : ts) {
    own[t.source] -= t.slots;
    own[t.target] |= t.slots;
  }
  CHECK(own[make_id(3)].empty());
  const auto orig = rcplan_test::contiguous(3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(own[make_id(i)].range_count() == 1);
    // back where it started, up to the one slot of rounding remainder that moved
    CHECK((own[make_id(i)] ^ orig[i]).count() <= 2);
  }
}

TEST_CASE("bad holdings are rejected") {
  CHECK_THROWS_AS(rcplan::plan_slot_transfers({{make_id(0), slot_set{{0, 10}}, 5}}), std::invalid_argument);
  CHECK_THROWS_AS(rcplan::plan_slot_transfers({{make_id(0), slot_set{{0, 10}}, 11},
                                               {make_id(1), slot_set{{10, 10}}, 1}}),
                  std::invalid_argument);
}

TEST_CASE("transfers reach every quota with exactly the lower bound of moves") {
  rc::prop("random fragmented holdings and quotas", [] {
    const auto n = *rc::gen::inRange<std::size_t>(1, 40);
    // deal every slot to a random master in random-length runs: fragmented layouts
    std::vector<slot_set> sets(n);
    std::size_t s = 0;
    while (s < rcplan::slot_count) {
      const auto len = *rc::gen::inRange<std::size_t>(1, 3000);
      const auto who = *rc::gen::inRange<std::size_t>(0, n);
      const std::size_t last = std::min(rcplan::slot_count - 1, s + len - 1);
      sets[who].insert(rcplan::slot_range{static_cast<rcplan::slot>(s), static_cast<rcplan::slot>(last)});
      s = last + 1;
    }
    std::vector<rcplan::quota_input> in;
    std::vector<slot_holding> h;
    const auto empty = *rc::gen::inRange<std::size_t>(0, 5);
    for (std::size_t i = 0; i < n + empty; ++i) {
      const slot_set x = i < n ? sets[i] : slot_set{};
      in.push_back({make_id(i), *rc::gen::element(0.0, 1.0, 1.0, 2.0), x.count()});
      h.push_back({make_id(i), x, 0});
    }
    if (std::none_of(in.begin(), in.end(), [](const auto& x) { return x.weight > 0; })) in[0].weight = 1;
    const auto q = rcplan::compute_quotas(in);
    for (std::size_t i = 0; i < h.size(); ++i) h[i].quota = q[i].quota;
    const auto ts = rcplan::plan_slot_transfers(h);
    const auto own = run_transfers(h, ts);
    slot_set all;
    std::size_t moved = 0;
    for (const auto& t : ts) {
      RC_ASSERT(t.source != t.target);
      RC_ASSERT(!t.slots.empty());
      moved += t.slots.count();
    }
    for (std::size_t i = 0; i < h.size(); ++i) {
      RC_ASSERT(own.at(h[i].id).count() == h[i].quota);
      RC_ASSERT(!all.intersects(own.at(h[i].id)));
      all |= own.at(h[i].id);
      // a donor never ends with more ranges than it started with
      if (h[i].slots.count() > h[i].quota && h[i].quota > 0)
        RC_ASSERT(own.at(h[i].id).range_count() <= h[i].slots.range_count());
    }
    RC_ASSERT(all.full());
    RC_ASSERT(moved == rcplan::move_lower_bound(q));
    RC_ASSERT(rcplan::plan_slot_transfers(h) == ts);  // deterministic
  });
}
