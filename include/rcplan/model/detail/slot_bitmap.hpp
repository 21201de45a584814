#pragma once

// The wide form of a slot_set: 16384 bits with a summary bit per 64-bit word, used once a set
// splits into more ranges than it keeps inline.

#include <rcplan/model/slot.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace rcplan::model_detail {

/// 16384 bits (2 KiB) with a summary bit per word that says whether the word holds any slot.
/// Counting, set algebra, iteration and comparison visit only the words the summary marks, so
/// a bitmap costs what it holds, not 2 KiB. Iteration is always in ascending slot order.
struct slot_bitmap {
  static constexpr std::size_t word_count = slot_count / 64;
  static constexpr std::size_t summary_count = word_count / 64;

  std::array<std::uint64_t, word_count> words{};
  std::array<std::uint64_t, summary_count> used{};  ///< bit i: words[i] != 0

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
      std::uint64_t u = used[k];
      while (u != 0) {
        f(k * 64 + static_cast<std::size_t>(std::countr_zero(u)));
        u &= u - 1;
      }
    }
  }
  void mark(std::size_t i) noexcept { used[i / 64] |= std::uint64_t{1} << (i % 64); }
  /// Brings the summary bit of word `i` in line with the word.
  void sync(std::size_t i) noexcept {
    const std::uint64_t b = std::uint64_t{1} << (i % 64);
    used[i / 64] = words[i] != 0 ? (used[i / 64] | b) : (used[i / 64] & ~b);
  }

  [[nodiscard]] bool contains(slot s) const noexcept { return (words[s / 64] >> (s % 64)) & 1U; }
  void insert(slot s) noexcept {
    words[s / 64] |= bit(s);
    mark(s / 64);
  }
  void erase(slot s) noexcept {
    words[s / 64] &= ~bit(s);
    sync(s / 64);
  }

  enum class edit : std::uint8_t { set, clear, flip };
  /// Sets, clears or flips every slot of `r` (a valid, non-reversed range).
  void apply(slot_range r, edit e) noexcept {
    const std::size_t fw = r.first / 64, lw = r.last / 64;
    for (std::size_t i = fw; i <= lw; ++i) {
      const std::size_t lo = i == fw ? std::size_t{r.first} % 64 : 0;
      const std::size_t hi = i == lw ? std::size_t{r.last} % 64 : 63;
      const std::uint64_t upto_hi = hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
      const std::uint64_t mask = upto_hi & ~((std::uint64_t{1} << lo) - 1);
      words[i] = e == edit::set ? (words[i] | mask) : e == edit::clear ? (words[i] & ~mask) : (words[i] ^ mask);
      sync(i);
    }
  }

  [[nodiscard]] std::size_t count() const noexcept {
    std::size_t n = 0;
    for_each_word([&](std::size_t i) { n += popcount(words[i]); });
    return n;
  }
  [[nodiscard]] bool empty() const noexcept {
    for (std::uint64_t u : used)
      if (u != 0) return false;
    return true;
  }
  [[nodiscard]] std::optional<slot> first() const noexcept {
    for (std::size_t k = 0; k < summary_count; ++k)
      if (used[k] != 0) {
        const std::size_t i = k * 64 + static_cast<std::size_t>(std::countr_zero(used[k]));
        return static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(words[i])));
      }
    return std::nullopt;
  }
  [[nodiscard]] std::optional<slot> last() const noexcept {
    for (std::size_t k = summary_count; k-- > 0;)
      if (used[k] != 0) {
        const std::size_t i = k * 64 + 63 - static_cast<std::size_t>(std::countl_zero(used[k]));
        return static_cast<slot>(i * 64 + 63 - static_cast<std::size_t>(std::countl_zero(words[i])));
      }
    return std::nullopt;
  }

  /// First slot >= from in the set, or slot_count; skips empty words through the summary.
  [[nodiscard]] std::size_t next_set(std::size_t from) const noexcept {
    std::size_t i = from / 64;
    if (i >= word_count) return slot_count;
    const std::uint64_t w = words[i] & (~std::uint64_t{0} << (from % 64));
    if (w != 0) return i * 64 + static_cast<std::size_t>(std::countr_zero(w));
    for (std::size_t k = (i + 1) / 64; k < summary_count; ++k) {
      std::uint64_t u = used[k];
      if (k == (i + 1) / 64) u &= (i + 1) % 64 == 0 ? ~std::uint64_t{0} : ~std::uint64_t{0} << ((i + 1) % 64);
      if (u == 0) continue;
      const std::size_t j = k * 64 + static_cast<std::size_t>(std::countr_zero(u));
      return j * 64 + static_cast<std::size_t>(std::countr_zero(words[j]));
    }
    return slot_count;
  }
  /// First slot >= from not in the set, or slot_count (a run's length in words at most).
  [[nodiscard]] std::size_t next_clear(std::size_t from) const noexcept {
    std::size_t i = from / 64;
    if (i >= word_count) return slot_count;
    std::uint64_t w = ~words[i] & (~std::uint64_t{0} << (from % 64));
    while (w == 0) {
      if (++i == word_count) return slot_count;
      w = ~words[i];
    }
    return i * 64 + static_cast<std::size_t>(std::countr_zero(w));
  }

  /// Calls `f(slot_range)` for each maximal run of present slots inside `within`, ascending;
  /// stops early when `f` returns false.
  template <typename F>
  bool for_each_run(slot_range within, F&& f) const {
    return walk(within, true, f);
  }
  /// The same for runs of absent slots inside `within`.
  template <typename F>
  bool for_each_gap(slot_range within, F&& f) const {
    return walk(within, false, f);
  }
  template <typename F>
  bool walk(slot_range within, bool present, F& f) const {
    std::size_t s = within.first;
    const std::size_t end = std::size_t{within.last} + 1;
    while (s < end) {
      s = present ? next_set(s) : next_clear(s);
      if (s >= end) break;
      const std::size_t after = present ? next_clear(s) : next_set(s);
      const std::size_t stop = after < end ? after : end;
      if (!f(slot_range{static_cast<slot>(s), static_cast<slot>(stop - 1)})) return false;
      s = stop;
    }
    return true;
  }

  [[nodiscard]] std::size_t range_count() const noexcept {
    std::size_t n = 0;
    for_each_word([&](std::size_t i) {
      const std::uint64_t w = words[i];
      const bool prev = i > 0 && (words[i - 1] >> 63) != 0;
      // a run starts at every set bit whose lower neighbour is clear
      const std::uint64_t starts = w & ~((w << 1) | (prev ? 1U : 0U));
      n += popcount(starts);
    });
    return n;
  }

  void unite(const slot_bitmap& o) noexcept {
    o.for_each_word([&](std::size_t i) { words[i] |= o.words[i]; });
    for (std::size_t k = 0; k < summary_count; ++k) used[k] |= o.used[k];
  }
  void intersect(const slot_bitmap& o) noexcept {
    for_each_word([&](std::size_t i) {
      words[i] &= o.words[i];
      sync(i);
    });
  }
  void subtract(const slot_bitmap& o) noexcept {
    for_each_word([&](std::size_t i) {
      if ((o.used[i / 64] >> (i % 64) & 1U) == 0) return;
      words[i] &= ~o.words[i];
      sync(i);
    });
  }
  void flip(const slot_bitmap& o) noexcept {
    o.for_each_word([&](std::size_t i) {
      words[i] ^= o.words[i];
      sync(i);
    });
  }

  [[nodiscard]] bool intersects(const slot_bitmap& o) const noexcept {
    for (std::size_t k = 0; k < summary_count; ++k) {
      std::uint64_t both = used[k] & o.used[k];
      while (both != 0) {
        const std::size_t i = k * 64 + static_cast<std::size_t>(std::countr_zero(both));
        if ((words[i] & o.words[i]) != 0) return true;
        both &= both - 1;
      }
    }
    return false;
  }
  [[nodiscard]] bool is_subset_of(const slot_bitmap& o) const noexcept {
    bool subset = true;
    for_each_word([&](std::size_t i) { subset = subset && (words[i] & ~o.words[i]) == 0; });
    return subset;
  }
  /// Keeps the `n` lowest slots.
  void keep_lowest(std::size_t n) noexcept {
    for_each_word([&](std::size_t i) {
      const std::size_t c = popcount(words[i]);
      if (c <= n) {
        n -= c;
        return;
      }
      std::uint64_t kept = 0, w = words[i];
      for (; n > 0; --n) {
        const std::uint64_t low = w & (~w + 1);
        kept |= low;
        w ^= low;
      }
      words[i] = kept;
      sync(i);
    });
  }

  /// Equal sets have equal summaries, so only the words the summary marks are compared.
  [[nodiscard]] bool equals(const slot_bitmap& o) const noexcept {
    if (used != o.used) return false;
    bool same = true;
    for_each_word([&](std::size_t i) { same = same && words[i] == o.words[i]; });
    return same;
  }
};

}  // namespace rcplan::model_detail
