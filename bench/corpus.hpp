#pragma once

// The scenario corpus (scenarios/corpus.json): clusters described by a few fields that users
// extend without writing code. Each entry: "name"; "masters" holding slots before; "layout",
// "contiguous" (default) or "fragmented" (with an optional "seed"); "join", empty masters that
// join; "drain", the last masters weighted 0; "weights", one per master (joining ones last);
// "keys", {"total": N, "skew": "uniform" or "zipf", "seed": S}, keys per slot observed on every
// master (zipf: the slot of rank r holds a share proportional to 1/r, ranks dealt at random);
// "balance", "slots" (default) or "keys"; "open", slots caught mid-migration, slot k (the first
// slot of master k) MIGRATING from master k to master k+1, half its keys already moved.

#include "scenarios.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace rcplan_bench {

namespace detail {

[[nodiscard]] inline std::size_t count_field(const nlohmann::json& e, const char* key, std::size_t fallback,
                                             const std::string& where) {
  if (!e.contains(key)) return fallback;
  const nlohmann::json& v = e.at(key);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<long long>() >= 0))
    throw std::runtime_error(where + ": \"" + key + "\" must be a whole number of at least 0");
  return v.get<std::size_t>();
}

/// Keys per slot, about `total` in all, as `skew` deals them.
[[nodiscard]] inline std::vector<std::uint64_t> slot_keys(std::uint64_t total, const std::string& skew, std::uint32_t seed) {
  std::vector<std::uint64_t> out(rcplan::slot_count, total / rcplan::slot_count);
  if (skew == "uniform") return out;
  std::vector<std::size_t> rank(rcplan::slot_count);  // a random permutation, from raw draws
  for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = i;
  std::mt19937 rng{seed};
  for (std::size_t i = rank.size() - 1; i > 0; --i) std::swap(rank[i], rank[draw(rng, i + 1)]);
  double harmonic = 0;
  for (std::size_t r = 1; r <= rcplan::slot_count; ++r) harmonic += 1.0 / static_cast<double>(r);
  for (std::size_t s = 0; s < rcplan::slot_count; ++s)
    out[s] = static_cast<std::uint64_t>(static_cast<double>(total) / (static_cast<double>(rank[s] + 1) * harmonic));
  return out;
}

/// A slot caught mid-migration between two masters (positions in the id list).
struct open_migration {
  rcplan::slot s = 0;
  std::size_t from = 0, to = 0;
};

/// The "keys" field: every master observed with the keys of the slots it holds; of a slot
/// caught mid-migration, half the keys are already on the importing side.
inline void add_keys(const nlohmann::json& e, const std::string& where, const std::vector<rcplan::node_id>& ids,
                     const std::vector<rcplan::slot_set>& held, const std::vector<open_migration>& open,
                     rcplan_test::topology_builder& b) {
  const nlohmann::json& k = e.at("keys");
  if (!k.is_object()) throw std::runtime_error(where + ": \"keys\" must be an object");
  const std::size_t total = count_field(k, "total", 0, where + ": \"keys\"");
  const std::string skew = k.value("skew", std::string{"uniform"});
  if (skew != "uniform" && skew != "zipf")
    throw std::runtime_error(where + ": \"keys\".\"skew\" must be \"uniform\" or \"zipf\", not \"" + skew + "\"");
  const std::vector<std::uint64_t> per_slot =
      slot_keys(total, skew, static_cast<std::uint32_t>(count_field(k, "seed", 1, where + ": \"keys\"")));
  std::vector<std::map<rcplan::slot, std::uint64_t>> mine(ids.size());
  for (std::size_t i = 0; i < held.size(); ++i)
    held[i].for_each([&](rcplan::slot s) {
      if (per_slot[s] > 0) mine[i][s] = per_slot[s];
    });
  for (const open_migration& m : open) {
    const std::uint64_t moved = per_slot[m.s] / 2;
    if (moved == 0) continue;
    mine[m.from][m.s] -= moved;
    mine[m.to][m.s] = moved;
  }
  for (std::size_t i = 0; i < ids.size(); ++i) b.keys(ids[i], std::move(mine[i]));
}

