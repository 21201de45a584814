#pragma once

// Hash tags that put keys in a chosen slot: `{t<n>}` for the first n that lands there.

#include <rcplan/model/key_slot.hpp>
#include <rcplan/model/slot_set.hpp>

#include <string>

namespace rcplan_test {

/// `{t<i>}`. Built piece by piece: GCC 12 at -O3 warns wrongly (-Wrestrict, -Wstringop-overread)
/// about `"lit" + std::to_string(i) + "lit"` once the key hashing is inlined after it.
inline std::string numbered_tag(int i) {
  std::string tag = "{t";
  tag += std::to_string(i);
  tag += '}';
  return tag;
}

/// The first numbered tag whose keys all land in slot `s`.
inline std::string tag_for(rcplan::slot s) {
  for (int i = 0;; ++i) {
    std::string tag = numbered_tag(i);
    if (rcplan::key_slot(tag) == s) return tag;
  }
}

}  // namespace rcplan_test
