#pragma once

// to_json/from_json for the planners' options, as embedders in other languages pass them
// (snake_case, like the plan):
//
//   rebalance: {"weights": {"<node id>": 0.5}, "use_empty_masters": false,
//               "threshold_percent": 2.0, "max_concurrent_migrations": 0,
//               "max_migrations_per_node": 4, "balance": "slots"}
//   reconcile: {"node_timeout_ms": 15000, "restore": <a backup manifest, rcplan/json/backup.hpp>}

#include <rcplan/json/backup.hpp>
#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/planner/rebalance.hpp>
#include <rcplan/planner/reconcile.hpp>

#include <string>
#include <tuple>

namespace rcplan::json_detail {

template <> inline constexpr name_table<balance_mode, 2> enum_names<balance_mode>{
    {{balance_mode::slots, "slots"}, {balance_mode::keys, "keys"}}};

/// Node ids as object keys (`weights`).
struct node_weight_key {
  using type = node_id;
  static constexpr const char* expected = "an object of node id to weight";
  [[nodiscard]] static node_id from_key(const std::string& key) { return node_id{key}; }
  [[nodiscard]] static std::string to_key(const node_id& id) { return id.value; }
};

template <> inline constexpr auto fields_of<rebalance_options> = std::tuple{
    defaulted("weights", &rebalance_options::weights, keyed_map<node_weight_key, codec<double>>{}),
    defaulted("use_empty_masters", &rebalance_options::use_empty_masters),
    defaulted("threshold_percent", &rebalance_options::threshold_percent),
    defaulted("max_concurrent_migrations", &rebalance_options::max_concurrent_migrations),
    defaulted("max_migrations_per_node", &rebalance_options::max_migrations_per_node),
    defaulted("balance", &rebalance_options::balance)};

template <> inline constexpr auto fields_of<reconcile_options> = std::tuple{
    defaulted("node_timeout_ms", &reconcile_options::node_timeout_ms),
    omitempty("restore", &reconcile_options::restore)};

}  // namespace rcplan::json_detail

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_OPTIONS_RECORDS(X) X(rebalance_options) X(reconcile_options)
namespace rcplan {
RCPLAN_JSON_OPTIONS_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
