#pragma once

// Input and output helpers shared by the subcommands.

#include <rcplan/model/node.hpp>
#include <rcplan/model/slot_set.hpp>
#include <rcplan/model/topology.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <iosfwd>
#include <string>

namespace rcplan::cli {

enum class output_format : std::uint8_t { text, json };

/// Adds `--output text|json` (default text) to `command`.
void add_output_option(CLI::App& command, output_format& format);

/// The whole content of `path`, or of standard input when `path` is "-". Throws input_error.
[[nodiscard]] std::string read_input(const std::string& path);

/// How `path` is named in messages.
[[nodiscard]] std::string input_name(const std::string& path);

/// The topology of one node's CLUSTER NODES reply in `path` ("-": standard input). Throws
/// input_error naming the input when it cannot be read, does not parse or has no lines.
[[nodiscard]] topology read_topology(const std::string& path);

/// A topology in rcplan's JSON in `path` ("-": standard input). Throws input_error naming the
/// input when it cannot be read, is not JSON or not a topology.
[[nodiscard]] topology read_observed(const std::string& path);

/// Pretty-printed, newline-terminated.
void print_json(std::ostream& out, const nlohmann::ordered_json& doc);

/// Slots the way people write them: "0-5460,5462"; "none" for the empty set.
[[nodiscard]] std::string format_slots(const slot_set& slots);

/// "host:port", followed by ",hostname" when one is announced (as CLUSTER NODES writes it).
[[nodiscard]] std::string format_address(const address& addr);

}  // namespace rcplan::cli
