#pragma once

// Sets of hash slots as 16384-bit bitmaps: set algebra, counting and range extraction, and
// `to_string()` for the `0-5460,5462` form people read.

#include <rcplan/model/slot.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace rcplan {

/// A set of hash slots, stored as a 16384-bit bitmap (2 KiB) with a summary bit per 64-bit
/// word that says whether the word holds any slot.
///
/// Counting, set algebra, iteration and comparison visit only the words the summary marks, so
/// a set costs what it holds, not 2 KiB: a thousand masters of 16 slots each are counted or
/// merged in a few thousand steps. Iteration is always in ascending slot order, which keeps
/// every consumer deterministic.
class slot_set {
 public:
  static constexpr std::size_t word_count = slot_count / 64;

  constexpr slot_set() noexcept = default;
  slot_set(std::initializer_list<slot_range> ranges) noexcept {
    for (const slot_range& r : ranges) insert(r);
  }

  [[nodiscard]] static slot_set all() noexcept {
    slot_set s;
    s.words_.fill(~std::uint64_t{0});
    s.used_.fill(~std::uint64_t{0});
    return s;
  }
  [[nodiscard]] static slot_set from_ranges(const std::vector<slot_range>& ranges) noexcept {
    slot_set s;
    for (const slot_range& r : ranges) s.insert(r);
    return s;
  }

  [[nodiscard]] bool contains(slot s) const noexcept {
    return (words_[s / 64] >> (s % 64)) & 1U;
  }
  void insert(slot s) noexcept {
    words_[s / 64] |= bit(s);
    mark(s / 64);
  }
  void erase(slot s) noexcept {
    words_[s / 64] &= ~bit(s);
    sync(s / 64);
  }
  void insert(slot_range r) noexcept { assign_range(r, true); }
  void erase(slot_range r) noexcept { assign_range(r, false); }
  void clear() noexcept {
    for_each_word([&](std::size_t i) { words_[i] = 0; });
    used_.fill(0);
  }

  [[nodiscard]] std::size_t count() const noexcept {
    std::size_t n = 0;
    for_each_word([&](std::size_t i) { n += popcount(words_[i]); });
    return n;
  }
  [[nodiscard]] bool empty() const noexcept {
    for (std::uint64_t u : used_)
      if (u != 0) return false;
    return true;
  }
  [[nodiscard]] bool full() const noexcept { return count() == slot_count; }

