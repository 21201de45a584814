#pragma once

// The invariants of design §6 as checks over the simulated state: a slot's ownership, open
// slots and keys, and a replica's master. The interpreter runs them on what each command
// touched; `check_all` runs them everywhere.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot.hpp>
#include <rcplan/sim/detail/state.hpp>
#include <rcplan/sim/node_state.hpp>
#include <rcplan/sim/violation.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace rcplan::sim::detail {

[[nodiscard]] inline std::string slot_name(slot s) { return "slot " + std::to_string(s); }

/// Two claimants are fine only mid-hand-over: the older one MIGRATING to the newer, which
/// already won the slot with a higher epoch.
[[nodiscard]] inline std::optional<violation> check_claims(const cluster_state& st, slot s) {
  const node_state* claimants[2] = {nullptr, nullptr};
  std::size_t claims = 0;
  for (const auto& [id, n] : st.nodes)
    if (n.master && n.claims.contains(s)) {
      if (claims < 2) claimants[claims] = &n;
      ++claims;
    }
  if (st.created && claims == 0 && !st.orphaned.contains(s))
    return violation{invariant::slot_unowned, slot_name(s) + " has no owner"};
  if (claims > 2) return violation{invariant::slot_contested, slot_name(s) + " claimed by more than two masters"};
  if (claims == 2) {
    const node_state* older = claimants[0]->config_epoch < claimants[1]->config_epoch ? claimants[0] : claimants[1];
    const node_state* newer = older == claimants[0] ? claimants[1] : claimants[0];
    const auto m = older->migrating.find(s);
    const bool handing_over = m != older->migrating.end() && m->second == newer->id;
    if (!handing_over || older->config_epoch == newer->config_epoch)
      return violation{invariant::slot_contested, slot_name(s) + " claimed by several masters"};
  }
  return std::nullopt;
}

[[nodiscard]] inline std::optional<violation> check_keys(const cluster_state& st, slot s) {
  std::uint64_t keys = 0;
  for (const auto& [id, n] : st.nodes)
    if (!n.keys.empty())
      if (const auto k = n.keys.find(s); k != n.keys.end()) keys += k->second;
  const auto init = st.initial_keys.find(s);
  const std::uint64_t want = init == st.initial_keys.end() ? 0 : init->second;
  if (keys != want)
    return violation{invariant::keys_not_conserved,
                     slot_name(s) + " holds " + std::to_string(keys) + " keys, expected " + std::to_string(want)};
  for (const auto& [id, n] : st.nodes) {
    if (n.keys.empty() || n.keys.count(s) == 0) continue;
    if (n.master && !n.claims.contains(s) && !n.importing.count(s))
      return violation{invariant::keys_stranded,
                       slot_name(s) + " keys on " + short_id(id) + ", which neither owns nor imports the slot"};
  }
  return std::nullopt;
}

[[nodiscard]] inline std::optional<violation> check_open_slots(const cluster_state& st, slot s) {
  for (const auto& [id, n] : st.nodes) {
    if (n.migrating.empty()) continue;
    const auto m = n.migrating.find(s);
    if (m == n.migrating.end()) continue;
    const node_state* t = st.find(m->second);
    const auto imp = t ? t->importing.find(s) : std::map<slot, node_id>::const_iterator{};
    const bool paired = t != nullptr && ((imp != t->importing.end() && imp->second == n.id) || t->claims.contains(s));
    if (!paired)
      return violation{invariant::open_slot_unpaired,
                       slot_name(s) + " MIGRATING on " + short_id(id) + " toward a node not importing it"};
  }
  return std::nullopt;
}

/// Runs after every command, so it allocates nothing unless something is wrong. The order
/// matters: the most serious finding (ownership, then lost or stranded keys) wins the report.
[[nodiscard]] inline std::optional<violation> check_slot(const cluster_state& st, slot s) {
  if (auto v = check_claims(st, s)) return v;
  if (auto v = check_keys(st, s)) return v;
  return check_open_slots(st, s);
}

[[nodiscard]] inline std::optional<violation> check_node(const cluster_state& st, const node_state& n) {
  if (n.master) return std::nullopt;
  const node_state* m = n.master_id ? st.find(*n.master_id) : nullptr;
  if (m == nullptr || !m->master)
    return violation{invariant::replica_without_master, short_id(n.id) + " follows no master"};
  return std::nullopt;
}

[[nodiscard]] inline std::optional<violation> check_all(const cluster_state& st) {
  for (std::size_t s = 0; s < slot_count; ++s)
    if (auto v = check_slot(st, static_cast<slot>(s))) return v;
  for (const auto& [id, n] : st.nodes)
    if (auto v = check_node(st, n)) return v;
  return std::nullopt;
}

}  // namespace rcplan::sim::detail
