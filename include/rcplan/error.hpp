#pragma once

// The exceptions rcplan throws: one base class carrying a stable id, and the parse error that
// names the line. Callers match on ids, never on message text.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rcplan {

namespace detail {

/// printable()'s work; with `quoted`, quotes and backslashes are escaped too.
[[nodiscard]] inline std::string escape_bytes(std::string_view s, std::size_t max, bool quoted) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (char c : s.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    if (quoted && (c == '"' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u >= 0x7f) {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

}  // namespace detail

/// Text from outside (a parser's message quoting its input, a server's reply) made fit for an
/// error message: control bytes and the bytes of binary input escaped as \xNN, never raw in a
/// log, and cut after `max` bytes ("..." marks the cut).
[[nodiscard]] inline std::string printable(std::string_view text, std::size_t max = 300) {
  return detail::escape_bytes(text, max, false);
}

/// Base of every exception rcplan throws. `what()` starts with a stable id in brackets
/// (`[rcplan.parse.cluster_nodes] line 3: ...`) that callers may match on; the rest is for
/// people. No message ever contains a secret.
class error : public std::runtime_error {
 public:
  error(std::string id, const std::string& message)
      : std::runtime_error("[" + id + "] " + message), id_(std::move(id)) {}
  [[nodiscard]] const std::string& id() const noexcept { return id_; }

 private:
  std::string id_;
};

/// Text that does not have the expected shape; `line()` is 1-based (0 when not line-oriented).
class parse_error : public error {
 public:
  parse_error(std::string id, std::size_t line, const std::string& message)
      : error(std::move(id), (line > 0 ? "line " + std::to_string(line) + ": " : std::string{}) + message),
        line_(line), detail_(message) {}
  [[nodiscard]] std::size_t line() const noexcept { return line_; }
  /// The message without id and line prefix.
  [[nodiscard]] const std::string& detail() const noexcept { return detail_; }

 private:
  std::size_t line_;
  std::string detail_;
};

/// A JSON document whose value at `path()` (like `spec.storage.size` or `steps[2].action`)
/// has the wrong type or value.
class json_error : public error {
 public:
  json_error(std::string path, std::string message)
      : error("rcplan.json", (path.empty() ? std::string{"at the top level"} : "at " + path) + ": " + message),
        path_(std::move(path)), detail_(std::move(message)) {}
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& detail() const noexcept { return detail_; }
  /// The same error seen from one level up (`key` or `[index]` in front of the path).
  [[nodiscard]] json_error within(const std::string& segment) const {
    std::string p = segment;
    if (!path_.empty()) p += path_.front() == '[' ? path_ : "." + path_;
    return json_error(std::move(p), detail_);
  }

 private:
  std::string path_;
  std::string detail_;
};

}  // namespace rcplan
