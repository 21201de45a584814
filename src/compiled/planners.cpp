// rcplan::compiled: the slot planners (rebalance, repair, fix, slot and key transfers), master
// placement, shard mapping and the topology check, compiled once (see rcplan/config.hpp).
#include <rcplan/planner/impl/check.hpp>
#include <rcplan/planner/impl/fix.hpp>
#include <rcplan/planner/impl/key_moves.hpp>
#include <rcplan/planner/impl/placement.hpp>
#include <rcplan/planner/impl/rebalance.hpp>
#include <rcplan/planner/impl/repair.hpp>
#include <rcplan/planner/impl/shards.hpp>
#include <rcplan/planner/impl/slot_moves.hpp>
