#pragma once

// to_json/from_json for backups: the manifest written beside a backup's RDB files (camelCase,
// like the resources), the sources plan_backup() chose and where plan_restore() puts the files.
//
//   {"format": 1, "cluster": "demo", "takenAt": "2026-12-03T10:00:00Z", "redisVersion": "7.0.15",
//    "shards": [{"index": 0, "slots": [[0, 5460]], "source": "<node id>", "fromReplica": true,
//                "keys": 66712, "rdbBytes": 1048576, "sha256": "<64 hex>", "file": "shard-0.rdb"}]}

#include <rcplan/json/detail/codecs.hpp>
#include <rcplan/json/detail/record.hpp>
#include <rcplan/json/model.hpp>
#include <rcplan/json/plan.hpp>
#include <rcplan/planner/backup.hpp>
#include <rcplan/planner/restore.hpp>

#include <tuple>

namespace rcplan::json_detail {

template <> inline constexpr auto fields_of<backup_shard> = std::tuple{required("index", &backup_shard::index),
    required("slots", &backup_shard::slots), defaulted("source", &backup_shard::source),
    defaulted("fromReplica", &backup_shard::from_replica), defaulted("keys", &backup_shard::keys),
    defaulted("rdbBytes", &backup_shard::rdb_bytes), required("sha256", &backup_shard::sha256),
    required("file", &backup_shard::file)};

template <> inline constexpr auto fields_of<backup_manifest> = std::tuple{required("format", &backup_manifest::format),
    defaulted("cluster", &backup_manifest::cluster), defaulted("takenAt", &backup_manifest::taken_at),
    defaulted("redisVersion", &backup_manifest::redis_version), required("shards", &backup_manifest::shards)};

template <> inline constexpr auto fields_of<snapshot_source> = std::tuple{required("shard", &snapshot_source::shard),
    required("slots", &snapshot_source::slots), required("master", &snapshot_source::master),
    required("node", &snapshot_source::node), required("addr", &snapshot_source::addr),
    defaulted("replica", &snapshot_source::replica)};

template <> inline constexpr auto fields_of<restore_placement> = std::tuple{
    required("shard", &restore_placement::shard), required("file", &restore_placement::file),
    required("sha256", &restore_placement::sha256), defaulted("keys", &restore_placement::keys),
    required("statefulSet", &restore_placement::statefulset), required("pod", &restore_placement::pod)};

template <> inline constexpr auto fields_of<restore_plan> = std::tuple{required("status", &restore_plan::status),
    defaulted("shardsAtStart", &restore_plan::shards_at_start), defaulted("masters", &restore_plan::masters),
    defaulted("placements", &restore_plan::placements), defaulted("diagnostics", &restore_plan::diagnostics)};

}  // namespace rcplan::json_detail

// The records above, compiled once under rcplan::compiled (see json/detail/record.hpp).
#define RCPLAN_JSON_BACKUP_RECORDS(X) X(backup_shard) X(backup_manifest) X(snapshot_source) \
  X(restore_placement) X(restore_plan)
namespace rcplan {
RCPLAN_JSON_BACKUP_RECORDS(RCPLAN_JSON_COMPILED)
}  // namespace rcplan
