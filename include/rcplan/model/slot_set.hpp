#pragma once

// Sets of hash slots: a few ranges kept inline, a 16384-bit bitmap once a set is fragmented;
// set algebra, counting and range extraction, and `to_string()` for the `0-5460,5462` form
// people read.

#include <rcplan/model/detail/slot_bitmap.hpp>
#include <rcplan/model/slot.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace rcplan {

/// A set of hash slots. Up to `inline_ranges` maximal ranges live inside the object (48
/// bytes, no allocation); a set fragmented beyond that moves to a 16384-bit bitmap on the heap
/// whose summary bits let counting, algebra and iteration visit only the words in use.
///
/// Most sets a plan carries (a migration's slots, a master's share in a large cluster) are a
/// few ranges, so copying them costs bytes, not 2 KiB. A copy of a bitmap that has become a
/// few ranges again is stored inline. Iteration is always in ascending slot order, which keeps
/// every consumer deterministic.
class slot_set {
 public:
  static constexpr std::size_t inline_ranges = 8;

  slot_set() noexcept = default;
  slot_set(std::initializer_list<slot_range> ranges) {
    for (const slot_range& r : ranges) insert(r);
  }
  slot_set(const slot_set& o) { copy_from(o); }
  slot_set(slot_set&& o) noexcept = default;
  slot_set& operator=(const slot_set& o) {
    if (this != &o) copy_from(o);
    return *this;
  }
  slot_set& operator=(slot_set&& o) noexcept = default;
  ~slot_set() = default;

  [[nodiscard]] static slot_set all() noexcept {
    slot_set s;
    s.small_[0] = slot_range{0, max_slot};
    s.n_ = 1;
    return s;
  }
  [[nodiscard]] static slot_set from_ranges(const std::vector<slot_range>& ranges) {
    slot_set s;
    for (const slot_range& r : ranges) s.insert(r);
    return s;
  }

  [[nodiscard]] bool contains(slot s) const noexcept {
    if (big_) return big_->contains(s);
    for (std::uint32_t i = 0; i < n_; ++i)
      if (small_[i].contains(s)) return true;
    return false;
  }
  void insert(slot s) { insert(slot_range{s, s}); }
  void erase(slot s) { erase(slot_range{s, s}); }
  void insert(slot_range r) {
    if (!valid(r)) return;
    if (big_) return big_->apply(r, bitmap::edit::set);
    small_list out;
    std::uint32_t i = 0;
    for (; i < n_ && std::uint32_t{small_[i].last} + 1 < std::uint32_t{r.first}; ++i) out.push(small_[i]);
    slot_range merged = r;
    for (; i < n_ && std::uint32_t{small_[i].first} <= std::uint32_t{r.last} + 1; ++i) {
      merged.first = small_[i].first < merged.first ? small_[i].first : merged.first;
      merged.last = small_[i].last > merged.last ? small_[i].last : merged.last;
    }
    out.push(merged);
    for (; i < n_; ++i) out.push(small_[i]);
    adopt(out);
  }
  void erase(slot_range r) {
    if (!valid(r)) return;
    if (big_) return big_->apply(r, bitmap::edit::clear);
    small_list out;
    for (std::uint32_t i = 0; i < n_; ++i) {
      const slot_range g = small_[i];
      if (g.last < r.first || g.first > r.last) {
        out.push(g);
        continue;
      }
      if (g.first < r.first) out.push(slot_range{g.first, static_cast<slot>(r.first - 1)});
      if (g.last > r.last) out.push(slot_range{static_cast<slot>(r.last + 1), g.last});
    }
    adopt(out);
  }
  void clear() noexcept {
    big_.reset();
    n_ = 0;
  }

  [[nodiscard]] std::size_t count() const noexcept {
    if (big_) return big_->count();
    std::size_t n = 0;
    for (std::uint32_t i = 0; i < n_; ++i) n += small_[i].size();
    return n;
  }
  [[nodiscard]] bool empty() const noexcept { return big_ ? big_->empty() : n_ == 0; }
  [[nodiscard]] bool full() const noexcept { return count() == slot_count; }

