// rcplan::compiled: the spec's validation, the Kubernetes objects a resource wants, its status,
// and the lowering of actions to Redis commands, compiled once (see rcplan/config.hpp).
#include <rcplan/plan/impl/lower.hpp>
#include <rcplan/planner/impl/objects.hpp>
#include <rcplan/planner/impl/status.hpp>
#include <rcplan/spec/impl/validate.hpp>
