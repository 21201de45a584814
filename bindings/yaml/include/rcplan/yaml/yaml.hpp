#pragma once

// YAML → JSON for resource files and manifests, the one YAML reader of the bindings, the CLI
// and the tests. yaml-cpp leaves scalars untyped, so plain scalars are typed
// here by the YAML 1.2 core schema (what Kubernetes users expect from `masterSize: 3` and
// `deleteClaim: true`), while quoted scalars stay strings (`endpoint: '8080'`). Unlike YAML
// 1.1, `yes`/`no`/`on`/`off` are strings, which is also how Kubernetes reads them.

#include <rcplan/error.hpp>
#include <rcplan/yaml/detail/guard.hpp>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace rcplan::yaml {

namespace detail {

[[noreturn]] inline void yaml_fail(const YAML::Node& n, const std::string& message) {
  throw parse_error(yaml_error_id, yaml_line(n.Mark()), message);
}

[[nodiscard]] inline bool yaml_is_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

[[nodiscard]] inline bool all_of_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    const bool dec = c >= '0' && c <= '9';
    const bool ok = base == 8    ? (c >= '0' && c <= '7')
                    : base == 16 ? dec || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
                                 : dec;
    if (!ok) return false;
  }
  return true;
}

/// An integer of the core schema ([-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+) as JSON; integers
/// beyond 64 bits become doubles rather than errors, as JSON parsers treat them.
[[nodiscard]] inline bool yaml_int(std::string_view s, nlohmann::json& out) {
  int base = 10;
  bool negative = false;
  std::string_view digits = s;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'x')) {
    base = s[1] == 'o' ? 8 : 16;
    digits = s.substr(2);
  } else if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    digits = s.substr(1);
  }
  if (!all_of_digits(digits, base)) return false;
  std::uint64_t u = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ec == std::errc{} && ptr == digits.data() + digits.size()) {
    if (!negative) {
      out = u;
      return true;
    }
    if (u <= static_cast<std::uint64_t>(INT64_MAX) + 1) {
      out = u == static_cast<std::uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<std::int64_t>(u);
      return true;
    }
  }
  if (base != 10) return false;
  out = std::strtod(std::string(s).c_str(), nullptr);
  return true;
}

/// A float of the core schema: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
[[nodiscard]] inline bool yaml_float_syntax(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++int_digits;
  std::size_t frac_digits = 0;
  bool dot = false;
  if (i < s.size() && s[i] == '.') {
    dot = true;
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (int_digits == 0 && !dot) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

[[nodiscard]] inline bool yaml_special_float(std::string_view s) {
  for (std::string_view v : {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
                             ".nan", ".NaN", ".NAN"})
    if (s == v) return true;
  return false;
}

[[nodiscard]] inline nlohmann::json plain_scalar(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (yaml_is_null(s)) return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  nlohmann::json out;
  if (yaml_int(s, out)) return out;
  if (yaml_float_syntax(s)) {
    errno = 0;
    const double d = std::strtod(s.c_str(), nullptr);
    if (errno == ERANGE && (d > 1 || d < -1)) yaml_fail(n, "number " + s + " is too large for JSON");
    return d;
  }
  if (yaml_special_float(s)) yaml_fail(n, "\"" + s + "\" (infinity or NaN) cannot be represented in JSON");
  return s;
}

/// Scalars with an explicit tag: the standard ones by their meaning, any other as text.
[[nodiscard]] inline nlohmann::json tagged_scalar(const YAML::Node& n, const std::string& tag) {
  static const std::string core = "tag:yaml.org,2002:";
  if (tag == core + "str") return n.Scalar();
  if (tag == core + "null" || tag == core + "bool" || tag == core + "int" || tag == core + "float") {
    const auto v = plain_scalar(n);
    const bool fits = (tag == core + "null" && v.is_null()) || (tag == core + "bool" && v.is_boolean()) ||
                      (tag == core + "int" && v.is_number_integer()) ||
                      (tag == core + "float" && v.is_number());
    if (!fits) yaml_fail(n, "\"" + n.Scalar() + "\" does not match its tag " + tag);
    return v;
  }
  return n.Scalar();
}

[[nodiscard]] inline nlohmann::json convert(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& tag = n.Tag();
      if (tag == "!") return n.Scalar();  // quoted, or a block literal
      if (tag == "?" || tag.empty()) return plain_scalar(n);
      return tagged_scalar(n, tag);
    }
    case YAML::NodeType::Sequence: {
      auto out = nlohmann::json::array();
      for (const auto& e : n) out.push_back(convert(e));
      return out;
    }
    case YAML::NodeType::Map: {
      auto out = nlohmann::json::object();
      std::set<std::string> seen;
      for (const auto& kv : n) {
        if (!kv.first.IsScalar()) yaml_fail(kv.first, "a mapping key must be a scalar");
        const std::string& key = kv.first.Scalar();
        if (!seen.insert(key).second) yaml_fail(kv.first, "duplicate key \"" + key + "\"");
        out[key] = convert(kv.second);
      }
      return out;
    }
  }
  return nullptr;
}

