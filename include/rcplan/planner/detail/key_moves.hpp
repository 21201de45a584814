#pragma once

// The key balancer behind plan_key_transfers(); its three phases and their guarantees are
// described in planner/key_moves.hpp.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/planner/detail/slot_moves.hpp>
#include <rcplan/planner/key_moves.hpp>
#include <rcplan/planner/slot_moves.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

namespace rcplan::planner_detail {

class key_balancer {
 public:
  key_balancer(const std::vector<key_holding>& holdings, const std::vector<std::uint64_t>& keys)
      : h_(holdings), keys_(keys) {
    if (keys_.size() != slot_count) throw std::invalid_argument("keys per slot must have one entry per slot");
    owner_.assign(slot_count, -1);
    keyed_.resize(h_.size());
    held_.reserve(h_.size());
    dev_.reserve(h_.size());
    std::uint64_t held = 0, quota = 0;
    for (std::size_t i = 0; i < h_.size(); ++i) {
      std::uint64_t mine = 0;
      h_[i].slots.for_each([&](slot s) {
        if (owner_[s] != -1) throw std::invalid_argument("slot owned by two holdings");
        owner_[s] = static_cast<int>(i);
        mine += keys_[s];
        if (keys_[s] > 0) keyed_[i].insert({keys_[s], s});
      });
      held_.push_back(h_[i].slots);
      held += mine;
      quota += h_[i].key_quota;
      dev_.push_back(static_cast<std::int64_t>(mine) - static_cast<std::int64_t>(h_[i].key_quota));
      order_.insert({dev_.back(), i});
    }
    if (held != quota) throw std::invalid_argument("key quotas must add up to the keys held");
    origin_ = owner_;
  }

  [[nodiscard]] std::vector<slot_transfer> build() {
    if (h_.empty()) return {};
    balance_keys();
    balance_slot_counts();
    give_every_master_a_slot();
    return collect();
  }

 private:
  static constexpr std::size_t move_cap = std::size_t{1} << 20;
  using keyed_slot = std::pair<std::uint64_t, slot>;  ///< (keys, slot)

  void balance_keys() {
    for (std::size_t n = 0; n < move_cap; ++n) {
      const auto [low, x] = *order_.begin();
      if (low >= 0) return;
      bool moved = false;
      for (auto it = order_.rbegin(); it != order_.rend() && it->first > 0; ++it) {
        const std::size_t d = it->second;
        if (const std::optional<slot> s = pick(d, x)) {
          move(*s, d, x);  // invalidates `it`: leave the loop at once
          moved = true;
          break;
        }
      }
      if (!moved) return;
    }
  }

  /// 2: next to the receiver x, which grows without a new range; 1: next to no other master
  /// below its quota; 0: next to one, which is likely to grow into that slot later.
  [[nodiscard]] int end_rank(slot s, std::size_t x) const {
    int rank = 1;
    for (const long n : {static_cast<long>(s) - 1, static_cast<long>(s) + 1}) {
      if (n < 0 || n > static_cast<long>(max_slot)) continue;
      const int o = owner_[static_cast<std::size_t>(n)];
      if (o == static_cast<int>(x)) return 2;
      if (o >= 0 && dev_[static_cast<std::size_t>(o)] < 0) rank = 0;
    }
    return rank;
  }

  [[nodiscard]] std::optional<slot> pick(std::size_t d, std::size_t x) const {
    const auto above = static_cast<std::uint64_t>(dev_[d]);
    const auto below = static_cast<std::uint64_t>(-dev_[x]);
    const std::uint64_t fit = std::min(above, below);
    const std::set<keyed_slot>& ks = keyed_[d];
    std::optional<keyed_slot> inner;  // the fitting slot with the most keys, lowest slot on ties
    if (auto it = ks.upper_bound({fit, max_slot}); it != ks.begin()) inner = *ks.lower_bound({std::prev(it)->first, 0});
    std::optional<slot> end;
    std::uint64_t end_keys = 0;
    int end_best = -1;
    held_[d].for_each_range([&](slot_range r) {
      for (const slot c : {r.first, r.last}) {
        const std::uint64_t k = keys_[c];
        if (k == 0 || k > fit) continue;
        const int rank = end_rank(c, x);
        if (rank > end_best || (rank == end_best && k > end_keys)) {
          end = c;
          end_keys = k;
          end_best = rank;
        }
      }
    });
    if (end && (!inner || (end_best > 0 && inner->first - end_keys <= end_keys))) return end;
    if (inner) return inner->second;
    const auto over = ks.lower_bound({fit + 1, 0});
    if (over != ks.end() && over->first < above + below) return over->second;
    return std::nullopt;
  }

  void move(slot s, std::size_t d, std::size_t x) {
    const std::uint64_t k = keys_[s];
    keyed_[d].erase({k, s});
    keyed_[x].insert({k, s});
    reassign(s, d, x);
    set_dev(d, dev_[d] - static_cast<std::int64_t>(k));
    set_dev(x, dev_[x] + static_cast<std::int64_t>(k));
  }
  void reassign(slot s, std::size_t from, std::size_t to) {
    held_[from].erase(s);
    held_[to].insert(s);
    owner_[s] = static_cast<int>(to);
  }
  void set_dev(std::size_t i, std::int64_t v) {
    order_.erase({dev_[i], i});
    dev_[i] = v;
    order_.insert({v, i});
  }

