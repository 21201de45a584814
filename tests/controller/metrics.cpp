// The operator's /metrics page: the samples each call leaves, a cumulative histogram, label
// escaping, and every line in the shape a Prometheus scraper parses.

#include <rcplan/controller/metrics.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using rcplan::controller::metrics;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text))
    if (l == line) return true;
  return false;
}

/// The value of the one sample whose name and labels are exactly `series`.
std::optional<double> value_of(const std::string& text, const std::string& series) {
  for (const auto& l : lines_of(text))
    if (l.size() > series.size() && l.compare(0, series.size(), series) == 0 && l[series.size()] == ' ')
      return std::stod(l.substr(series.size() + 1));
  return std::nullopt;
}

// The text format 0.0.4: `name{label="value",...} value` with label values escaped (\\, \", \n).
const std::regex sample_line(
    R"(([a-zA-Z_:][a-zA-Z0-9_:]*))"
    R"((\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})?)"
    R"( ([-+]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?|Inf|NaN)))");
const std::regex help_line(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
const std::regex type_line(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");

/// Checks the whole page: samples well-formed, each after its family's TYPE, no blank lines.
void check_text_format(const std::string& text) {
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  std::map<std::string, std::string> types;
  for (const auto& line : lines_of(text)) {
    INFO("line: " << line);
    CHECK_FALSE(line.empty());
    std::smatch m;
    if (!line.empty() && line[0] == '#') {
      if (std::regex_match(line, m, type_line)) {
        CHECK(types.count(m[1].str()) == 0);  // one TYPE per family
        types[m[1].str()] = m[2].str();
      } else {
        CHECK(std::regex_match(line, help_line));
      }
      continue;
    }
    REQUIRE(std::regex_match(line, m, sample_line));
    std::string family = m[1].str();
    for (const std::string suffix : {"_bucket", "_sum", "_count"}) {
      if (family.size() > suffix.size() && family.compare(family.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          types.count(family.substr(0, family.size() - suffix.size())) != 0) {
        family.resize(family.size() - suffix.size());
        break;
      }
    }
    CHECK(types.count(family) == 1);
  }
}

}  // namespace

TEST_CASE("metrics: the sample line parser itself", "[controller][metrics]") {
  CHECK(std::regex_match(std::string(R"(a_b{x="1",y="q\"\\\n"} 2.5)"), sample_line));
  CHECK(std::regex_match(std::string("a 1e+06"), sample_line));
  CHECK(std::regex_match(std::string("a +Inf"), sample_line));
  CHECK_FALSE(std::regex_match(std::string(R"(a{x="unescaped"quote"} 1)"), sample_line));
  CHECK_FALSE(std::regex_match(std::string(R"(a{x="bad\escape"} 1)"), sample_line));
  CHECK_FALSE(std::regex_match(std::string("a{x=1} 1"), sample_line));
  CHECK_FALSE(std::regex_match(std::string("a"), sample_line));
  CHECK_FALSE(std::regex_match(std::string("1a 1"), sample_line));
}

TEST_CASE("metrics: a fresh instance renders every family with zero values", "[controller][metrics]") {
  const metrics m;
  const std::string text = m.render();
  check_text_format(text);
  CHECK(has_line(text, "# TYPE rcplan_reconcile_total counter"));
  CHECK(has_line(text, "# TYPE rcplan_reconcile_duration_seconds histogram"));
  CHECK(has_line(text, "rcplan_reconcile_duration_seconds_bucket{le=\"+Inf\"} 0"));
  CHECK(has_line(text, "rcplan_reconcile_duration_seconds_count 0"));
  CHECK(has_line(text, "rcplan_slots_moved_total 0"));
  CHECK(has_line(text, "rcplan_keys_moved_total 0"));
  CHECK(has_line(text, "rcplan_leader 0"));
  CHECK(text.find("rcplan_reconcile_total{") == std::string::npos);
  CHECK(text.find("rcplan_cluster_status{") == std::string::npos);
}

TEST_CASE("metrics: reconcile counts by result and a cumulative duration histogram", "[controller][metrics]") {
  using seconds = std::chrono::duration<double>;
  metrics m;
  m.count_reconcile("converged", seconds(0.02));
  m.count_reconcile("converged", seconds(0.02));
  m.count_reconcile("error", seconds(0.5));  // on a bound: buckets are `<=`
  m.count_reconcile("progressing", seconds(7));
  m.count_reconcile("waiting", seconds(1000));  // above every bound: only +Inf
  const std::string text = m.render();
  check_text_format(text);

  CHECK(has_line(text, R"(rcplan_reconcile_total{result="converged"} 2)"));
  CHECK(has_line(text, R"(rcplan_reconcile_total{result="error"} 1)"));
  CHECK(has_line(text, R"(rcplan_reconcile_total{result="progressing"} 1)"));
  CHECK(has_line(text, R"(rcplan_reconcile_total{result="waiting"} 1)"));

  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="0.05"} 2)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="0.25"} 2)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="0.5"} 3)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="5"} 3)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="10"} 4)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="300"} 4)"));
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="+Inf"} 5)"));
  CHECK(has_line(text, "rcplan_reconcile_duration_seconds_count 5"));
  const auto sum = value_of(text, "rcplan_reconcile_duration_seconds_sum");
  REQUIRE(sum.has_value());
  CHECK(*sum == Approx(1007.54).epsilon(1e-4));

  // Every bound of the histogram appears once, in rising order, with counts never falling,
  // and +Inf (last) equal to _count.
  const auto& bounds = metrics::duration_buckets();
  std::vector<double> les;
  std::vector<double> counts;
  const std::regex bucket(R"re(rcplan_reconcile_duration_seconds_bucket\{le="([^"]+)"\} (.+))re");
  for (const auto& l : lines_of(text)) {
    std::smatch b;
    if (!std::regex_match(l, b, bucket)) continue;
    les.push_back(b[1].str() == "+Inf" ? -1 : std::stod(b[1].str()));
    counts.push_back(std::stod(b[2].str()));
  }
  REQUIRE(les.size() == bounds.size() + 1);
  for (std::size_t i = 0; i < bounds.size(); ++i) CHECK(les[i] == Approx(bounds[i]));
  CHECK(les.back() == -1);  // +Inf
  for (std::size_t i = 1; i < counts.size(); ++i) CHECK(counts[i - 1] <= counts[i]);
  CHECK(counts.back() == *value_of(text, "rcplan_reconcile_duration_seconds_count"));
}

