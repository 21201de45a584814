#pragma once

// Node ids a simulated world hands out to fresh Redis processes: well-formed (40 hex
// characters), deterministic, and different from one world seed to another.

#include <rcplan/model/node.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

namespace rcplan::sim::detail {

/// The `n`th id of the world seeded with `seed` (splitmix64 output, hex).
[[nodiscard]] inline node_id generated_node_id(std::uint64_t seed, std::uint64_t n) {
  std::string v;
  std::uint64_t x = seed * 0x9E3779B97F4A7C15ULL + n;
  while (v.size() < 40) {
    x += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(z));
    v += buf;
  }
  return node_id{v.substr(0, 40)};
}

}  // namespace rcplan::sim::detail
