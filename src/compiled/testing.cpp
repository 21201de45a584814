// rcplan::testing_compiled: the testing kit's generators, compiled once (see rcplan/config.hpp).
// One translation unit: the generators share their detail helpers.
#include <rcplan/testing/impl/gen_model.hpp>
#include <rcplan/testing/impl/gen_plan.hpp>
#include <rcplan/testing/impl/gen_spec.hpp>
#include <rcplan/testing/impl/gen_topology.hpp>
