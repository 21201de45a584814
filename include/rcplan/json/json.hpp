#pragma once

// The JSON layer in one include (target rcplan::json): to_json/from_json for the observed
// topology, for plans and their actions, and for the desired spec. See each header for the
// shapes.

#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/spec.hpp>
