// rcplan::compiled: the backup and restore planners, compiled once (see rcplan/config.hpp).
#include <rcplan/planner/impl/backup.hpp>
#include <rcplan/planner/impl/restore.hpp>
