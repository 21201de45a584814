#pragma once

// The definitions of what rcplan/spec/validate.hpp declares: included by that header
// when header-only, compiled once into rcplan::compiled otherwise (rcplan/config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/spec/validate.hpp>

namespace rcplan {

RCPLAN_ENTRY std::vector<diagnostic> validate(const cluster_spec& spec) {
  spec_detail::spec_findings f;
  const std::int32_t masters = master_count(spec);
  const std::int32_t replicas = replica_count(spec);

  if (masters < 1)
    f.error(spec_code::master_size_invalid, "spec.masterSize",
            "masterSize is " + std::to_string(masters) + "; a cluster needs at least 1 master");
  else if (masters > static_cast<std::int32_t>(slot_count))
    f.error(spec_code::master_size_too_large, "spec.masterSize",
            "masterSize is " + std::to_string(masters) + "; a cluster has " + std::to_string(slot_count) +
                " slots, and every master needs at least one");
  else if (masters < 3)
    f.warning(spec_code::master_size_no_majority, "spec.masterSize",
              "with " + std::to_string(masters) +
                  " master(s) there is no majority left to fail over when one master is lost; use 3 or more");
  else if (masters > 10)
    f.warning(spec_code::master_size_above_original_limit, "spec.masterSize",
              "masterSize " + std::to_string(masters) +
                  " is above 10, which the original operator's resource definition rejects");

  if (replicas < 0)
    f.error(spec_code::cluster_replicas_invalid, "spec.clusterReplicas",
            "clusterReplicas is " + std::to_string(replicas) + "; it must be 0 or more");
  else if (replicas == 0)
    f.warning(spec_code::no_replicas, "spec.clusterReplicas",
              "clusterReplicas is 0: a failed master cannot fail over and its slots become unavailable");
  else if (replicas > 3)
    f.warning(spec_code::cluster_replicas_above_original_limit, "spec.clusterReplicas",
              "clusterReplicas " + std::to_string(replicas) +
                  " is above 3, which the original operator's resource definition rejects");

  // 64-bit: masterSize and clusterReplicas near INT32_MAX must not wrap before they are judged
  const std::int64_t nodes = static_cast<std::int64_t>(masters) * (1 + static_cast<std::int64_t>(replicas));
  if (masters >= 1 && replicas >= 0 && masters <= static_cast<std::int32_t>(slot_count)) {
    if (nodes > max_cluster_nodes)
      f.error(spec_code::cluster_too_large, "spec.clusterReplicas",
              std::to_string(masters) + " masters with " + std::to_string(replicas) + " replicas each make " +
                  std::to_string(nodes) + " nodes; rcplan plans clusters of up to " +
                  std::to_string(max_cluster_nodes) + " nodes");
    else if (nodes > recommended_cluster_nodes)
      f.warning(spec_code::cluster_above_recommended_size, "spec.masterSize",
                std::to_string(nodes) + " nodes is above the " + std::to_string(recommended_cluster_nodes) +
                    " that Redis Cluster is designed for; its gossip grows with the square of the nodes");
  }

  for (std::size_t i = 0; i < spec.image_pull_secrets.size(); ++i)
    if (spec.image_pull_secrets[i].name.empty())
      f.error(spec_code::secret_name_empty, "spec.imagePullSecrets[" + std::to_string(i) + "].name",
              "an image pull secret needs a name");

  for (const auto& [key, text] : spec.config) {
    // the value may be a password (requirepass, masterauth): never quoted
    if (text.find_first_of("\r\n") != std::string::npos)
      f.error(spec_code::config_value_invalid, "spec.config." + key,
              "the value of `" + key + "` holds a line break, which would end its redis.conf line");
    if (is_reserved_config_key(key)) {
      const std::string lower = config_key_lower(key);
      const bool auth = lower == "requirepass" || lower == "masterauth";
      f.error(spec_code::config_key_reserved, "spec.config." + key,
              "redis.conf directive `" + key + "` is managed by rcplan and cannot be set through config" +
                  (auth ? "; set the password through passwordSecret" : ""));
    } else if (!is_known_config_key(key)) {
      f.error(spec_code::config_key_unknown, "spec.config." + key,
              "`" + key + "` is not a redis.conf directive: redis-server would refuse to start");
    }
  }

  const bool ephemeral = !spec.storage || spec.storage->type == storage_ephemeral;
  if (spec.storage) {
    const auto& st = *spec.storage;
    if (st.type != storage_persistent_claim && st.type != storage_ephemeral)
      f.error(spec_code::storage_type_invalid, "spec.storage.type",
              (st.type.empty() ? std::string("storage type is missing")
                               : "storage type \"" + st.type + "\" is unknown") +
                  "; use persistent-claim or ephemeral");
    if (st.size.empty()) {
      if (st.type == storage_persistent_claim)
        f.error(spec_code::storage_size_missing, "spec.storage.size",
                "a persistent-claim storage needs a size, like 10Gi");
    } else {
      (void)spec_detail::check_quantity(f, "spec.storage.size", st.size);
    }
  }
  if (ephemeral && replicas == 0)
    f.warning(spec_code::ephemeral_without_replicas, "spec.storage",
              std::string(spec.storage ? "ephemeral storage" : "no storage (ephemeral)") +
                  " with clusterReplicas 0: a restarted pod comes back empty and its data is lost");

  if (spec.resources) spec_detail::check_resources(f, "spec.resources", *spec.resources);

  if (spec.password_secret && spec.password_secret->name.empty())
    f.error(spec_code::secret_name_empty, "spec.passwordSecret.name",
            "passwordSecret needs the name of a Secret holding the password");

  if (!spec.username.empty()) {
    if (!acl_user_name_ok(spec.username))
      f.error(spec_code::username_invalid, "spec.username", "an ACL user name holds no space, quote or control character");
    if (!spec.password_secret)
      f.error(spec_code::username_without_password, "spec.username",
              "username needs passwordSecret: an ACL user without a password would let anyone in");
  }

  if (spec.monitor) {
    if (spec.monitor->prometheus && spec.monitor->prometheus->port) {
      const auto port = *spec.monitor->prometheus->port;
      if (port < 1 || port > 65535)
        f.error(spec_code::port_invalid, "spec.monitor.prometheus.port",
                "port " + std::to_string(port) + " is outside 1..65535");
    }
    if (spec.monitor->resources) spec_detail::check_resources(f, "spec.monitor.resources", *spec.monitor->resources);
  }

  if (spec.init && spec.init->backup_source && spec.init->backup_source->name.empty())
    f.error(spec_code::backup_source_name_empty, "spec.init.backupSource.name",
            "a restore needs the name of the RedisClusterBackup to restore from");

  // --- rcplan's extensions ---
  for (const auto& [shard, weight] : spec.shard_weights) {
    const auto subject = "spec.shardWeights[" + std::to_string(shard) + "]";
    if (!valid_weight(weight))
      f.error(spec_code::shard_weight_invalid, subject, "a weight must be " + weight_range_text());
    if (shard < 0 || shard >= masters)
      f.error(spec_code::shard_weight_out_of_range, subject,
              "shard " + std::to_string(shard) + " does not exist: masterSize is " + std::to_string(masters) +
                  ", so shards are numbered 0.." + std::to_string(masters - 1));
  }
  if (masters >= 1 && !spec.shard_weights.empty()) {
    bool any_positive = false;
    for (std::int32_t s = 0; s < masters && !any_positive; ++s) any_positive = shard_weight(spec, s) > 0;
    if (!any_positive)
      f.error(spec_code::shard_weights_all_zero, "spec.shardWeights",
              "every shard has weight 0, so no shard could hold the 16384 slots");
  }

  const double threshold = spec.rebalance.threshold_percent;
  if (!(threshold >= 0 && threshold <= 100))
    f.error(spec_code::rebalance_threshold_invalid, "spec.rebalance.thresholdPercent",
            "the rebalance threshold is a percentage and must lie within 0..100");

  if (spec.migration.max_concurrent_migrations < 1)
    f.error(spec_code::migration_concurrency_invalid, "spec.migration.maxConcurrentMigrations",
            "at least 1 migration must be allowed to run at a time");
  if (spec.migration.max_migrations_per_node < 1)
    f.error(spec_code::migration_concurrency_invalid, "spec.migration.maxMigrationsPerNode",
            "a master must be allowed to take part in at least 1 migration at a time");
  if (spec.migration.key_batch_size < 1)
    f.error(spec_code::migration_batch_size_invalid, "spec.migration.keyBatchSize",
            "MIGRATE must move at least 1 key per batch");
  if (spec.migration.migrate_timeout_ms < 1)
    f.error(spec_code::migration_timeout_invalid, "spec.migration.migrateTimeoutMs",
            "the MIGRATE timeout must be at least 1 ms (0 would mean no timeout at all)");
  if (spec.migration.step_timeout_seconds < 1)
    f.error(spec_code::migration_timeout_invalid, "spec.migration.stepTimeoutSeconds",
            "a step timeout must be at least 1 second");
  if (!(spec.migration.latency_budget_ms >= 0.0 && spec.migration.latency_budget_ms <= max_latency_budget_ms))
    f.error(spec_code::migration_pace_invalid, "spec.migration.latencyBudgetMs",
            "the latency budget is in milliseconds and must lie within 0..60000 (0: unpaced)");
  if (spec.migration.max_keys_per_second < 0)
    f.error(spec_code::migration_pace_invalid, "spec.migration.maxKeysPerSecond",
            "the key rate cap must not be negative (0: none)");

  if (spec.failover.allow_takeover)
    f.warning(spec_code::takeover_allowed, "spec.failover.allowTakeover",
              "TAKEOVER promotes a replica without a majority vote; during a partition two masters may "
              "accept writes for the same slots and one side's writes are lost");
  if (spec.failover.allow_data_loss)
    f.warning(spec_code::data_loss_allowed, "spec.failover.allowDataLoss",
              "plans may promote a lagging replica or give up a shard's data to make progress");

  spec_detail::report_unknown(f, "spec", spec.unknown_fields, false);
  spec_detail::report_unknown(f, "spec.placement", spec.placement.unknown_fields, true);
  spec_detail::report_unknown(f, "spec.rebalance", spec.rebalance.unknown_fields, true);
  spec_detail::report_unknown(f, "spec.migration", spec.migration.unknown_fields, true);
  spec_detail::report_unknown(f, "spec.failover", spec.failover.unknown_fields, true);

  return std::move(f).take();
}

RCPLAN_ENTRY std::vector<diagnostic> validate(const cluster_resource& r) {
  std::vector<diagnostic> out;
  const std::string& name = r.metadata.name;
  const auto label_char = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; };
  if (name.empty())
    out.push_back({severity::error, spec_code::name_invalid, "metadata.name",
                   "the resource needs a name: every object it creates is named after it"});
  else if (name.size() > 50 || !(name.front() >= 'a' && name.front() <= 'z') || name.back() == '-' ||
           !std::all_of(name.begin(), name.end(), label_char))
    out.push_back({severity::error, spec_code::name_invalid, "metadata.name",
                   "the name \"" + name +
                       "\" is not a DNS label of at most 50 characters (a-z, 0-9 and '-', starting with a letter, "
                       "not ending with '-')"});
  std::vector<diagnostic> rest = validate(r.spec);
  out.insert(out.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  return out;
}

RCPLAN_ENTRY std::vector<diagnostic> validate(const backup_spec& spec) {
  spec_detail::spec_findings f;
  if (spec.redis_cluster_name.empty())
    f.error(spec_code::backup_cluster_name_missing, "spec.redisClusterName",
            "a backup needs the name of the DistributedRedisCluster to back up");
  bool has_backend = spec.s3.has_value();
  for (const char* other : {"gcs", "azure", "swift", "local"})
    has_backend = has_backend || spec.unknown_fields.find(other) != nullptr;
  if (!has_backend)
    f.error(spec_code::backup_storage_missing, "spec",
            "no storage backend is configured (s3, gcs, azure, swift or local)");
  if (spec.storage && !spec.storage->size.empty())
    (void)spec_detail::check_quantity(f, "spec.storage.size", spec.storage->size);
  return std::move(f).take();
}

}  // namespace rcplan
