#pragma once

// How plan_slot_transfers() chooses its slots (the algorithm is described in
// planner/slot_moves.hpp), and the naming of grouped transfers that key_moves shares.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/planner/detail/order.hpp>
#include <rcplan/planner/slot_moves.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

/// A holding seen through pointers: the builder reads ids and slots, never copies them.
struct holding_ref {
  const node_id* id = nullptr;
  const slot_set* slots = nullptr;
  std::size_t quota = 0;
};

[[nodiscard]] inline std::vector<holding_ref> refs_of(const std::vector<slot_holding>& h) {
  std::vector<holding_ref> out;
  out.reserve(h.size());
  for (const slot_holding& x : h) out.push_back({&x.id, &x.slots, x.quota});
  return out;
}

/// Position of each holding in id order: the identity when the holdings come sorted by id (as
/// the rebalance passes them), so that the builder orders by integers, not 40-byte ids.
[[nodiscard]] inline std::vector<std::size_t> id_ranks(const std::vector<holding_ref>& h) {
  std::vector<std::size_t> order(h.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  bool sorted = true;
  for (std::size_t i = 1; i < h.size() && sorted; ++i) sorted = !(*h[i].id < *h[i - 1].id);
  if (sorted) return order;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return *h[a].id < *h[b].id; });
  std::vector<std::size_t> rank(h.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = k;
  return rank;
}

/// A transfer between two holdings named by their positions.
struct indexed_transfer {
  std::size_t source = 0;
  std::size_t target = 0;
  slot_set slots;
};

/// Transfers from (source index, target index) → slots, named by `id_of(index)` and sorted by
/// (source, target) id: planners group by index per slot, which is cheap, and name them once.
template <typename IdOf>
[[nodiscard]] std::vector<slot_transfer> named_transfers(const std::map<std::pair<int, int>, slot_set>& grouped,
                                                         IdOf&& id_of) {
  // ordered through pointers: a slot_transfer carries two ids and a slot set
  using entry = std::map<std::pair<int, int>, slot_set>::const_iterator;
  std::vector<entry> order;
  order.reserve(grouped.size());
  for (auto it = grouped.begin(); it != grouped.end(); ++it) order.push_back(it);
  std::sort(order.begin(), order.end(), [&](entry x, entry y) {
    const auto& xs = id_of(x->first.first);
    const auto& ys = id_of(y->first.first);
    if (xs != ys) return xs < ys;
    return id_of(x->first.second) < id_of(y->first.second);
  });
  std::vector<slot_transfer> out;
  out.reserve(order.size());
  for (entry e : order) out.push_back({id_of(e->first.first), id_of(e->first.second), e->second});
  return out;
}

class transfer_builder {
 public:
  explicit transfer_builder(std::vector<holding_ref> holdings) : h_(std::move(holdings)) {
    owner_.assign(slot_count, -1);
    std::size_t held = 0, quota = 0;
    balance_.reserve(h_.size());
    first_.reserve(h_.size());
    for (std::size_t i = 0; i < h_.size(); ++i) {
      h_[i].slots->for_each([&](slot s) {
        if (owner_[s] != -1) throw std::invalid_argument("slot owned by two holdings");
        owner_[s] = static_cast<int>(i);
      });
      const std::size_t count = h_[i].slots->count();
      held += count;
      quota += h_[i].quota;
      balance_.push_back(static_cast<std::ptrdiff_t>(count) - static_cast<std::ptrdiff_t>(h_[i].quota));
      const auto f = h_[i].slots->first();
      first_.push_back(f ? static_cast<std::size_t>(*f) : slot_count);
    }
    if (held != quota) throw std::invalid_argument("quotas must add up to the slots held");
    target_.assign(slot_count, -1);
    taken_.assign(h_.size(), 0);
  }

  /// Transfers by holding position, sorted by (source id, target id).
  [[nodiscard]] std::vector<indexed_transfer> build_indexed() {
    processed_.assign(h_.size(), false);
    for (std::size_t d : donors_by_first_slot()) {
      give(d);
      processed_[d] = true;
    }
    for (std::size_t x : receivers_by_adjacency()) claim_adjacent(x);
    deal_rest();
    return collect();
  }
  [[nodiscard]] std::vector<slot_transfer> build() {
    std::vector<indexed_transfer> in = build_indexed();
    std::vector<slot_transfer> out;
    out.reserve(in.size());
    for (indexed_transfer& t : in) out.push_back({*h_[t.source].id, *h_[t.target].id, std::move(t.slots)});
    return out;
  }