  /// Lowest slot in the set, if any.
  [[nodiscard]] std::optional<slot> first() const noexcept {
    if (big_) return big_->first();
    return n_ == 0 ? std::nullopt : std::optional<slot>{small_[0].first};
  }
  /// Highest slot in the set, if any.
  [[nodiscard]] std::optional<slot> last() const noexcept {
    if (big_) return big_->last();
    return n_ == 0 ? std::nullopt : std::optional<slot>{small_[n_ - 1].last};
  }

  /// Calls `f(slot_range)` for each maximal run of consecutive slots, ascending.
  template <typename F>
  void for_each_range(F&& f) const {
    if (big_) {
      big_->for_each_run(slot_range{0, max_slot}, [&](slot_range r) {
        f(r);
        return true;
      });
      return;
    }
    for (std::uint32_t i = 0; i < n_; ++i) f(small_[i]);
  }
  /// Calls `f(slot)` for every slot, ascending.
  template <typename F>
  void for_each(F&& f) const {
    if (big_) {
      big_->for_each_word([&](std::size_t i) {
        std::uint64_t w = big_->words[i];
        while (w != 0) {
          f(static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(w))));
          w &= w - 1;
        }
      });
      return;
    }
    for (std::uint32_t i = 0; i < n_; ++i)
      for (std::size_t s = small_[i].first; s <= small_[i].last; ++s) f(static_cast<slot>(s));
  }

  /// The set as sorted, maximal, inclusive ranges.
  [[nodiscard]] std::vector<slot_range> ranges() const {
    if (!big_) return std::vector<slot_range>(small_.begin(), small_.begin() + n_);
    std::vector<slot_range> out;
    for_each_range([&](slot_range r) { out.push_back(r); });
    return out;
  }
  /// How many maximal ranges the set splits into (its fragmentation).
  [[nodiscard]] std::size_t range_count() const noexcept { return big_ ? big_->range_count() : n_; }
  [[nodiscard]] std::vector<slot> slots() const {
    std::vector<slot> out;
    out.reserve(count());
    for_each([&](slot s) { out.push_back(s); });
    return out;
  }

  slot_set& operator|=(const slot_set& o) {
    if (o.empty()) return *this;
    if (!big_ && !o.big_) {
      // one range (a master's share, most often) is inserted in place
      if (o.n_ == 1) {
        insert(o.small_[0]);
        return *this;
      }
      return *this = combine(*this, o, [](bool a, bool b) { return a || b; });
    }
    widen();
    if (o.big_) big_->unite(*o.big_);
    else o.apply_to(*big_, bitmap::edit::set);
    return *this;
  }
  slot_set& operator&=(const slot_set& o) {
    if (!big_ && !o.big_) return *this = combine(*this, o, [](bool a, bool b) { return a && b; });
    if (big_ && o.big_) {
      big_->intersect(*o.big_);
      return *this;
    }
    // one side is a few ranges: keep what the bitmap holds inside each of them
    const slot_set& few = big_ ? o : *this;
    const bitmap& wide = big_ ? *big_ : *o.big_;
    slot_set out;
    for (std::uint32_t i = 0; i < few.n_; ++i) wide.for_each_run(few.small_[i], appending{out});
    return *this = std::move(out);
  }
  slot_set& operator-=(const slot_set& o) {
    if (o.empty()) return *this;
    if (!big_ && !o.big_) return *this = combine(*this, o, [](bool a, bool b) { return a && !b; });
    if (big_ && o.big_) big_->subtract(*o.big_);
    else if (big_) o.apply_to(*big_, bitmap::edit::clear);
    else {
      slot_set out;
      for (std::uint32_t i = 0; i < n_; ++i) o.big_->for_each_gap(small_[i], appending{out});
      *this = std::move(out);
    }
    return *this;
  }
  slot_set& operator^=(const slot_set& o) {
    if (o.empty()) return *this;
    if (!big_ && !o.big_) return *this = combine(*this, o, [](bool a, bool b) { return a != b; });
    widen();
    if (o.big_) big_->flip(*o.big_);
    else o.apply_to(*big_, bitmap::edit::flip);
    return *this;
  }
  [[nodiscard]] friend slot_set operator|(slot_set a, const slot_set& b) { return a |= b; }
  [[nodiscard]] friend slot_set operator&(slot_set a, const slot_set& b) { return a &= b; }
  [[nodiscard]] friend slot_set operator-(slot_set a, const slot_set& b) { return a -= b; }
  [[nodiscard]] friend slot_set operator^(slot_set a, const slot_set& b) { return a ^= b; }
  [[nodiscard]] slot_set complement() const { return all() - *this; }

  [[nodiscard]] bool intersects(const slot_set& o) const noexcept {
    if (big_ && o.big_) return big_->intersects(*o.big_);
    const slot_set& few = big_ ? o : *this;
    const slot_set& other = big_ ? *this : o;
    for (std::uint32_t i = 0; i < few.n_; ++i)
      if (other.meets(few.small_[i])) return true;
    return false;
  }
  [[nodiscard]] bool is_subset_of(const slot_set& o) const noexcept {
    if (big_ && o.big_) return big_->is_subset_of(*o.big_);
    bool subset = true;
    if (big_) {
      big_->for_each_run(slot_range{0, max_slot}, [&](slot_range r) { return subset = o.covers(r); });
      return subset;
    }
    for (std::uint32_t i = 0; i < n_ && subset; ++i) subset = o.covers(small_[i]);
    return subset;
  }

  /// The `n` lowest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set lowest(std::size_t n) const {
    slot_set out;
    if (big_) {
      bitmap kept = *big_;
      kept.keep_lowest(n);
      kept.for_each_run(slot_range{0, max_slot}, appending{out});
      return out;
    }
    for (std::uint32_t i = 0; i < n_ && n > 0; ++i) {
      const std::size_t take = small_[i].size() < n ? small_[i].size() : n;
      out.small_[out.n_++] = slot_range{small_[i].first, static_cast<slot>(small_[i].first + take - 1)};
      n -= take;
    }
    return out;
  }
  /// The `n` highest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set highest(std::size_t n) const {
    const std::size_t c = count();
    return n >= c ? *this : *this - lowest(c - n);
  }

  friend bool operator==(const slot_set& a, const slot_set& b) noexcept {
    if (a.big_ && b.big_) return a.big_->equals(*b.big_);
    if (!a.big_ && !b.big_) {
      if (a.n_ != b.n_) return false;
      for (std::uint32_t i = 0; i < a.n_; ++i)
        if (a.small_[i] != b.small_[i]) return false;
      return true;
    }
    // a bitmap equals a few ranges when its runs are exactly those ranges
    const slot_set& few = a.big_ ? b : a;
    const bitmap& wide = a.big_ ? *a.big_ : *b.big_;
    std::uint32_t i = 0;
    const bool same = wide.for_each_run(slot_range{0, max_slot}, [&](slot_range r) {
      return i < few.n_ && few.small_[i++] == r;
    });
    return same && i == few.n_;
  }

 private:
  using bitmap = model_detail::slot_bitmap;

  /// Room for the ranges an edit or a combination of two inline sets can produce.
  struct small_list {
    std::array<slot_range, 2 * inline_ranges + 1> r{};
    std::uint32_t n = 0;
    void push(slot_range x) noexcept { r[n++] = x; }
  };

  [[nodiscard]] static bool valid(slot_range r) noexcept { return r.first <= r.last && r.last <= max_slot; }

  /// A bitmap of the ranges `r[0..n)`.
  [[nodiscard]] static std::unique_ptr<bitmap> bitmap_of(const slot_range* r, std::uint32_t n) {
    auto wide = std::make_unique<bitmap>();
    for (std::uint32_t i = 0; i < n; ++i) wide->apply(r[i], bitmap::edit::set);
    return wide;
  }
  /// Sets, clears or flips this inline set's ranges in `wide`.
  void apply_to(bitmap& wide, bitmap::edit e) const noexcept {
    for (std::uint32_t i = 0; i < n_; ++i) wide.apply(small_[i], e);
  }
  /// Takes sorted, maximal ranges: inline when they fit, else as a bitmap.
  void adopt(const small_list& l) {
    if (l.n > inline_ranges) {
      big_ = bitmap_of(l.r.data(), l.n);
      return;
    }
    for (std::uint32_t i = 0; i < l.n; ++i) small_[i] = l.r[i];
    n_ = l.n;
  }
  void widen() {
    if (!big_) big_ = bitmap_of(small_.data(), n_);
  }
  void copy_from(const slot_set& o) {
    if (!o.big_) {
      big_.reset();
      small_ = o.small_;
      n_ = o.n_;
      return;
    }
    // a bitmap that is a few ranges again is copied as those ranges
    small_list l;
    if (o.big_->for_each_run(slot_range{0, max_slot}, [&](slot_range r) {
          if (l.n == inline_ranges) return false;
          l.push(r);
          return true;
        })) {
      big_.reset();
      adopt(l);
      return;
    }
    if (big_) *big_ = *o.big_;
    else big_ = std::make_unique<bitmap>(*o.big_);
  }

  /// Appends a range above every slot of the set (a sink for ascending walks).
  void append(slot_range r) {
    if (big_) return big_->apply(r, bitmap::edit::set);
    if (n_ > 0 && std::uint32_t{small_[n_ - 1].last} + 1 == std::uint32_t{r.first}) {
      small_[n_ - 1].last = r.last;
      return;
    }
    if (n_ < inline_ranges) {
      small_[n_++] = r;
      return;
    }
    widen();
    big_->apply(r, bitmap::edit::set);
  }
  struct appending {
    slot_set& to;
    bool operator()(slot_range r) const {
      to.append(r);
      return true;
    }
  };

  /// Whether any slot of `r` is in the set.
  [[nodiscard]] bool meets(slot_range r) const noexcept {
    if (big_) return big_->next_set(r.first) <= std::size_t{r.last};
    for (std::uint32_t i = 0; i < n_; ++i)
      if (small_[i].first <= r.last && r.first <= small_[i].last) return true;
    return false;
  }
  /// Whether every slot of `r` is in the set.
  [[nodiscard]] bool covers(slot_range r) const noexcept {
    if (big_) return big_->next_clear(r.first) > std::size_t{r.last};
    for (std::uint32_t i = 0; i < n_; ++i)
      if (small_[i].first <= r.first && r.last <= small_[i].last) return true;
    return false;
  }

  /// `op(in a, in b)` over two inline sets, by a sweep over their range boundaries.
  template <typename Op>
  [[nodiscard]] static slot_set combine(const slot_set& a, const slot_set& b, Op op) {
    // boundaries as half-open positions: each inline list gives a strictly rising sequence
    std::array<std::uint32_t, 2 * inline_ranges> pa{}, pb{};
    for (std::uint32_t i = 0; i < a.n_; ++i) {
      pa[2 * i] = a.small_[i].first;
      pa[2 * i + 1] = std::uint32_t{a.small_[i].last} + 1;
    }
    for (std::uint32_t i = 0; i < b.n_; ++i) {
      pb[2 * i] = b.small_[i].first;
      pb[2 * i + 1] = std::uint32_t{b.small_[i].last} + 1;
    }
    const std::uint32_t na = 2 * a.n_, nb = 2 * b.n_;
    std::uint32_t i = 0, j = 0;
    small_list out;
    bool open = false;
    std::uint32_t start = 0;
    while (i < na || j < nb) {
      const std::uint32_t at = j >= nb || (i < na && pa[i] <= pb[j]) ? pa[i] : pb[j];
      while (i < na && pa[i] == at) ++i;
      while (j < nb && pb[j] == at) ++j;
      // past `at`, a slot is in a when an odd number of a's boundaries lie at or below it
      const bool in = op((i & 1U) != 0, (j & 1U) != 0);
      if (in && !open) {
        start = at;
        open = true;
      } else if (!in && open) {
        out.push(slot_range{static_cast<slot>(start), static_cast<slot>(at - 1)});
        open = false;
      }
    }
    slot_set s;
    s.adopt(out);
    return s;
  }

  std::unique_ptr<bitmap> big_;  ///< the set, once it no longer fits inline
  std::uint32_t n_ = 0;          ///< ranges used in small_ while big_ is empty
  std::array<slot_range, inline_ranges> small_{};  ///< sorted, maximal, not adjacent
};

/// The set as inclusive ranges, `0-5460,5462`; empty for an empty set.
[[nodiscard]] inline std::string to_string(const slot_set& s) {
  std::string out;
  s.for_each_range([&](slot_range r) {
    if (!out.empty()) out += ',';
    out += std::to_string(r.first);
    if (r.last == r.first) return;
    // appended piecewise: GCC 12 at -O3 warns (-Wrestrict) on `'-' + std::to_string(...)`
    out += '-';
    out += std::to_string(r.last);
  });
  return out;
}

}  // namespace rcplan
