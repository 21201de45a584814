#pragma once

// Reading the desired DistributedRedisCluster: YAML or JSON, a whole resource or a bare spec.

#include <rcplan/spec/spec.hpp>

#include <string>

namespace rcplan::cli {

/// The resource in `path` ("-": standard input), as written (no defaults applied). Throws
/// input_error naming the file and, for a malformed field, the field's path.
[[nodiscard]] cluster_resource read_resource(const std::string& path);

/// Like read_resource(), and also refuses a spec that validate() finds errors in, naming each
/// offending field. For the commands that act on a cluster: nothing is touched before this.
[[nodiscard]] cluster_resource read_valid_resource(const std::string& path);

}  // namespace rcplan::cli