 private:
  [[nodiscard]] std::ptrdiff_t balance(std::size_t i) const { return balance_[i]; }

  std::vector<std::size_t> donors_by_first_slot() const {
    std::vector<std::size_t> d;
    for (std::size_t i = 0; i < h_.size(); ++i)
      if (balance(i) > 0) d.push_back(i);
    std::sort(d.begin(), d.end(), [&](std::size_t a, std::size_t b) {
      return first_[a] < first_[b];
    });
    return d;
  }
  std::vector<std::size_t> receivers_by_id() const {
    std::vector<std::size_t> r;
    for (std::size_t i = 0; i < h_.size(); ++i)
      if (balance(i) < 0) r.push_back(i);
    std::sort(r.begin(), r.end(), [&](std::size_t a, std::size_t b) { return rank_[a] < rank_[b]; });
    return r;
  }

  /// Receivers that can grow on fewer sides claim first, so that a receiver wedged between
  /// two runs of given slots takes what its neighbours leave (ties by id).
  std::vector<std::size_t> receivers_by_adjacency() const {
    std::vector<std::size_t> r = receivers_by_id();
    std::vector<std::size_t> sides(h_.size(), 0);
    for (std::size_t x : r)
      h_[x].slots->for_each_range([&](slot_range g) {
        sides[x] += free_in_pool(static_cast<long>(g.first) - 1) ? 1U : 0U;
        sides[x] += free_in_pool(static_cast<long>(g.last) + 1) ? 1U : 0U;
      });
    std::stable_sort(r.begin(), r.end(), [&](std::size_t a, std::size_t b) { return sides[a] < sides[b]; });
    return r;
  }

  int end_priority(long neighbour) const {
    if (neighbour < 0 || neighbour > static_cast<long>(max_slot)) return 0;
    const auto n = static_cast<slot>(neighbour);
    if (pool_.contains(n)) return 2;
    const int o = owner_[n];
    if (o < 0) return 0;
    const auto i = static_cast<std::size_t>(o);
    const std::ptrdiff_t b = balance(i);
    // a donor already cut keeps this side: nothing to merge with there
    return b < 0 ? 3 : (b > 0 && !processed_[i]) ? 1 : 0;
  }

  void give(std::size_t d) {
    slot_set kept = *h_[d].slots;
    auto rem = static_cast<std::size_t>(balance(d));
    if (rem >= kept.count()) {
      pool_ |= kept;
      return;
    }
    give_whole_small_ranges(kept, rem);
    while (rem > 0) {
      if (!cut_best_end(kept, rem)) give_whole_small_ranges(kept, rem, /*keep_largest=*/false);
    }
  }

  void give_whole_small_ranges(slot_set& kept, std::size_t& rem, bool keep_largest = true) {
    std::vector<slot_range> rs = kept.ranges();
    std::stable_sort(rs.begin(), rs.end(),
                     [](const slot_range& a, const slot_range& b) { return a.size() < b.size(); });
    const std::size_t usable = keep_largest && !rs.empty() ? rs.size() - 1 : rs.size();
    for (std::size_t i = 0; i < usable && rem > 0; ++i) {
      if (rs[i].size() > rem) break;
      kept.erase(rs[i]);
      pool_.insert(rs[i]);
      rem -= rs[i].size();
    }
  }

  /// Cuts from the best range end; false when every kept range is a single slot.
  bool cut_best_end(slot_set& kept, std::size_t& rem) {
    int best_priority = -1;
    slot_range best{};
    bool best_high = false;
    kept.for_each_range([&](slot_range r) {
      if (r.size() < 2) return;
      const int lo = end_priority(static_cast<long>(r.first) - 1);
      const int hi = end_priority(static_cast<long>(r.last) + 1);
      if (lo > best_priority) {
        best_priority = lo;
        best = r;
        best_high = false;
      }
      if (hi > best_priority) {
        best_priority = hi;
        best = r;
        best_high = true;
      }
    });
    if (best_priority < 0) return false;
    const std::size_t take = std::min(rem, best.size() - 1);
    const slot_range cut = best_high
        ? slot_range{static_cast<slot>(best.last + 1 - take), best.last}
        : slot_range{best.first, static_cast<slot>(best.first + take - 1)};
    kept.erase(cut);
    pool_.insert(cut);
    rem -= take;
    return true;
  }