/// Whether `text` written as a plain scalar would read back as something other than this
/// string (a number, a bool, null, or text YAML gives another meaning): then it is quoted.
[[nodiscard]] inline bool needs_quotes(const std::string& text) {
  if (text.empty()) return true;
  try {
    const YAML::Node n = YAML::Load(text);
    return !n.IsScalar() || n.Scalar() != text || !plain_scalar(n).is_string();
  } catch (const YAML::Exception&) {
    return true;
  }
}

/// Whether a literal block (`|`, which yaml-cpp writes without chomping or indentation
/// indicators) reads back as `text`: several lines ending in exactly one newline, the first not
/// indented, no line ending in a blank.
[[nodiscard]] inline bool literal_block_safe(const std::string& text) {
  if (text.size() < 2 || text.back() != '\n' || text[text.size() - 2] == '\n') return false;
  if (text.find('\n') == text.size() - 1) return false;  // one line: a plain or quoted scalar reads better
  if (text.front() == ' ' || text.front() == '\t') return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t')) return false;
    if (c < 0x20 && c != '\n') return false;
  }
  return true;
}

inline void emit(YAML::Emitter& out, const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        out << YAML::Key;
        if (needs_quotes(key)) out << YAML::DoubleQuoted;
        out << key << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      return;
    case nlohmann::json::value_t::array:
      out << YAML::BeginSeq;
      for (const auto& e : j) emit(out, e);
      out << YAML::EndSeq;
      return;
    case nlohmann::json::value_t::string: {
      const auto& text = j.get_ref<const std::string&>();
      if (literal_block_safe(text)) out << YAML::Literal;
      else if (text.find('\n') != std::string::npos || needs_quotes(text)) out << YAML::DoubleQuoted;
      out << text;
      return;
    }
    case nlohmann::json::value_t::null: out << YAML::Null; return;
    default: out << j.dump(); return;  // numbers and booleans as JSON writes them
  }
}

}  // namespace detail

/// YAML text of `documents`, `---` between them, that parse_yaml_documents() reads back as the
/// same JSON: strings that would read as numbers, booleans or null are quoted, and multi-line
/// strings (redis.conf, scripts) are literal blocks.
[[nodiscard]] inline std::string to_yaml(const std::vector<nlohmann::json>& documents) {
  YAML::Emitter out;
  for (const nlohmann::json& d : documents) {
    out << YAML::BeginDoc;
    detail::emit(out, d);
  }
  return std::string(out.c_str()) + "\n";
}

/// Converts a parsed YAML node. Throws rcplan::parse_error (id `rcplan.yaml`) naming the line
/// of a duplicate key, a non-scalar key or a value JSON cannot hold.
[[nodiscard]] inline nlohmann::json yaml_to_json(const YAML::Node& node) { return detail::convert(node); }

/// Every document of a YAML stream (`---` separated), in order. A stream beyond `limits` (size,
/// nesting, nodes with aliases expanded), an alias inside the node it names, or a point the
/// YAML library cannot read past is refused with a parse_error (ids `rcplan.yaml`,
/// `rcplan.yaml.too_large`, `rcplan.yaml.too_deep`, `rcplan.yaml.too_many_nodes`) before any
/// node is built.
[[nodiscard]] inline std::vector<nlohmann::json> parse_yaml_documents(const std::string& text,
                                                                      const yaml_limits& limits = {}) {
  detail::check_stream(text, limits);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    throw parse_error(detail::yaml_error_id, detail::yaml_line(e.mark), printable(e.msg));
  }
  std::vector<nlohmann::json> out;
  out.reserve(docs.size());
  for (const auto& d : docs) out.push_back(yaml_to_json(d));
  return out;
}

/// A single-document YAML text; an empty text gives null, more than one document is an error.
[[nodiscard]] inline nlohmann::json parse_yaml(const std::string& text, const yaml_limits& limits = {}) {
  auto docs = parse_yaml_documents(text, limits);
  if (docs.empty()) return nullptr;
  if (docs.size() > 1) throw parse_error(detail::yaml_error_id, 0, "expected one YAML document, found " +
                                                                      std::to_string(docs.size()));
  return std::move(docs.front());
}

/// Reads and converts a single-document YAML file; a file larger than `limits.max_bytes` is
/// refused after reading one byte more than that.
[[nodiscard]] inline nlohmann::json load_yaml_file(const std::string& path, const yaml_limits& limits = {}) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw error(detail::yaml_error_id, "cannot open " + path);
  std::string text(limits.max_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  return parse_yaml(text, limits);
}

}  // namespace rcplan::yaml