  [[nodiscard]] slot_set keyless(std::size_t i) const {
    slot_set out = held_[i];
    for (const keyed_slot& k : keyed_[i]) out.erase(k.second);
    return out;
  }

  void balance_slot_counts() {
    const std::size_t n = h_.size();
    double weight_sum = 0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      weight_sum += std::max(h_[i].weight, 0.0);
      total += held_[i].count();
    }
    if (weight_sum <= 0) return;
    std::vector<std::size_t> lo(n), hi(n), count(n), give(n, 0), take(n, 0);
    std::vector<double> fraction(n);
    std::vector<slot_set> free(n);
    std::size_t pool = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double share = static_cast<double>(total) * std::max(h_[i].weight, 0.0) / weight_sum;
      // a share a rounding error off a whole number is that number
      lo[i] = static_cast<std::size_t>(std::floor(share + 1e-9));
      hi[i] = std::max(lo[i], static_cast<std::size_t>(std::ceil(share - 1e-9)));
      fraction[i] = share - std::floor(share);
      count[i] = held_[i].count();
      free[i] = keyless(i);
      if (count[i] > hi[i]) give[i] = std::min(count[i] - hi[i], free[i].count());
      pool += give[i];
    }
    if (pool == 0) return;
    std::size_t left = pool;
    // up to ⌊share⌋, the neediest first (ties: input order)
    std::priority_queue<std::pair<std::size_t, std::size_t>> needy;  // (need, n − 1 − index)
    for (std::size_t i = 0; i < n; ++i)
      if (count[i] < lo[i]) needy.push({lo[i] - count[i], n - 1 - i});
    while (left > 0 && !needy.empty()) {
      auto [need, rev] = needy.top();
      needy.pop();
      ++take[n - 1 - rev];
      --left;
      if (--need > 0) needy.push({need, rev});
    }
    // then up to ⌈share⌉, largest fraction first
    std::vector<std::size_t> by_fraction;
    for (std::size_t i = 0; i < n; ++i)
      if (give[i] == 0 && count[i] + take[i] < hi[i]) by_fraction.push_back(i);
    std::stable_sort(by_fraction.begin(), by_fraction.end(),
                     [&](std::size_t a, std::size_t b) { return fraction[a] > fraction[b]; });
    for (std::size_t i : by_fraction) {
      const std::size_t room = std::min(left, hi[i] - count[i] - take[i]);
      take[i] += room;
      left -= room;
    }
    // rounding cannot leave slots without a taker in exact arithmetic; trim if it does
    for (std::size_t i = n; i-- > 0 && left > 0;) {
      const std::size_t cut = std::min(left, give[i]);
      give[i] -= cut;
      left -= cut;
    }
    std::vector<slot_holding> sub;
    sub.reserve(n);
    std::map<node_id, std::size_t> index;
    for (std::size_t i = 0; i < n; ++i) {
      sub.push_back({h_[i].id, free[i], free[i].count() - give[i] + take[i]});
      index.emplace(h_[i].id, i);
    }
    for (const slot_transfer& t : plan_slot_transfers(sub)) {
      const std::size_t from = index.at(t.source), to = index.at(t.target);
      t.slots.for_each([&](slot s) { reassign(s, from, to); });
    }
  }

  void give_every_master_a_slot() {
    for (std::size_t i = 0; i < h_.size(); ++i) {
      if (h_[i].weight <= 0 || !held_[i].empty()) continue;
      std::optional<std::size_t> donor;
      for (std::size_t j = 0; j < h_.size(); ++j) {
        if (j == i || held_[j].count() < 2 || keyed_[j].size() == held_[j].count()) continue;
        if (!donor || held_[j].count() > held_[*donor].count()) donor = j;
      }
      if (!donor) return;  // nobody can spare a keyless slot, now or for later masters
      const slot_set free = keyless(*donor);
      std::optional<slot> s;
      held_[*donor].for_each_range([&](slot_range r) {
        if (s) return;
        if (keys_[r.first] == 0) s = r.first;
        else if (keys_[r.last] == 0) s = r.last;
      });
      if (!s) s = free.first();
      reassign(*s, *donor, i);
    }
  }

  [[nodiscard]] std::vector<slot_transfer> collect() const {
    std::map<std::pair<int, int>, slot_set> grouped;
    for (std::size_t s = 0; s < slot_count; ++s)
      if (origin_[s] != owner_[s]) grouped[{origin_[s], owner_[s]}].insert(static_cast<slot>(s));
    return named_transfers(grouped, [&](int i) -> const node_id& { return h_[static_cast<std::size_t>(i)].id; });
  }

  const std::vector<key_holding>& h_;
  const std::vector<std::uint64_t>& keys_;
  std::vector<int> owner_;   ///< current holding index per slot, -1 for slots nobody holds
  std::vector<int> origin_;  ///< holding index per slot at the start
  std::vector<slot_set> held_;
  std::vector<std::set<keyed_slot>> keyed_;  ///< keyed slots held, by keys then slot
  std::vector<std::int64_t> dev_;            ///< keys held − key quota
  std::set<std::pair<std::int64_t, std::size_t>> order_;  ///< (dev, index)
};

[[nodiscard]] inline std::vector<slot_transfer> key_transfers(const std::vector<key_holding>& holdings,
                                                              const std::vector<std::uint64_t>& keys_per_slot) {
  return key_balancer(holdings, keys_per_slot).build();
}

}  // namespace rcplan::planner_detail
