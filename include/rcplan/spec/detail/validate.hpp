#pragma once

// The machinery of validate(): the findings collector, reserved config keys, quantity and
// resource checks, unknown-field reports.

#include <rcplan/diagnostic.hpp>
#include <rcplan/spec/codes.hpp>
#include <rcplan/spec/config_keys.hpp>
#include <rcplan/spec/quantity.hpp>
#include <rcplan/spec/spec.hpp>
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rcplan::spec_detail {

class spec_findings {
 public:
  void error(const char* code, std::string subject, std::string message) {
    add(severity::error, code, std::move(subject), std::move(message));
  }
  void warning(const char* code, std::string subject, std::string message) {
    add(severity::warning, code, std::move(subject), std::move(message));
  }
  void info(const char* code, std::string subject, std::string message) {
    add(severity::info, code, std::move(subject), std::move(message));
  }
  [[nodiscard]] std::vector<diagnostic> take() && { return std::move(out_); }

 private:
  void add(rcplan::severity s, const char* code, std::string subject, std::string message) {
    out_.push_back(diagnostic{s, code, std::move(subject), std::move(message)});
  }
  std::vector<diagnostic> out_;
};

[[nodiscard]] inline std::optional<quantity> check_quantity(spec_findings& f, const std::string& subject,
                                                            const std::string& text) {
  const auto q = parse_quantity(text);
  if (!q) {
    f.error(spec_code::quantity_invalid, subject,
            "\"" + text + "\" is not a Kubernetes quantity (like 10Gi, 500m or 1e3)");
    return std::nullopt;
  }
  if (q->amount < 0) {
    f.error(spec_code::quantity_negative, subject, "\"" + text + "\" must not be negative");
    return std::nullopt;
  }
  return q;
}

inline void check_resources(spec_findings& f, const std::string& prefix, const resource_requirements& r) {
  std::map<std::string, quantity> requests;
  for (const auto& [name, text] : r.requests)
    if (auto q = check_quantity(f, prefix + ".requests." + name, text)) requests.emplace(name, *q);
  std::map<std::string, quantity> limits;
  for (const auto& [name, text] : r.limits)
    if (auto q = check_quantity(f, prefix + ".limits." + name, text)) limits.emplace(name, *q);
  for (const auto& [name, request] : requests) {
    const auto lim = limits.find(name);
    if (lim != limits.end() && request > lim->second)
      f.error(spec_code::requests_exceed_limits, prefix + ".requests." + name,
              "request " + r.requests.at(name) + " for " + name + " exceeds its limit " + r.limits.at(name) +
                  "; Kubernetes rejects such a pod");
  }
}

inline void report_unknown(spec_findings& f, const std::string& prefix, const value& unknown, bool own_object) {
  if (!unknown.is_object()) return;
  for (const auto& [key, v] : unknown.as_object()) {
    (void)v;
    if (own_object)
      f.warning(spec_code::unknown_field, prefix + "." + key,
                "rcplan does not know this field and ignores it; a misspelt setting falls back to its default");
    else
      f.info(spec_code::unknown_field, prefix + "." + key, "not interpreted by rcplan; kept as written");
  }
}

}  // namespace rcplan::spec_detail
