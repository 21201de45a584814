#include "spec_input.hpp"

#include "exit.hpp"
#include "io.hpp"
#include <rcplan/yaml/yaml.hpp>

#include <rcplan/error.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/spec/validate.hpp>

namespace rcplan::cli {

cluster_resource read_resource(const std::string& path) {
  const std::string text = read_input(path);
  try {
    // YAML is a superset of JSON: one reader takes both
    return load_cluster_resource(yaml::parse_yaml(text));
  } catch (const rcplan::error& e) {
    throw input_error(input_name(path) + ": " + e.what());
  }
}

cluster_resource read_valid_resource(const std::string& path) {
  cluster_resource r = read_resource(path);
  std::string errors;
  for (const diagnostic& d : validate(r)) {
    if (d.severity != severity::error) continue;
    errors += "\n  " + (d.subject.empty() ? std::string{"spec"} : d.subject) + ": " + d.message + " [" + d.code + "]";
  }
  if (!errors.empty()) throw input_error(input_name(path) + ": the spec is not valid:" + errors);
  return r;
}

}  // namespace rcplan::cli