/// The "open" field: slot k, master k's first, caught migrating to master k+1.
[[nodiscard]] inline std::vector<open_migration> open_slots(std::size_t open, const std::string& where,
                                                            const std::vector<rcplan::node_id>& ids,
                                                            const std::vector<rcplan::slot_set>& held,
                                                            rcplan_test::topology_builder& b) {
  if (open + 1 > held.size()) throw std::runtime_error(where + ": \"open\" must be below \"masters\"");
  std::vector<open_migration> out;
  for (std::size_t k = 0; k < open; ++k) {
    const std::optional<rcplan::slot> s = held[k].first();
    if (!s) throw std::runtime_error(where + ": \"open\": master " + std::to_string(k) + " holds no slot");
    b.node(ids[k]).open_slots.push_back({*s, rcplan::open_slot::direction::migrating, ids[k + 1]});
    b.node(ids[k + 1]).open_slots.push_back({*s, rcplan::open_slot::direction::importing, ids[k]});
    out.push_back({*s, k, k + 1});
  }
  return out;
}

[[nodiscard]] inline scenario corpus_scenario(const nlohmann::json& e, const std::string& where) {
  if (!e.is_object()) throw std::runtime_error(where + ": an entry must be an object");
  if (!e.contains("name") || !e.at("name").is_string()) throw std::runtime_error(where + ": \"name\" must be a string");
  const std::size_t masters = count_field(e, "masters", 0, where);
  if (masters == 0 || masters > 10000) throw std::runtime_error(where + ": \"masters\" must be 1 to 10000");
  const std::size_t join = count_field(e, "join", 0, where);
  const std::size_t drain = count_field(e, "drain", 0, where);
  if (drain >= masters) throw std::runtime_error(where + ": \"drain\" must leave a master holding slots");
  const std::string layout = e.value("layout", std::string{"contiguous"});
  if (layout != "contiguous" && layout != "fragmented")
    throw std::runtime_error(where + ": \"layout\" must be \"contiguous\" or \"fragmented\", not \"" + layout + "\"");
  const auto seed = static_cast<std::uint32_t>(count_field(e, "seed", 1, where));

  rcplan_test::topology_builder b;
  scenario sc;
  sc.name = e.at("name").get<std::string>();
  sc.masters = masters;
  const std::vector<rcplan::slot_set> held = layout == "fragmented" ? fragmented(masters, seed) : rcplan_test::contiguous(masters);
  std::vector<rcplan::node_id> ids = add_masters(b, held);
  for (std::size_t i = 0; i < join; ++i) ids.push_back(b.master({}));
  const std::vector<open_migration> open = open_slots(count_field(e, "open", 0, where), where, ids, held, b);
  sc.open_slots = !open.empty();
  if (e.contains("keys")) {
    add_keys(e, where, ids, held, open, b);
    sc.keys_known = true;
  }
  const std::string balance = e.value("balance", std::string{"slots"});
  if (balance != "slots" && balance != "keys")
    throw std::runtime_error(where + ": \"balance\" must be \"slots\" or \"keys\", not \"" + balance + "\"");
  if (balance == "keys" && !sc.keys_known) throw std::runtime_error(where + ": \"balance\": \"keys\" needs \"keys\"");
  sc.options.balance = balance == "keys" ? rcplan::balance_mode::keys : rcplan::balance_mode::slots;
  sc.options.use_empty_masters = join > 0 || layout == "fragmented";
  for (std::size_t i = masters - drain; i < masters; ++i) sc.options.weights[ids[i]] = 0.0;
  if (e.contains("weights")) {
    const nlohmann::json& w = e.at("weights");
    if (!w.is_array() || w.size() != ids.size())
      throw std::runtime_error(where + ": \"weights\" must list one number per master (" + std::to_string(ids.size()) + ")");
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (!w[i].is_number() || w[i].get<double>() < 0)
        throw std::runtime_error(where + ": \"weights\"[" + std::to_string(i) + "] must be a number of at least 0");
      sc.options.weights[ids[i]] = w[i].get<double>();
    }
  }
  sc.topology = b.build();
  return sc;
}

}  // namespace detail

/// The scenarios of a corpus file; throws std::runtime_error naming the entry and the field.
[[nodiscard]] inline std::vector<scenario> load_corpus(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw std::runtime_error(path + ": not JSON: " + e.what());
  }
  if (!doc.is_array()) throw std::runtime_error(path + ": the corpus must be an array of scenarios");
  std::vector<scenario> out;
  for (std::size_t i = 0; i < doc.size(); ++i)
    out.push_back(detail::corpus_scenario(doc[i], path + ": scenario " + std::to_string(i)));
  return out;
}

}  // namespace rcplan_bench
