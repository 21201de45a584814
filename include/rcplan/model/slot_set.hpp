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

/// A set of hash slots, stored as a 16384-bit bitmap (2 KiB).
///
/// Counting, set algebra and range extraction work a 64-bit word at a time, so a whole
/// cluster's worth of sets can be combined in microseconds. Iteration is always in
/// ascending slot order, which keeps every consumer deterministic.
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
  void insert(slot s) noexcept { words_[s / 64] |= bit(s); }
  void erase(slot s) noexcept { words_[s / 64] &= ~bit(s); }
  void insert(slot_range r) noexcept { assign_range(r, true); }
  void erase(slot_range r) noexcept { assign_range(r, false); }
  void clear() noexcept { words_.fill(0); }

  [[nodiscard]] std::size_t count() const noexcept {
    std::size_t n = 0;
    for (std::uint64_t w : words_) n += popcount(w);
    return n;
  }
  [[nodiscard]] bool empty() const noexcept {
    for (std::uint64_t w : words_)
      if (w != 0) return false;
    return true;
  }
  [[nodiscard]] bool full() const noexcept { return count() == slot_count; }

  /// Lowest slot in the set, if any.
  [[nodiscard]] std::optional<slot> first() const noexcept {
    for (std::size_t i = 0; i < word_count; ++i)
      if (words_[i] != 0)
        return static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(words_[i])));
    return std::nullopt;
  }
  /// Highest slot in the set, if any.
  [[nodiscard]] std::optional<slot> last() const noexcept {
    for (std::size_t i = word_count; i-- > 0;)
      if (words_[i] != 0)
        return static_cast<slot>(i * 64 + 63 - static_cast<std::size_t>(std::countl_zero(words_[i])));
    return std::nullopt;
  }

  /// Calls `f(slot_range)` for each maximal run of consecutive slots, ascending.
  template <typename F>
  void for_each_range(F&& f) const {
    std::size_t s = 0;
    while (s < slot_count) {
      s = next_with(s, true);
      if (s >= slot_count) break;
      const std::size_t end = next_with(s, false);
      f(slot_range{static_cast<slot>(s), static_cast<slot>(end - 1)});
      s = end;
    }
  }
  /// Calls `f(slot)` for every slot, ascending.
  template <typename F>
  void for_each(F&& f) const {
    for (std::size_t i = 0; i < word_count; ++i) {
      std::uint64_t w = words_[i];
      while (w != 0) {
        f(static_cast<slot>(i * 64 + static_cast<std::size_t>(std::countr_zero(w))));
        w &= w - 1;
      }
    }
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
    bool prev = false;
    for (std::size_t i = 0; i < word_count; ++i) {
      const std::uint64_t w = words_[i];
      // a run starts at every set bit whose lower neighbour is clear
      const std::uint64_t starts = w & ~((w << 1) | (prev ? 1U : 0U));
      n += popcount(starts);
      prev = (w >> 63) != 0;
    }
    return n;
  }
  [[nodiscard]] std::vector<slot> slots() const {
    std::vector<slot> out;
    out.reserve(count());
    for_each([&](slot s) { out.push_back(s); });
    return out;
  }

  slot_set& operator|=(const slot_set& o) noexcept {
    for (std::size_t i = 0; i < word_count; ++i) words_[i] |= o.words_[i];
    return *this;
  }
  slot_set& operator&=(const slot_set& o) noexcept {
    for (std::size_t i = 0; i < word_count; ++i) words_[i] &= o.words_[i];
    return *this;
  }
  slot_set& operator-=(const slot_set& o) noexcept {
    for (std::size_t i = 0; i < word_count; ++i) words_[i] &= ~o.words_[i];
    return *this;
  }
  slot_set& operator^=(const slot_set& o) noexcept {
    for (std::size_t i = 0; i < word_count; ++i) words_[i] ^= o.words_[i];
    return *this;
  }
  [[nodiscard]] friend slot_set operator|(slot_set a, const slot_set& b) noexcept { return a |= b; }
  [[nodiscard]] friend slot_set operator&(slot_set a, const slot_set& b) noexcept { return a &= b; }
  [[nodiscard]] friend slot_set operator-(slot_set a, const slot_set& b) noexcept { return a -= b; }
  [[nodiscard]] friend slot_set operator^(slot_set a, const slot_set& b) noexcept { return a ^= b; }
  [[nodiscard]] slot_set complement() const noexcept { return all() - *this; }

  [[nodiscard]] bool intersects(const slot_set& o) const noexcept {
    for (std::size_t i = 0; i < word_count; ++i)
      if ((words_[i] & o.words_[i]) != 0) return true;
    return false;
  }
  [[nodiscard]] bool is_subset_of(const slot_set& o) const noexcept {
    for (std::size_t i = 0; i < word_count; ++i)
      if ((words_[i] & ~o.words_[i]) != 0) return false;
    return true;
  }

  /// The `n` lowest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set lowest(std::size_t n) const noexcept {
    slot_set out;
    for (std::size_t i = 0; i < word_count && n > 0; ++i) {
      std::uint64_t w = words_[i];
      const auto c = popcount(w);
      if (c <= n) {
        out.words_[i] = w;
        n -= c;
        continue;
      }
      for (; n > 0; --n) {
        const std::uint64_t low = w & (~w + 1);
        out.words_[i] |= low;
        w ^= low;
      }
    }
    return out;
  }
  /// The `n` highest slots of the set (all of it when `n >= count()`).
  [[nodiscard]] slot_set highest(std::size_t n) const noexcept {
    const std::size_t c = count();
    return n >= c ? *this : *this - lowest(c - n);
  }

  [[nodiscard]] const std::array<std::uint64_t, word_count>& words() const noexcept { return words_; }

  friend bool operator==(const slot_set&, const slot_set&) = default;

 private:
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

  void assign_range(slot_range r, bool value) noexcept {
    if (r.first > r.last || r.last > max_slot) return;
    const std::size_t fw = r.first / 64, lw = r.last / 64;
    for (std::size_t i = fw; i <= lw; ++i) {
      const std::size_t lo = i == fw ? std::size_t{r.first} % 64 : 0;
      const std::size_t hi = i == lw ? std::size_t{r.last} % 64 : 63;
      const std::uint64_t upto_hi = hi == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (hi + 1)) - 1;
      const std::uint64_t mask = upto_hi & ~((std::uint64_t{1} << lo) - 1);
      words_[i] = value ? (words_[i] | mask) : (words_[i] & ~mask);
    }
  }

  /// First index >= from whose bit equals `value`, or slot_count.
  [[nodiscard]] std::size_t next_with(std::size_t from, bool value) const noexcept {
    std::size_t i = from / 64;
    if (i >= word_count) return slot_count;
    std::uint64_t w = value ? words_[i] : ~words_[i];
    w &= ~std::uint64_t{0} << (from % 64);
    while (w == 0) {
      if (++i == word_count) return slot_count;
      w = value ? words_[i] : ~words_[i];
    }
    return i * 64 + static_cast<std::size_t>(std::countr_zero(w));
  }

  std::array<std::uint64_t, word_count> words_{};
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
