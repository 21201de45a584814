#include <rcplan/model/slot_set.hpp>

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <bitset>
#include <optional>
#include <vector>

namespace {

using oracle = std::bitset<rcplan::slot_count>;

// A range starting anywhere, at most `max_extra` slots past its first.
rc::Gen<rcplan::slot_range> gen_range(int max_extra) {
  return rc::gen::map(rc::gen::pair(rc::gen::inRange<int>(0, 16384), rc::gen::inRange<int>(0, max_extra)),
                      [](std::pair<int, int> p) {
                        const int last = std::min(16383, p.first + p.second);
                        return rcplan::slot_range{static_cast<rcplan::slot>(p.first), static_cast<rcplan::slot>(last)};
                      });
}

// Sets built from a few random ranges plus scattered slots: both long runs and
// fragmentation, which is what real clusters look like.
rc::Gen<std::vector<rcplan::slot_range>> gen_ranges() {
  return rc::gen::container<std::vector<rcplan::slot_range>>(gen_range(600));
}

// A few short ranges: sets that stay inline, or just spill over into a bitmap.
rc::Gen<std::vector<rcplan::slot_range>> gen_few_ranges() {
  const auto bound = static_cast<int>(2 * rcplan::slot_set::inline_ranges + 2);
  return rc::gen::mapcat(rc::gen::inRange(0, bound), [](int n) {
    return rc::gen::container<std::vector<rcplan::slot_range>>(static_cast<std::size_t>(n), gen_range(40));
  });
}

// Either kind: algebra between an inline set and a bitmap takes its own paths.
rc::Gen<std::vector<rcplan::slot_range>> gen_any_ranges() {
  return rc::gen::oneOf(gen_ranges(), gen_few_ranges());
}

oracle to_oracle(const std::vector<rcplan::slot_range>& ranges) {
  oracle o;
  for (const auto& r : ranges)
    for (std::size_t s = r.first; s <= r.last; ++s) o.set(s);
  return o;
}

void require_equal(const rcplan::slot_set& s, const oracle& o) {
  RC_ASSERT(s.count() == o.count());
  for (std::size_t i = 0; i < rcplan::slot_count; ++i)
    RC_ASSERT(s.contains(static_cast<rcplan::slot>(i)) == o.test(i));
}

}  // namespace

TEST_CASE("slot_set basics") {
  rcplan::slot_set s;
  CHECK(s.empty());
  CHECK(s.count() == 0);
  CHECK_FALSE(s.first().has_value());
  s.insert(rcplan::slot_range{0, 5460});
  s.insert(rcplan::slot{16383});
  CHECK(s.count() == 5462);
  CHECK(s.range_count() == 2);
  CHECK(s.ranges() == std::vector<rcplan::slot_range>{{0, 5460}, {16383, 16383}});
  CHECK(*s.first() == 0);
  CHECK(*s.last() == 16383);
  CHECK(rcplan::slot_set::all().full());
  CHECK(rcplan::slot_set::all().range_count() == 1);
  CHECK(s.complement().ranges() == std::vector<rcplan::slot_range>{{5461, 16382}});
  CHECK(s.lowest(3).ranges() == std::vector<rcplan::slot_range>{{0, 2}});
  CHECK(s.highest(2).ranges() == std::vector<rcplan::slot_range>{{5460, 5460}, {16383, 16383}});
  s.erase(rcplan::slot_range{1, 5459});
  CHECK(s.ranges() == std::vector<rcplan::slot_range>{{0, 0}, {5460, 5460}, {16383, 16383}});
  rcplan::slot_set bad;
  bad.insert(rcplan::slot_range{10, 5});  // reversed: ignored rather than wrapping around
  CHECK(bad.empty());
}

