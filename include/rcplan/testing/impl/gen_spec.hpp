#pragma once

// What rcplan/testing/gen_spec.hpp declares, the spec and resource generators: included by that
// header when header-only, compiled once into rcplan::testing_compiled otherwise (config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/testing/gen_spec.hpp>

#include <rapidcheck.h>

namespace rcplan::testing {

namespace detail {

[[nodiscard]] inline rc::Gen<std::string> gen_word(std::size_t min_size = 0) {
  return rc::gen::exec([min_size] {
    const auto size = static_cast<std::size_t>(*rc::gen::inRange<int>(static_cast<int>(min_size), 9));
    std::string s;
    for (std::size_t i = 0; i < size; ++i) s += *rc::gen::elementOf(std::string("abcxyz019-._"));
    return s;
  });
}

/// A DNS label, as Kubernetes names are.
[[nodiscard]] inline rc::Gen<std::string> gen_name() {
  return rc::gen::exec([] {
    std::string s(1, *rc::gen::elementOf(std::string("abcdefrs")));
    const auto size = *rc::gen::inRange<int>(0, 12);
    for (int i = 0; i < size; ++i) s += *rc::gen::elementOf(std::string("abcdefrs0129-"));
    if (s.back() == '-') s.back() = 'x';
    return s;
  });
}

[[nodiscard]] inline rc::Gen<std::map<std::string, std::string>> gen_string_map(std::string key_prefix = "") {
  return rc::gen::exec([key_prefix] {
    std::map<std::string, std::string> m;
    const auto n = *rc::gen::inRange<int>(0, 4);
    for (int i = 0; i < n; ++i) m[key_prefix + *gen_name()] = *gen_word();
    return m;
  });
}

[[nodiscard]] inline rc::Gen<std::vector<std::string>> gen_words() {
  return rc::gen::container<std::vector<std::string>>(gen_word());
}

}  // namespace detail

RCPLAN_TESTING_ENTRY rc::Gen<value> gen_value(int depth) {
  return rc::gen::exec([depth] {
    switch (*rc::gen::inRange(0, depth > 0 ? 7 : 5)) {
      case 0: return value();
      case 1: return value(*rc::gen::arbitrary<bool>());
      case 2: return value(*rc::gen::arbitrary<std::int64_t>());
      case 3: return value(static_cast<double>(*rc::gen::inRange(-4000, 4000)) / 8.0);
      case 4: return value(*detail::gen_word());
      case 5: {
        value::array a;
        const auto n = *rc::gen::inRange(0, 4);
        for (int i = 0; i < n; ++i) a.push_back(*gen_value(depth - 1));
        return value(std::move(a));
      }
      default: {
        std::map<std::string, value> sorted;
        const auto n = *rc::gen::inRange(0, 4);
        for (int i = 0; i < n; ++i) sorted[*detail::gen_name()] = *gen_value(depth - 1);
        return value(value::object(sorted.begin(), sorted.end()));
      }
    }
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<value> gen_object(int depth, std::string key_prefix) {
  return rc::gen::exec([depth, key_prefix] {
    std::map<std::string, value> sorted;
    const auto n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n; ++i) sorted[key_prefix + *detail::gen_name()] = *gen_value(depth - 1);
    return value(value::object(sorted.begin(), sorted.end()));
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<value> gen_unknown_fields() {
  return rc::gen::exec([] {
    if (*rc::gen::inRange(0, 3) != 0) return value();
    auto v = *gen_object(2, "x-");
    if (v.as_object().empty()) v.set("x-extra", value(*detail::gen_word()));
    return v;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<resource_requirements> gen_resources() {
  return rc::gen::exec([] {
    resource_requirements r;
    const auto cpu = *rc::gen::inRange(1, 4000);
    const auto mem = *rc::gen::inRange(1, 8192);
    const bool requests = *rc::gen::arbitrary<bool>();
    const bool limits = *rc::gen::arbitrary<bool>();
    if (requests) r.requests = {{"cpu", std::to_string(cpu) + "m"}, {"memory", std::to_string(mem) + "Mi"}};
    if (limits) {
      const auto extra_cpu = *rc::gen::inRange(0, 2000);
      r.limits = {{"cpu", std::to_string(cpu + extra_cpu) + "m"}};
      // the same amount in other units, so that ordering across suffixes is exercised
      if (*rc::gen::arbitrary<bool>() && mem % 1024 == 0)
        r.limits["memory"] = std::to_string(mem / 1024) + "Gi";
      else
        r.limits["memory"] = std::to_string(static_cast<std::int64_t>(mem) * 1048576);
    }
    r.unknown_fields = *gen_unknown_fields();
    return r;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<cluster_spec> gen_cluster_spec() {
  return rc::gen::exec([] {
    namespace d = detail;
    cluster_spec s;
    s.image = *rc::gen::element<std::string>("", "redis:5.0.4-alpine", "redis:7.0", "registry.local/redis:6.2");
    s.image_pull_policy = *rc::gen::element<std::string>("", "Always", "IfNotPresent", "Never");
    const auto secrets = *rc::gen::inRange(0, 3);
    for (int i = 0; i < secrets; ++i) s.image_pull_secrets.push_back({*d::gen_name(), *gen_unknown_fields()});
    s.command = *d::gen_words();
    if (*rc::gen::arbitrary<bool>()) {
      value::array env;
      const auto n = *rc::gen::inRange(0, 3);
      for (int i = 0; i < n; ++i)
        env.push_back(value(value::object{{"name", value(*d::gen_name())}, {"value", value(*d::gen_word())}}));
      s.env = value(std::move(env));
    }
    if (*rc::gen::arbitrary<bool>()) s.master_size = *rc::gen::inRange(1, 13);
    if (*rc::gen::arbitrary<bool>()) s.cluster_replicas = *rc::gen::inRange(0, 5);
    if (*rc::gen::arbitrary<bool>()) s.service_name = *d::gen_name();
    const auto config = *rc::gen::inRange(0, 4);
    for (int i = 0; i < config; ++i)
      s.config[*rc::gen::element<std::string>("maxmemory", "maxmemory-policy", "appendonly", "save", "hz",
                                              "timeout", "notify-keyspace-events")] = *d::gen_word();
    s.required_anti_affinity = *rc::gen::arbitrary<bool>();
    if (*rc::gen::arbitrary<bool>()) s.affinity = *gen_object();
    s.node_selector = *d::gen_string_map();
    if (*rc::gen::arbitrary<bool>()) s.tolerations = value(value::array{*gen_object(), *gen_object()});
    if (*rc::gen::arbitrary<bool>()) s.security_context = *gen_object();
    if (*rc::gen::arbitrary<bool>()) s.container_security_context = *gen_object();
    s.annotations = *d::gen_string_map("example.com/");
    if (*rc::gen::arbitrary<bool>()) {
      storage_spec st;
      st.type = *rc::gen::element<std::string>(storage_persistent_claim, storage_ephemeral);
      if (st.type == storage_persistent_claim || *rc::gen::arbitrary<bool>())
        st.size = *rc::gen::element<std::string>("1Gi", "10Gi", "500Mi", "1e9", "2T", "1.5Gi", "100k");
      if (*rc::gen::arbitrary<bool>()) st.class_name = *d::gen_name();
      st.delete_claim = *rc::gen::arbitrary<bool>();
      st.unknown_fields = *gen_unknown_fields();
      s.storage = std::move(st);
    }
    if (*rc::gen::arbitrary<bool>()) s.resources = *gen_resources();
    if (*rc::gen::arbitrary<bool>()) {
      s.password_secret = local_object_reference{*d::gen_name(), value()};
      if (*rc::gen::arbitrary<bool>()) s.username = *d::gen_name();
    }
    if (*rc::gen::arbitrary<bool>()) {
      monitor_spec m;
      m.image = *rc::gen::element<std::string>("", "oliver006/redis_exporter:v1.3.1");
      if (*rc::gen::arbitrary<bool>()) {
        prometheus_spec p;
        if (*rc::gen::arbitrary<bool>()) p.port = *rc::gen::inRange(1, 65536);
        p.namespace_ = *rc::gen::element<std::string>("", "monitoring");
        p.labels = *d::gen_string_map();
        p.interval = *rc::gen::element<std::string>("", "30s", "1m");
        m.prometheus = std::move(p);
      }
      m.args = *d::gen_words();
      if (*rc::gen::arbitrary<bool>()) m.env = value(value::array{});
      if (*rc::gen::arbitrary<bool>()) m.resources = *gen_resources();
      if (*rc::gen::arbitrary<bool>()) m.security_context = *gen_object();
      m.unknown_fields = *gen_unknown_fields();
      s.monitor = std::move(m);
    }
    if (*rc::gen::arbitrary<bool>()) {
      init_spec init;
      if (*rc::gen::arbitrary<bool>()) init.backup_source = backup_source{*d::gen_name(), *d::gen_name(), *d::gen_words(), value()};
      s.init = std::move(init);
    }

    const std::int32_t masters = master_count(s);
    bool any_positive = false;
    for (std::int32_t shard = 0; shard < masters; ++shard) {
      if (*rc::gen::inRange(0, 3) != 0) {
        any_positive = true;  // unlisted: weight 1
        continue;
      }
      const double w = static_cast<double>(*rc::gen::inRange(0, 17)) / 4.0;
      s.shard_weights[shard] = w;
      any_positive = any_positive || w > 0;
    }
    if (!any_positive) s.shard_weights[0] = 1.0;

    s.placement.spread_by = *rc::gen::element(spread_domain::none, spread_domain::host, spread_domain::zone,
                                              spread_domain::host_and_zone);
    s.placement.mode = *rc::gen::element(placement_mode::preferred, placement_mode::required);
    s.rebalance.threshold_percent = static_cast<double>(*rc::gen::inRange(0, 401)) / 4.0;
    s.rebalance.balance_by = *rc::gen::element(balance_metric::slots, balance_metric::keys);
    s.rebalance.use_empty_masters = *rc::gen::arbitrary<bool>();
    s.migration.max_concurrent_migrations = *rc::gen::inRange(1, 17);
    s.migration.max_migrations_per_node = *rc::gen::inRange(1, 5);
    s.migration.key_batch_size = *rc::gen::inRange(1, 1001);
    s.migration.migrate_timeout_ms = *rc::gen::inRange(1, 120001);
    s.migration.step_timeout_seconds = *rc::gen::inRange(1, 3601);
    s.migration.latency_budget_ms = static_cast<double>(*rc::gen::inRange(0, 201)) / 4.0;
    s.migration.max_keys_per_second = *rc::gen::inRange<std::int64_t>(0, 1000001);
    s.failover.allow_takeover = *rc::gen::arbitrary<bool>();
    s.failover.allow_data_loss = *rc::gen::arbitrary<bool>();
    s.unknown_fields = *gen_unknown_fields();
    return s;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<cluster_resource> gen_cluster_resource() {
  return rc::gen::exec([] {
    cluster_resource r;
    r.metadata.name = *detail::gen_name();
    if (*rc::gen::arbitrary<bool>()) r.metadata.namespace_ = *detail::gen_name();
    r.metadata.labels = *detail::gen_string_map("app.kubernetes.io/");
    r.metadata.annotations = *detail::gen_string_map();
    r.metadata.unknown_fields = *gen_unknown_fields();
    r.spec = *gen_cluster_spec();
    r.unknown_fields = *gen_unknown_fields();
    return r;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<broken_spec> gen_broken_cluster_spec() {
  return rc::gen::exec([] {
    broken_spec b{*gen_cluster_spec(), "", ""};
    auto& s = b.spec;
    const auto mark = [&b](std::string subject, const char* code) {
      b.subject = std::move(subject);
      b.code = code;
    };
    const std::int32_t masters = master_count(s);
    switch (*rc::gen::inRange(0, 17)) {
      case 0:
        s.master_size = *rc::gen::inRange(-5, 1);
        mark("spec.masterSize", spec_code::master_size_invalid);
        s.shard_weights.clear();  // they would also be out of range, which is not the point here
        break;
      case 1:
        s.cluster_replicas = *rc::gen::inRange(-5, 0);
        mark("spec.clusterReplicas", spec_code::cluster_replicas_invalid);
        break;
      case 2:
        if (!s.storage) s.storage = storage_spec{storage_ephemeral, "", "", false, value()};
        s.storage->type = *rc::gen::element<std::string>("", "pvc", "Ephemeral", "persistent");
        mark("spec.storage.type", spec_code::storage_type_invalid);
        break;
      case 3:
        if (!s.storage) s.storage = storage_spec{storage_persistent_claim, "", "", false, value()};
        s.storage->size = *rc::gen::element<std::string>("10GB", "ten", "1.2.3", "Gi", "1e", "--1", "5 Gi");
        mark("spec.storage.size", spec_code::quantity_invalid);
        break;
      case 4: {
        if (!s.resources) s.resources = resource_requirements{};
        const auto limit = *rc::gen::inRange(1, 64);
        s.resources->limits["memory"] = std::to_string(limit) + "Gi";
        s.resources->requests["memory"] = std::to_string(static_cast<std::int64_t>(limit) * 1024 + 1) + "Mi";
        mark("spec.resources.requests.memory", spec_code::requests_exceed_limits);
        break;
      }
      case 5:
        s.password_secret = local_object_reference{};
        mark("spec.passwordSecret.name", spec_code::secret_name_empty);
        break;
      case 6: {
        const auto shard = *rc::gen::inRange(0, masters);
        s.shard_weights[shard] = -static_cast<double>(*rc::gen::inRange(1, 10)) / 2.0;
        mark("spec.shardWeights[" + std::to_string(shard) + "]", spec_code::shard_weight_invalid);
        break;
      }
      case 7: {
        const auto shard = masters + *rc::gen::inRange(0, 5);
        s.shard_weights[shard] = 1.0;
        mark("spec.shardWeights[" + std::to_string(shard) + "]", spec_code::shard_weight_out_of_range);
        break;
      }
      case 8:
        s.shard_weights.clear();
        for (std::int32_t shard = 0; shard < masters; ++shard) s.shard_weights[shard] = 0.0;
        mark("spec.shardWeights", spec_code::shard_weights_all_zero);
        break;
      case 9:
        s.rebalance.threshold_percent = *rc::gen::element(-0.5, -50.0, 100.25, 1000.0);
        mark("spec.rebalance.thresholdPercent", spec_code::rebalance_threshold_invalid);
        break;
      case 10:
        if (*rc::gen::arbitrary<bool>()) {
          s.migration.max_concurrent_migrations = *rc::gen::inRange(-3, 1);
          mark("spec.migration.maxConcurrentMigrations", spec_code::migration_concurrency_invalid);
        } else {
          s.migration.max_migrations_per_node = *rc::gen::inRange(-3, 1);
          mark("spec.migration.maxMigrationsPerNode", spec_code::migration_concurrency_invalid);
        }
        break;
      case 11:
        s.migration.key_batch_size = *rc::gen::inRange(-3, 1);
        mark("spec.migration.keyBatchSize", spec_code::migration_batch_size_invalid);
        break;
      case 12: {
        const auto key = *rc::gen::element<std::string>("port", "Port", "cluster-enabled", "cluster-config-file",
                                                        "requirepass", "dir", "cluster-announce-ip");
        s.config[key] = *detail::gen_word();
        mark("spec.config." + key, spec_code::config_key_reserved);
        break;
      }
      case 13:
        if (!s.resources) s.resources = resource_requirements{};
        s.resources->limits["cpu"] = *rc::gen::element<std::string>("1 core", "two", "500M3", "0x10", "1.5.0");
        mark("spec.resources.limits.cpu", spec_code::quantity_invalid);
        break;
      case 14:
        if (!s.monitor) s.monitor = monitor_spec{};
        if (!s.monitor->prometheus) s.monitor->prometheus = prometheus_spec{};
        s.monitor->prometheus->port = *rc::gen::element(-1, 0, 65536, 100000);
        mark("spec.monitor.prometheus.port", spec_code::port_invalid);
        break;
      case 15:
        if (*rc::gen::arbitrary<bool>()) {
          if (!s.password_secret) s.password_secret = local_object_reference{*detail::gen_name(), value()};
          s.username = *rc::gen::element<std::string>("two words", "tab\tname", "new\nline", "del\x7f");
          mark("spec.username", spec_code::username_invalid);
        } else {
          s.password_secret.reset();
          s.username = *detail::gen_name();
          mark("spec.username", spec_code::username_without_password);
        }
        break;
      default:
        s.init = init_spec{backup_source{"", *detail::gen_name(), {}, value()}, value()};
        mark("spec.init.backupSource.name", spec_code::backup_source_name_empty);
        break;
    }
    return b;
  });
}

}  // namespace rcplan::testing
