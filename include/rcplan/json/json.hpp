#pragma once

// The JSON layer in one include (target rcplan::json): to_json/from_json for the observed
// topology, for plans and their actions (Kubernetes objects included), and for the desired
// spec. See each header for the shapes; the machinery behind them is in rcplan/json/detail/.

#include <rcplan/json/backup.hpp>
#include <rcplan/json/kube_objects.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/json/spec.hpp>
#include <rcplan/json/text.hpp>