TEST_CASE("a slot_set of a few ranges is small to copy, and a fragmented one keeps every slot") {
  // plans carry a slot set per step: thousands per plan on large clusters
  STATIC_REQUIRE(sizeof(rcplan::slot_set) <= 64);
  rcplan::slot_set few;
  for (rcplan::slot s = 0; s < 2 * rcplan::slot_set::inline_ranges; s += 2) few.insert(s);
  CHECK(few.range_count() == rcplan::slot_set::inline_ranges);
  rcplan::slot_set many = few;
  many.insert(rcplan::slot{1000});  // one range more than fits inline
  CHECK(many.range_count() == rcplan::slot_set::inline_ranges + 1);
  CHECK(many.count() == few.count() + 1);
  CHECK(many.contains(1000));
  CHECK(few.is_subset_of(many));
  CHECK_FALSE(many.is_subset_of(few));
  many.erase(rcplan::slot{1000});
  CHECK(many == few);
  CHECK(rcplan::slot_set::all().complement().empty());
  CHECK((rcplan::slot_set::all() - many).count() == rcplan::slot_count - few.count());
}

TEST_CASE("slot_set matches a bitset oracle") {
  rc::prop("insert, count, ranges", [] {
    const auto ranges = *gen_any_ranges();
    const auto s = rcplan::slot_set::from_ranges(ranges);
    const oracle o = to_oracle(ranges);
    require_equal(s, o);
    // ranges() must be sorted, maximal and exactly cover the set
    const auto rs = s.ranges();
    RC_ASSERT(rs.size() == s.range_count());
    oracle back;
    for (std::size_t i = 0; i < rs.size(); ++i) {
      RC_ASSERT(rs[i].first <= rs[i].last);
      if (i > 0) RC_ASSERT(rs[i].first > rs[i - 1].last + 1);
      for (std::size_t x = rs[i].first; x <= rs[i].last; ++x) back.set(x);
    }
    RC_ASSERT(back == o);
    RC_ASSERT(rcplan::slot_set::from_ranges(rs) == s);
    std::vector<rcplan::slot> each;
    s.for_each([&](rcplan::slot x) { each.push_back(x); });
    RC_ASSERT(each == s.slots());
    RC_ASSERT(each.size() == o.count());
  });
  rc::prop("set algebra", [] {
    const auto ra = *gen_any_ranges();
    const auto rb = *gen_any_ranges();
    const auto a = rcplan::slot_set::from_ranges(ra), b = rcplan::slot_set::from_ranges(rb);
    const oracle oa = to_oracle(ra), ob = to_oracle(rb);
    require_equal(a | b, oa | ob);
    require_equal(a & b, oa & ob);
    require_equal(a - b, oa & ~ob);
    require_equal(a ^ b, oa ^ ob);
    require_equal(a.complement(), ~oa);
    RC_ASSERT(a.intersects(b) == (oa & ob).any());
    RC_ASSERT(a.is_subset_of(b) == ((oa & ~ob).none()));
    RC_ASSERT((a & b).is_subset_of(a));
  });
  rc::prop("lowest and highest", [] {
    const auto a = rcplan::slot_set::from_ranges(*gen_any_ranges());
    const auto n = *rc::gen::inRange<std::size_t>(0, a.count() + 2);
    const auto lo = a.lowest(n), hi = a.highest(n);
    RC_ASSERT(lo.count() == std::min(n, a.count()));
    RC_ASSERT(hi.count() == std::min(n, a.count()));
    RC_ASSERT(lo.is_subset_of(a));
    RC_ASSERT(hi.is_subset_of(a));
    if (!lo.empty() && !(a - lo).empty()) RC_ASSERT(*lo.last() < *(a - lo).first());
    if (!hi.empty() && !(a - hi).empty()) RC_ASSERT(*hi.first() > *(a - hi).last());
  });
  // The sets keep a summary of their non-empty words; any way of reaching the same slots must
  // give an equal set, with the same first, last, ranges and emptiness.
  rc::prop("edits of every kind agree with the set built from scratch", [] {
    const auto start = *gen_any_ranges();
    rcplan::slot_set s = rcplan::slot_set::from_ranges(start);
    oracle o = to_oracle(start);
    const int edits = *rc::gen::inRange(0, 40);
    for (int e = 0; e < edits; ++e) {
      const auto r = *gen_any_ranges();
      const rcplan::slot_set x = rcplan::slot_set::from_ranges(r);
      const oracle ox = to_oracle(r);
      switch (*rc::gen::inRange(0, 7)) {
        case 0: s |= x; o |= ox; break;
        case 1: s &= x; o &= ox; break;
        case 2: s -= x; o &= ~ox; break;
        case 3: s ^= x; o ^= ox; break;
        case 4:
          for (const auto& g : r) s.erase(g);
          o &= ~ox;
          break;
        case 5:
          x.for_each([&](rcplan::slot v) { s.erase(v); });
          o &= ~ox;
          break;
        default:
          x.for_each([&](rcplan::slot v) { s.insert(v); });
          o |= ox;
          break;
      }
    }
    require_equal(s, o);
    rcplan::slot_set rebuilt;
    for (std::size_t i = 0; i < rcplan::slot_count; ++i)
      if (o.test(i)) rebuilt.insert(static_cast<rcplan::slot>(i));
    RC_ASSERT(s == rebuilt);
    RC_ASSERT(s.empty() == o.none());
    RC_ASSERT(s.ranges() == rebuilt.ranges());
    RC_ASSERT(s.range_count() == rebuilt.ranges().size());
    if (o.any()) {
      std::size_t lo = 0, hi = rcplan::slot_count - 1;
      while (!o.test(lo)) ++lo;
      while (!o.test(hi)) --hi;
      RC_ASSERT(s.first() == std::optional<rcplan::slot>{static_cast<rcplan::slot>(lo)});
      RC_ASSERT(s.last() == std::optional<rcplan::slot>{static_cast<rcplan::slot>(hi)});
    } else {
      RC_ASSERT(!s.first().has_value());
      RC_ASSERT(!s.last().has_value());
    }
    s.clear();
    RC_ASSERT(s == rcplan::slot_set{});
    RC_ASSERT(s.empty());
  });
  // A set kept as a bitmap and the same slots kept inline are the same set: equal, alike in
  // every query, and copied as the few ranges they are.
  rc::prop("a bitmap thinned to a few ranges equals those ranges held inline", [] {
    const auto few = *gen_few_ranges();
    const rcplan::slot_set inline_form = rcplan::slot_set::from_ranges(few);
    rcplan::slot_set evens;
    for (std::size_t s = 0; s < rcplan::slot_count; s += 2) evens.insert(static_cast<rcplan::slot>(s));
    // algebra between bitmaps keeps the bitmap: `wide` holds exactly `few`'s slots as a bitmap
    rcplan::slot_set wide = evens | inline_form;
    wide -= evens - inline_form;
    RC_ASSERT(wide == inline_form);
    RC_ASSERT(inline_form == wide);
    RC_ASSERT(wide.ranges() == inline_form.ranges());
    RC_ASSERT(wide.count() == inline_form.count());
    RC_ASSERT(wide.range_count() == inline_form.range_count());
    const rcplan::slot_set copy = wide;
    RC_ASSERT(copy == inline_form);
    rcplan::slot_set assigned{{0, 0}, {2, 2}, {4, 4}, {6, 6}, {8, 8}, {10, 10}, {12, 12}, {14, 14}, {16, 16}, {18, 18}};
    assigned = wide;
    RC_ASSERT(assigned == inline_form);
    RC_ASSERT(assigned.intersects(inline_form) == !few.empty());
    RC_ASSERT(assigned.is_subset_of(inline_form) && inline_form.is_subset_of(assigned));
    rcplan::slot_set moved = std::move(assigned);
    RC_ASSERT(moved == inline_form);
  });
}