  std::size_t need(std::size_t x) const {
    return static_cast<std::size_t>(-balance(x)) - taken_[x];
  }
  void assign(slot s, std::size_t x) {
    target_[s] = static_cast<int>(x);
    ++taken_[x];
  }
  bool free_in_pool(long s) const {
    return s >= 0 && s <= static_cast<long>(max_slot) && pool_.contains(static_cast<slot>(s)) &&
           target_[static_cast<std::size_t>(s)] < 0;
  }

  void claim_adjacent(std::size_t x) {
    for (const slot_range& r : h_[x].slots->ranges()) {
      for (long s = static_cast<long>(r.last) + 1; need(x) > 0 && free_in_pool(s); ++s)
        assign(static_cast<slot>(s), x);
      for (long s = static_cast<long>(r.first) - 1; need(x) > 0 && free_in_pool(s); --s)
        assign(static_cast<slot>(s), x);
    }
  }

  void deal_rest() {
    std::vector<std::size_t> rs;
    for (std::size_t x : receivers_by_id())
      if (need(x) > 0) rs.push_back(x);
    std::stable_sort(rs.begin(), rs.end(), [&](std::size_t a, std::size_t b) { return first_[a] < first_[b]; });
    std::size_t next = 0;
    pool_.for_each([&](slot s) {
      if (target_[s] >= 0) return;
      while (next < rs.size() && need(rs[next]) == 0) ++next;
      if (next < rs.size()) assign(s, rs[next]);
    });
  }

  /// Given slots grouped by their two ends, in (source id, target id) order. Runs of given
  /// slots with the same two ends are sorted by the ends' ranks, not slot by slot.
  std::vector<indexed_transfer> collect() const {
    struct run {
      std::size_t from, to;  ///< ranks of the ends
      slot first, last;
    };
    std::vector<run> runs;
    pool_.for_each_range([&](slot_range r) {
      for (std::size_t s = r.first; s <= r.last; ++s) {
        const std::size_t from = rank_[static_cast<std::size_t>(owner_[s])];
        const std::size_t to = rank_[static_cast<std::size_t>(target_[s])];
        if (!runs.empty() && runs.back().from == from && runs.back().to == to && runs.back().last + 1U == s)
          runs.back().last = static_cast<slot>(s);
        else runs.push_back({from, to, static_cast<slot>(s), static_cast<slot>(s)});
      }
    });
    // by (source rank, target rank); runs come by ascending slot, which stays the order within
    std::vector<std::size_t> order = identity_order(runs.size());
    stable_order_by(order, h_.size(), [&](std::size_t i) { return runs[i].to; });
    stable_order_by(order, h_.size(), [&](std::size_t i) { return runs[i].from; });
    std::vector<std::size_t> at(h_.size());
    for (std::size_t i = 0; i < h_.size(); ++i) at[rank_[i]] = i;
    const auto same_ends = [&](std::size_t k) {
      return k > 0 && runs[order[k]].from == runs[order[k - 1]].from && runs[order[k]].to == runs[order[k - 1]].to;
    };
    std::size_t groups = 0;
    for (std::size_t k = 0; k < order.size(); ++k) groups += same_ends(k) ? 0U : 1U;
    std::vector<indexed_transfer> out;
    out.reserve(groups);
    for (std::size_t k = 0; k < order.size(); ++k) {
      const run& r = runs[order[k]];
      if (!same_ends(k)) out.push_back({at[r.from], at[r.to], {}});
      out.back().slots.insert(slot_range{r.first, r.last});
    }
    return out;
  }

  std::vector<holding_ref> h_;
  std::vector<std::size_t> rank_ = id_ranks(h_);  ///< position in id order
  std::vector<std::ptrdiff_t> balance_;  ///< held − quota, fixed: holdings never change here
  std::vector<std::size_t> first_;       ///< lowest slot held, slot_count when none
  std::vector<int> owner_;
  std::vector<int> target_;
  std::vector<std::size_t> taken_;
  std::vector<bool> processed_;
  slot_set pool_;
};

[[nodiscard]] inline std::vector<slot_transfer> slot_transfers(const std::vector<slot_holding>& holdings) {
  return transfer_builder(refs_of(holdings)).build();
}

/// plan_slot_transfers() with the ends as positions in `holdings`.
[[nodiscard]] inline std::vector<indexed_transfer> indexed_slot_transfers(std::vector<holding_ref> holdings) {
  return transfer_builder(std::move(holdings)).build_indexed();
}

}  // namespace rcplan::planner_detail
