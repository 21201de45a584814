#pragma once

// to_json for lowered commands (rcplan/plan/command.hpp), what an executor sends, as embedders
// in other languages read them (write only: commands are made by lower(), not read back):
//
//   {"type": "command", "node": "<id>", "argv": ["CLUSTER", "SETSLOT", "5460", "IMPORTING", "<id>"]}
//   {"type": "move_keys", "source": "<id>", "target": "<id>", "slot": 5460, "target_host": "10.0.0.2",
//    "target_port": 6379, "batch": 100, "timeout_ms": 5000, "auth": false}

#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/plan/command.hpp>

#include <nlohmann/json.hpp>

#include <tuple>
#include <variant>

namespace rcplan::json_detail {

template <> inline constexpr auto fields_of<redis_command> = std::tuple{constant("type", "command"),
    required("node", &redis_command::node), required("argv", &redis_command::argv)};

template <> inline constexpr auto fields_of<move_keys> = std::tuple{constant("type", "move_keys"),
    required("source", &move_keys::source), required("target", &move_keys::target),
    required("slot", &move_keys::number, slot_number{}), required("target_host", &move_keys::target_host),
    required("target_port", &move_keys::target_port), required("batch", &move_keys::batch),
    required("timeout_ms", &move_keys::timeout_ms), required("auth", &move_keys::auth)};

}  // namespace rcplan::json_detail

namespace rcplan {

/// A lowered command as JSON: its alternative's fields, "type" first.
template <json_detail::json_document J>
void to_json(J& j, const lowered_command& c) {
  std::visit([&j](const auto& x) { to_json(j, x); }, c);
}

}  // namespace rcplan

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_COMMAND_RECORDS(X) X(redis_command) X(move_keys)
namespace rcplan {
RCPLAN_JSON_COMMAND_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