  /// Lowest slot in the set, if any.
  [[nodiscard]] std::optional<slot> first() const noexcept {
    for (std::size_t k = 0; k < summary_count; ++k)
      if (used_[k] != 0) {
        const std::size_t i = k * 64 + static_cast<std::size_t>(std::countr_zero(used_[k]));
        return static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(words_[i])));
      }
    return std::nullopt;
  }
  /// Highest slot in the set, if any.
  [[nodiscard]] std::optional<slot> last() const noexcept {
    for (std::size_t k = summary_count; k-- > 0;)
      if (used_[k] != 0) {
        const std::size_t i = k * 64 + 63 - static_cast<std::size_t>(std::countl_zero(used_[k]));
        return static_cast<slot>(i * 64 + 63 - static_cast<std::size_t>(std::countl_zero(words_[i])));
      }
    return std::nullopt;
  }

  /// Calls `f(slot_range)` for each maximal run of consecutive slots, ascending.
  template <typename F>
  void for_each_range(F&& f) const {
    std::size_t s = 0;
    while (s < slot_count) {
      s = next_set(s);
      if (s >= slot_count) break;
      const std::size_t end = next_clear(s);
      f(slot_range{static_cast<slot>(s), static_cast<slot>(end - 1)});
      s = end;
    }
  }
  /// Calls `f(slot)` for every slot, ascending.
  template <typename F>
  void for_each(F&& f) const {
    for_each_word([&](std::size_t i) {
      std::uint64_t w = words_[i];
      while (w != 0) {
        f(static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(w))));
        w &= w - 1;
      }
    });
  }

  /// The set as sorted, maximal, inclusive ranges.
  [[nodiscard]] std::vector<slot_range> ranges() const {
    std::vector<slot_range> out;
    for_each_range([&](slot_range r) { out.push_back(r); });
    return out;
  }
  /// How many maximal ranges the set splits into (its fragmentation).
  [[nodiscard]] std::size_t range_count() const noexcept {
    std::size_t n = 0;
    for_each_word([&](std::size_t i) {
      const std::uint64_t w = words_[i];
      const bool prev = i > 0 && (words_[i - 1] >> 63) != 0;
      // a run starts at every set bit whose lower neighbour is clear
      const std::uint64_t starts = w & ~((w << 1) | (prev ? 1U : 0U));
      n += popcount(starts);
    });
    return n;
  }
  [[nodiscard]] std::vector<slot> slots() const {
    std::vector<slot> out;
    out.reserve(count());
    for_each([&](slot s) { out.push_back(s); });
    return out;
  }

  slot_set& operator|=(const slot_set& o) noexcept {
    o.for_each_word([&](std::size_t i) { words_[i] |= o.words_[i]; });
    for (std::size_t k = 0; k < summary_count; ++k) used_[k] |= o.used_[k];
    return *this;
  }
  slot_set& operator&=(const slot_set& o) noexcept {
    for_each_word([&](std::size_t i) {
      words_[i] &= o.words_[i];
      sync(i);
    });
    return *this;
  }
  slot_set& operator-=(const slot_set& o) noexcept {
    for_each_word([&](std::size_t i) {
      if ((o.used_[i / 64] >> (i % 64) & 1U) == 0) return;
      words_[i] &= ~o.words_[i];
      sync(i);
    });
    return *this;
  }
  slot_set& operator^=(const slot_set& o) noexcept {
    o.for_each_word([&](std::size_t i) {
      words_[i] ^= o.words_[i];
      sync(i);
    });
    return *this;
  }
  [[nodiscard]] friend slot_set operator|(slot_set a, const slot_set& b) noexcept { return a |= b; }
  [[nodiscard]] friend slot_set operator&(slot_set a, const slot_set& b) noexcept { return a &= b; }
  [[nodiscard]] friend slot_set operator-(slot_set a, const slot_set& b) noexcept { return a -= b; }
  [[nodiscard]] friend slot_set operator^(slot_set a, const slot_set& b) noexcept { return a ^= b; }
  [[nodiscard]] slot_set complement() const noexcept { return all() - *this; }

  [[nodiscard]] bool intersects(const slot_set& o) const noexcept {
    for (std::size_t k = 0; k < summary_count; ++k) {
      std::uint64_t both = used_[k] & o.used_[k];
      while (both != 0) {
        const std::size_t i = k * 64 + static_cast<std::size_t>(std::countr_zero(both));
        if ((words_[i] & o.words_[i]) != 0) return true;
        both &= both - 1;
      }
    }
    return false;
  }
  [[nodiscard]] bool is_subset_of(const slot_set& o) const noexcept {
    bool subset = true;
    for_each_word([&](std::size_t i) { subset = subset && (words_[i] & ~o.words_[i]) == 0; });
    return subset;
  }

  /// The `n` lowest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set lowest(std::size_t n) const noexcept {
    slot_set out;
    for_each_word([&](std::size_t i) {
      if (n == 0) return;
      std::uint64_t w = words_[i];
      const auto c = popcount(w);
      if (c <= n) {
        out.words_[i] = w;
        n -= c;
      } else {
        for (; n > 0; --n) {
          const std::uint64_t low = w & (~w + 1);
          out.words_[i] |= low;
          w ^= low;
        }
      }
      out.mark(i);
    });
    return out;
  }
  /// The `n` highest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set highest(std::size_t n) const noexcept {
    const std::size_t c = count();
    return n >= c ? *this : *this - lowest(c - n);
  }

  [[nodiscard]] const std::array<std::uint64_t, word_count>& words() const noexcept { return words_; }

  /// Equal sets have equal summaries, so only the words the summary marks are compared.
  friend bool operator==(const slot_set& a, const slot_set& b) noexcept {
    if (a.used_ != b.used_) return false;
    bool same = true;
    a.for_each_word([&](std::size_t i) { same = same && a.words_[i] == b.words_[i]; });
    return same;
  }

 private:
  static constexpr std::size_t summary_count = word_count / 64;

  // Inline bit counting: on baseline x86-64 (no POPCNT) std::popcount becomes a library call
  // per word, which dominated planning time; this form is also what compilers turn into the
  // POPCNT instruction where it exists.
  static constexpr std::size_t popcount(std::uint64_t x) noexcept {
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
    return static_cast<std::size_t>((x * 0x0101010101010101ULL) >> 56);
  }

  static constexpr std::uint64_t bit(slot s) noexcept { return std::uint64_t{1} << (s % 64); }

  /// Calls `f(i)` for every word index `i` the summary marks, ascending. `f` may change the
  /// summary of word `i` (the walk reads each summary word once, before visiting it).
  template <typename F>
  void for_each_word(F&& f) const {
    for (std::size_t k = 0; k < summary_count; ++k) {
      std::uint64_t u = used_[k];
      while (u != 0) {
        f(k * 64 + static_cast<std::size_t>(std::countr_zero(u)));
        u &= u - 1;
      }
    }
  }
  void mark(std::size_t i) noexcept { used_[i / 64] |= std::uint64_t{1} << (i % 64); }
  /// Brings the summary bit of word `i` in line with the word.
  void sync(std::size_t i) noexcept {
    const std::uint64_t b = std::uint64_t{1} << (i % 64);
    used_[i / 64] = words_[i] != 0 ? (used_[i / 64] | b) : (used_[i / 64] & ~b);
  }

  void assign_range(slot_range r, bool value) noexcept {
    if (r.first > r.last || r.last > max_slot) return;
    const std::size_t fw = r.first / 64, lw = r.last / 64;
    for (std::size_t i = fw; i <= lw; ++i) {
      const std::size_t lo = i == fw ? std::size_t{r.first} % 64 : 0;
      const std::size_t hi = i == lw ? std::size_t{r.last} % 64 : 63;
      const std::uint64_t upto_hi = hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
      const std::uint64_t mask = upto_hi & ~((std::uint64_t{1} << lo) - 1);
      words_[i] = value ? (words_[i] | mask) : (words_[i] & ~mask);
      sync(i);
    }
  }

  /// First slot >= from in the set, or slot_count; skips empty words through the summary.
  [[nodiscard]] std::size_t next_set(std::size_t from) const noexcept {
    std::size_t i = from / 64;
    if (i >= word_count) return slot_count;
    const std::uint64_t w = words_[i] & (~std::uint64_t{0} << (from % 64));
    if (w != 0) return i * 64 + static_cast<std::size_t>(std::countr_zero(w));
    for (std::size_t k = (i + 1) / 64; k < summary_count; ++k) {
      std::uint64_t u = used_[k];
      if (k == (i + 1) / 64) u &= (i + 1) % 64 == 0 ? ~std::uint64_t{0} : ~std::uint64_t{0} << ((i + 1) % 64);
      if (u == 0) continue;
      const std::size_t j = k * 64 + static_cast<std::size_t>(std::countr_zero(u));
      return j * 64 + static_cast<std::size_t>(std::countr_zero(words_[j]));
    }
    return slot_count;
  }
  /// First slot >= from not in the set, or slot_count (a run's length in words at most).
  [[nodiscard]] std::size_t next_clear(std::size_t from) const noexcept {
    std::size_t i = from / 64;
    if (i >= word_count) return slot_count;
    std::uint64_t w = ~words_[i] & (~std::uint64_t{0} << (from % 64));
    while (w == 0) {
      if (++i == word_count) return slot_count;
      w = ~words_[i];
    }
    return i * 64 + static_cast<std::size_t>(std::countr_zero(w));
  }

  std::array<std::uint64_t, word_count> words_{};
  std::array<std::uint64_t, summary_count> used_{};  ///< bit i: words_[i] != 0
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