TEST_CASE("metrics: the duration sum keeps every digit as it grows", "[controller][metrics]") {
  // rate(_sum) needs each pass to change the sum; six significant digits would freeze it
  // once it passes a million seconds.
  metrics m;
  m.count_reconcile("converged", std::chrono::duration<double>(1234567.25));
  m.count_reconcile("converged", std::chrono::duration<double>(0.5));
  const std::string text = m.render();
  check_text_format(text);
  const auto sum = value_of(text, "rcplan_reconcile_duration_seconds_sum");
  REQUIRE(sum.has_value());
  CHECK(*sum == 1234567.75);
  // Bucket bounds stay short.
  CHECK(has_line(text, R"(rcplan_reconcile_duration_seconds_bucket{le="0.05"} 0)"));
}

TEST_CASE("metrics: moved slots and keys add up", "[controller][metrics]") {
  metrics m;
  m.add_moved(100, 2000);
  m.add_moved(28, 5);
  const std::string text = m.render();
  check_text_format(text);
  CHECK(has_line(text, "rcplan_slots_moved_total 128"));
  CHECK(has_line(text, "rcplan_keys_moved_total 2005"));
}

TEST_CASE("metrics: clusters, their status and masters, and forgetting one", "[controller][metrics]") {
  metrics m;
  m.set_cluster("prod", "cache", "Creating", 3);
  m.set_cluster("prod", "cache", "Healthy", 4);  // replaces, does not add a second status
  m.set_cluster("dev", "sessions", "Failed", 1);
  std::string text = m.render();
  check_text_format(text);
  CHECK(has_line(text, R"(rcplan_cluster_status{namespace="prod",name="cache",status="Healthy"} 1)"));
  CHECK(text.find(R"(status="Creating")") == std::string::npos);
  CHECK(has_line(text, R"(rcplan_cluster_masters{namespace="prod",name="cache"} 4)"));
  CHECK(has_line(text, R"(rcplan_cluster_status{namespace="dev",name="sessions",status="Failed"} 1)"));
  CHECK(has_line(text, R"(rcplan_cluster_masters{namespace="dev",name="sessions"} 1)"));

  m.forget_cluster("prod", "cache");
  m.forget_cluster("prod", "never-there");  // harmless
  text = m.render();
  check_text_format(text);
  CHECK(text.find(R"(name="cache")") == std::string::npos);
  CHECK(has_line(text, R"(rcplan_cluster_status{namespace="dev",name="sessions",status="Failed"} 1)"));
  CHECK(has_line(text, R"(rcplan_cluster_masters{namespace="dev",name="sessions"} 1)"));
}

