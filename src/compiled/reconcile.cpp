// rcplan::compiled: reconcile() and its phases, compiled once (see rcplan/config.hpp).
#include <rcplan/planner/reconcile.hpp>
#include <rcplan/planner/impl/reconcile.hpp>
