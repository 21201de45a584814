#include "io.hpp"

#include "exit.hpp"

#include <rcplan/error.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/parse/cluster_nodes.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <filesystem>
#include <sstream>

namespace rcplan::cli {

void add_output_option(CLI::App& command, output_format& format) {
  // a plain string check gives a clearer message ("xml not in {text,json}") than a transformer
  command
      .add_option_function<std::string>(
          "-o,--output",
          [&format](const std::string& name) { format = name == "json" ? output_format::json : output_format::text; },
          "Output format: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
}

std::string input_name(const std::string& path) { return path == "-" ? "<stdin>" : path; }

namespace {

std::string read_stream(std::istream& in, const std::string& path) {
  std::ostringstream content;
  content << in.rdbuf();
  // an empty stream makes operator<< set failbit on `content`, which is not an error
  if (in.bad()) throw input_error("cannot read " + input_name(path));
  return std::move(content).str();
}

}  // namespace

std::string read_input(const std::string& path) {
  if (path == "-") return read_stream(std::cin, path);
  // a directory opens fine as a stream on Linux and then reads as empty
  if (std::error_code ec; std::filesystem::is_directory(path, ec))
    throw input_error("cannot read " + path + ": it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error("cannot open " + path + ": " + std::strerror(errno));
  return read_stream(in, path);
}

topology read_topology(const std::string& path) {
  const std::string text = read_input(path);
  topology t;
  try {
    t = topology_from_cluster_nodes(text);
  } catch (const parse_error& e) {
    throw input_error(input_name(path) + ": " + e.what());
  }
  if (t.views.empty() || t.views.front().nodes.empty())
    throw input_error(input_name(path) + ": no CLUSTER NODES lines in the input");
  return t;
}

void print_json(std::ostream& out, const nlohmann::ordered_json& doc) { out << doc.dump(2) << '\n'; }

std::string format_slots(const slot_set& slots) { return slots.empty() ? "none" : to_string(slots); }
std::string format_address(const address& addr) {
  if (addr.host.empty() && addr.port == 0) return "(no address)";
  std::string out = addr.host + ':' + std::to_string(addr.port);
  if (!addr.hostname.empty()) out += ',' + addr.hostname;
  return out;
}

topology read_observed(const std::string& path) {
  const std::string text = read_input(path);
  try {
    nlohmann::json j = nlohmann::json::parse(text);
    // `inspect --output json` wraps the topology beside its findings
    if (j.is_object() && !j.contains("views") && j.contains("topology")) j = std::move(j["topology"]);
    if (!j.is_object() || !j.contains("views") || !j["views"].is_array())
      throw input_error(input_name(path) +
                        ": not a topology: expected an object with a \"views\" array (rcplan's topology JSON, or "
                        "what `rcplan inspect --output json` writes); an empty cluster is {\"views\": []}");
    return j.get<topology>();
  } catch (const nlohmann::json::parse_error& e) {
    throw input_error(input_name(path) + ": not JSON: " + rcplan::printable(e.what()));
  } catch (const rcplan::error& e) {
    throw input_error(input_name(path) + ": " + e.what());
  }
}

}  // namespace rcplan::cli