TEST_CASE("metrics: label values escape quote, backslash and newline", "[controller][metrics]") {
  metrics m;
  m.set_cluster("n\"s", "we\"ird\\na\nme", "Bad \"one\"", 2);
  m.count_reconcile("odd\\\"\n", std::chrono::duration<double>(0.1));
  const std::string text = m.render();
  check_text_format(text);  // a raw newline would split a sample and fail here
  CHECK(has_line(text, R"(rcplan_cluster_status{namespace="n\"s",name="we\"ird\\na\nme",status="Bad \"one\""} 1)"));
  CHECK(has_line(text, R"(rcplan_cluster_masters{namespace="n\"s",name="we\"ird\\na\nme"} 2)"));
  CHECK(has_line(text, R"(rcplan_reconcile_total{result="odd\\\"\n"} 1)"));
}

TEST_CASE("metrics: the leader gauge follows set_leader", "[controller][metrics]") {
  metrics m;
  m.set_leader(true);
  std::string text = m.render();
  check_text_format(text);
  CHECK(has_line(text, "rcplan_leader 1"));
  CHECK_FALSE(has_line(text, "rcplan_leader 0"));
  m.set_leader(false);
  text = m.render();
  CHECK(has_line(text, "rcplan_leader 0"));
}

TEST_CASE("metrics: families and series come in a fixed order", "[controller][metrics]") {
  metrics a;
  metrics b;
  // The same state reached in different orders renders the same page.
  a.set_cluster("x", "2", "Healthy", 3);
  a.set_cluster("x", "1", "Healthy", 3);
  a.count_reconcile("waiting", std::chrono::duration<double>(0.2));
  a.count_reconcile("converged", std::chrono::duration<double>(0.2));
  b.count_reconcile("converged", std::chrono::duration<double>(0.2));
  b.count_reconcile("waiting", std::chrono::duration<double>(0.2));
  b.set_cluster("x", "1", "Healthy", 3);
  b.set_cluster("x", "2", "Healthy", 3);
  CHECK(a.render() == b.render());

  std::vector<std::string> families;
  for (const auto& l : lines_of(a.render()))
    if (l.rfind("# TYPE ", 0) == 0) families.push_back(l.substr(7, l.find(' ', 7) - 7));
  CHECK(families == std::vector<std::string>{"rcplan_reconcile_total", "rcplan_reconcile_duration_seconds",
                                             "rcplan_slots_moved_total", "rcplan_keys_moved_total",
                                             "rcplan_cluster_status", "rcplan_cluster_masters", "rcplan_leader"});
}
