#pragma once

// A first pass over a YAML stream's events, before any node is built, that refuses what would
// hang or exhaust the reader: Debian's yaml-cpp 0.7 loops forever in LoadAll on a stray `,` at
// document level (it starts the same empty document again and again), builds aliases once but
// converting them to JSON expands them in full (a few hundred bytes of nested aliases grow into
// gigabytes), and recurses once per nesting level.

#include <rcplan/error.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstddef>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace rcplan::yaml {

/// Bounds on what the YAML reader accepts. A Kubernetes object is at most about 1.5 MB; a file
/// may hold several.
struct yaml_limits {
  std::size_t max_bytes = std::size_t{4} << 20;
  std::size_t max_depth = 128;           ///< nested sequences and mappings
  /// Nodes of all documents, aliases counted expanded. A spec has hundreds; 414 bytes of
  /// aliases reached a million under the bound this replaced, whose conversion took over ten
  /// seconds under the fuzzer's sanitizers.
  std::size_t max_nodes = 200'000;
  std::size_t max_documents = 10'000;
};

namespace detail {

inline constexpr const char* yaml_error_id = "rcplan.yaml";
inline constexpr const char* too_large_id = "rcplan.yaml.too_large";
inline constexpr const char* too_deep_id = "rcplan.yaml.too_deep";
inline constexpr const char* too_many_nodes_id = "rcplan.yaml.too_many_nodes";

[[nodiscard]] inline std::size_t yaml_line(const YAML::Mark& m) {
  return m.is_null() || m.line < 0 ? 0 : static_cast<std::size_t>(m.line) + 1;
}

/// Counts what building the documents would build, and throws before it gets out of hand.
class stream_guard final : public YAML::EventHandler {
 public:
  stream_guard(const std::string& text, const yaml_limits& limits) : text_(text), limits_(limits) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp starts a document where the last one started only when it cannot read on
    if (documents_ > 0 && mark.pos == last_start_) {
      const auto at = static_cast<std::size_t>(mark.pos);
      const std::string what = at < text_.size() ? std::string{"'"} + text_[at] + "'" : "end of text";
      throw parse_error(yaml_error_id, yaml_line(mark),
                        "unexpected " + what + " at column " + std::to_string(mark.column + 1) +
                            ", outside any [ ] or { }");
    }
    if (++documents_ > limits_.max_documents)
      throw parse_error(too_large_id, yaml_line(mark), "more than " + std::to_string(limits_.max_documents) + " documents");
    last_start_ = mark.pos;
    anchored_.clear();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, const std::string&) override {
    leaf(mark, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = anchored_.find(anchor);
    if (it == anchored_.end()) {
      for (const frame& f : open_)
        if (f.anchor == anchor)
          throw parse_error(yaml_error_id, yaml_line(mark), "an alias refers to a node that contains it");
      return;  // an unknown anchor: yaml-cpp reports it
    }
    child(mark, it->second);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor, YAML::EmitterStyle::value) override {
    open(mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  /// What a node stands for once its aliases are expanded.
  struct extent {
    std::size_t nodes = 1;
    std::size_t height = 1;  ///< levels, the node's own included
  };
  struct frame {
    YAML::anchor_t anchor;
    std::size_t nodes_before;  ///< the stream's node count where the collection began
    std::size_t height;
    YAML::Mark mark;
  };

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    child(mark, extent{});
    if (anchor != YAML::NullAnchor) anchored_[anchor] = extent{};
  }
  void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (open_.size() >= limits_.max_depth) too_deep(mark);
    open_.push_back({anchor, nodes_, 1, mark});
    count(mark, 1);
  }
  void close() {
    const frame f = open_.back();
    open_.pop_back();
    const extent e{nodes_ - f.nodes_before, f.height};
    if (f.anchor != YAML::NullAnchor) anchored_[f.anchor] = e;
    if (!open_.empty()) open_.back().height = std::max(open_.back().height, 1 + e.height);
  }
  /// A leaf or an alias completed inside the innermost open collection.
  void child(const YAML::Mark& mark, const extent& e) {
    if (open_.size() + e.height > limits_.max_depth) too_deep(mark);
    count(mark, e.nodes);
    if (!open_.empty()) open_.back().height = std::max(open_.back().height, 1 + e.height);
  }
  void count(const YAML::Mark& mark, std::size_t n) {
    // checked as the count grows: an alias bomb stops at the first level that crosses the bound,
    // long before its expansion would be complete
    nodes_ = n > limits_.max_nodes - nodes_ ? limits_.max_nodes + 1 : nodes_ + n;
    if (nodes_ > limits_.max_nodes)
      throw parse_error(too_many_nodes_id, yaml_line(mark),
                        "more than " + std::to_string(limits_.max_nodes) + " nodes (aliases counted expanded)");
  }
  [[noreturn]] void too_deep(const YAML::Mark& mark) const {
    throw parse_error(too_deep_id, yaml_line(mark),
                      "nested deeper than " + std::to_string(limits_.max_depth) + " levels (aliases counted expanded)");
  }

  const std::string& text_;
  yaml_limits limits_;
  std::size_t documents_ = 0;
  int last_start_ = -1;
  std::size_t nodes_ = 0;  ///< of the whole stream so far, aliases expanded
  std::vector<frame> open_;
  std::map<YAML::anchor_t, extent> anchored_;  ///< this document's anchors
};

/// Throws rcplan::parse_error if `text` is larger, deeper or (with aliases expanded) bigger than
/// `limits` allow, or if yaml-cpp would not get past a point of it. Syntax errors yaml-cpp
/// reports are left for the real parse to report.
inline void check_stream(const std::string& text, const yaml_limits& limits) {
  if (text.size() > limits.max_bytes)
    throw parse_error(too_large_id, 0, "the YAML text is " + std::to_string(text.size()) + " bytes, more than the " +
                                           std::to_string(limits.max_bytes) + " accepted");
  std::istringstream in(text);
  YAML::Parser parser(in);
  stream_guard guard(text, limits);
  try {
    while (parser.HandleNextDocument(guard)) {
    }
  } catch (const YAML::Exception&) {
    // a syntax error: the real parse reports it, with its line
  }
}

}  // namespace detail
}  // namespace rcplan::yaml
