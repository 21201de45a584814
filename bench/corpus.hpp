#pragma once

// The scenario corpus (scenarios/corpus.json): clusters described by a few fields that users
// extend without writing code. Each entry: "name"; "masters" holding slots before; "layout",
// "contiguous" (default) or "fragmented" (with an optional "seed"); "join", empty masters that
// join; "drain", the last masters weighted 0; "weights", one per master (joining ones last).

#include "scenarios.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
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
  std::vector<rcplan::node_id> ids =
      add_masters(b, layout == "fragmented" ? fragmented(masters, seed) : rcplan_test::contiguous(masters));
  for (std::size_t i = 0; i < join; ++i) ids.push_back(b.master({}));
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
