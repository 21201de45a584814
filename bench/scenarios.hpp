#pragma once

// The cluster layouts the benchmarks and the rule comparison share, built once per
// (scenario, size) outside any timed loop.

#include "support/topology_builder.hpp"

#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>
#include <rcplan/planner/rebalance.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace rcplan_bench {

enum class scenario_kind : std::uint8_t { join_one, join_half, fragmented, drain, balanced };

inline constexpr std::array<scenario_kind, 5> all_scenarios{
    scenario_kind::join_one, scenario_kind::join_half, scenario_kind::fragmented, scenario_kind::drain,
    scenario_kind::balanced};

inline constexpr std::array<std::size_t, 5> all_sizes{3, 10, 100, 500, 1000};

[[nodiscard]] inline const char* name_of(scenario_kind k) noexcept {
  switch (k) {
    case scenario_kind::join_one: return "join_one";
    case scenario_kind::join_half: return "join_half";
    case scenario_kind::fragmented: return "fragmented";
    case scenario_kind::drain: return "drain";
    case scenario_kind::balanced: return "balanced";
  }
  return "?";
}

struct scenario {
  std::string name;
  std::size_t masters = 0;  ///< masters holding slots before the rebalance
  rcplan::topology topology;
  rcplan::rebalance_options options;
  bool keys_known = false;  ///< every master observed with its keys per slot
  bool open_slots = false;  ///< caught mid-migration: plans repair before they balance
};

namespace detail {

// Only the Mersenne Twister's output is fixed by the standard (distributions are not), so
// derive run lengths and owners from it directly to get the same layout on every toolchain.
[[nodiscard]] inline std::size_t draw(std::mt19937& rng, std::size_t bound) {
  return static_cast<std::size_t>(rng()) % bound;
}

/// Slots dealt in runs of random length (about four runs per master) to random masters: what
/// years of manual resharding leave behind. Some masters may end up with nothing.
[[nodiscard]] inline std::vector<rcplan::slot_set> fragmented(std::size_t n, std::uint32_t seed) {
  std::vector<rcplan::slot_set> out(n);
  std::mt19937 rng{seed};
  const std::size_t max_run = 2 * std::max<std::size_t>(1, rcplan::slot_count / (4 * n));
  for (std::size_t s = 0; s < rcplan::slot_count;) {
    const std::size_t len = std::min(1 + draw(rng, max_run), rcplan::slot_count - s);
    out[draw(rng, n)].insert(
        rcplan::slot_range{static_cast<rcplan::slot>(s), static_cast<rcplan::slot>(s + len - 1)});
    s += len;
  }
  return out;
}

inline std::vector<rcplan::node_id> add_masters(rcplan_test::topology_builder& b,
                                                             const std::vector<rcplan::slot_set>& slots) {
  std::vector<rcplan::node_id> ids;
  for (const rcplan::slot_set& s : slots) ids.push_back(b.master(s));
  return ids;
}

}  // namespace detail

/// `n` masters laid out as `kind` says. Joining masters are empty and take part through
/// `use_empty_masters`; a drain gives weight 0 to the last quarter of the masters (at least one).
[[nodiscard]] inline scenario make_scenario(scenario_kind kind, std::size_t n) {
  rcplan_test::topology_builder b;
  scenario sc;
  sc.name = name_of(kind);
  sc.masters = n;
  switch (kind) {
    case scenario_kind::join_one:
    case scenario_kind::join_half: {
      detail::add_masters(b, rcplan_test::contiguous(n));
      const std::size_t joining = kind == scenario_kind::join_one ? 1 : std::max<std::size_t>(1, n / 2);
      for (std::size_t i = 0; i < joining; ++i) b.master({});
      sc.options.use_empty_masters = true;
      break;
    }
    case scenario_kind::fragmented:
      detail::add_masters(b, detail::fragmented(n, 20240601U + static_cast<std::uint32_t>(n)));
      sc.options.use_empty_masters = true;
      break;
    case scenario_kind::drain: {
      const std::vector<rcplan::node_id> ids = detail::add_masters(b, rcplan_test::contiguous(n));
      const std::size_t drained = std::max<std::size_t>(1, n / 4);
      for (std::size_t i = n - drained; i < n; ++i) sc.options.weights[ids[i]] = 0.0;
      break;
    }
    case scenario_kind::balanced:
      detail::add_masters(b, rcplan_test::contiguous(n));
      break;
  }
  sc.topology = b.build();
  return sc;
}

}  // namespace rcplan_bench
