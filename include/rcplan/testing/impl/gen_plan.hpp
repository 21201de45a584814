#pragma once

// What rcplan/testing/gen_plan.hpp declares, the plan, action and Kubernetes object
// generators: included by that header when header-only, compiled once into
// rcplan::testing_compiled otherwise (config.hpp).

#include <rcplan/config.hpp>
#include <rcplan/testing/impl/gen_model.hpp>
#include <rcplan/testing/impl/gen_spec.hpp>
#include <rcplan/testing/gen_plan.hpp>

#include <rapidcheck.h>

namespace rcplan::testing {

namespace detail {

/// Short text with quotes, backslashes, control characters and non-ASCII UTF-8: everything a
/// serialiser must escape, and nothing (invalid UTF-8) that JSON cannot carry.
[[nodiscard]] inline rc::Gen<std::string> gen_text() {
  const auto piece = rc::gen::weightedOneOf<std::string>({
      {8, rc::gen::map(rc::gen::inRange<int>(0x20, 0x7f), [](int c) { return std::string(1, static_cast<char>(c)); })},
      {1, rc::gen::element<std::string>("\"", "\\", "\n", "\t", std::string(1, '\x01'), "é", "→", "🙂")},
  });
  return rc::gen::map(rc::gen::container<std::vector<std::string>>(piece), [](const std::vector<std::string>& parts) {
    std::string s;
    for (const std::string& p : parts) s += p;
    return s;
  });
}

/// A node id or, for a node a plan creates, the pod name it is known by until it has an id.
[[nodiscard]] inline rc::Gen<node_id> gen_action_node() {
  return rc::gen::weightedOneOf<node_id>({
      {4, gen_node_id()},
      {1, rc::gen::map(rc::gen::inRange<int>(0, 20), [](int i) { return node_id{"drc-example-" + std::to_string(i) + "-0"}; })},
  });
}

[[nodiscard]] inline rc::Gen<std::string> gen_object_name() {
  return rc::gen::map(rc::gen::pair(rc::gen::element<std::string>("drc-example", "drc-cache", "redis"),
                                    rc::gen::inRange<int>(0, 12)),
                      [](const std::pair<std::string, int>& p) { return p.first + "-" + std::to_string(p.second); });
}

template <typename T>
[[nodiscard]] rc::Gen<action> as_action(rc::Gen<T> g) {
  return rc::gen::map(std::move(g), [](T a) { return action{std::move(a)}; });
}

}  // namespace detail

RCPLAN_TESTING_ENTRY rc::Gen<kube_resources> gen_kube_resources() {
  return rc::gen::exec([] {
    kube_resources r;
    r.requests = *detail::gen_string_map();
    r.limits = *detail::gen_string_map();
    return r;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<statefulset_description> gen_statefulset_description() {
  return rc::gen::exec([] {
    statefulset_description s;
    s.cluster = *detail::gen_name();
    s.shard_index = *rc::gen::inRange(0, 10);
    s.name = "drc-" + s.cluster + "-" + std::to_string(s.shard_index);
    s.replicas = *rc::gen::inRange(1, 5);
    s.service_name = s.name;
    s.image = *rc::gen::element<std::string>("redis:7.0", "redis:6.2.14", "redis:5.0.4-alpine");
    s.image_pull_policy = *rc::gen::element<std::string>("", "Always", "IfNotPresent");
    s.image_pull_secrets = *rc::gen::container<std::vector<std::string>>(detail::gen_name());
    s.command = *detail::gen_words();
    s.env = *gen_value();
    s.resources = *gen_kube_resources();
    s.storage.type = *rc::gen::element<std::string>("persistent-claim", "ephemeral");
    s.storage.size = *rc::gen::element<std::string>("", "1Gi", "10Gi");
    s.storage.class_name = *rc::gen::element<std::string>("", "standard", "fast");
    s.storage.delete_claim = *rc::gen::arbitrary<bool>();
    s.affinity = *gen_object();
    s.tolerations = *gen_value();
    s.node_selector = *detail::gen_string_map();
    s.labels = *detail::gen_string_map();
    s.annotations = *detail::gen_string_map();
    s.annotations[config_hash_annotation] = *rc::gen::container<std::string>(16, detail::gen_hex_digit());
    s.security_context = *gen_value();
    s.container_security_context = *gen_value();
    s.password_secret = *rc::gen::element<std::string>("", "redis-password");
    if (*rc::gen::arbitrary<bool>()) {
      monitor_description m;
      m.image = "oliver006/redis_exporter";
      m.args = *detail::gen_words();
      m.env = *gen_value();
      m.resources = *gen_kube_resources();
      m.security_context = *gen_value();
      m.port = *rc::gen::inRange(1, 65536);
      s.monitor = std::move(m);
    }
    s.update_strategy = *rc::gen::element<std::string>(update_strategy_on_delete, "RollingUpdate");
    s.config_map = "redis-cluster-" + s.cluster;
    return s;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<service_description> gen_service_description() {
  return rc::gen::exec([] {
    service_description s;
    s.cluster = *detail::gen_name();
    s.shard_index = *rc::gen::inRange(-1, 10);
    s.name = s.shard_index < 0 ? s.cluster : "drc-" + s.cluster + "-" + std::to_string(s.shard_index);
    s.headless = *rc::gen::arbitrary<bool>();
    s.ports.push_back({"client", redis_client_port});
    if (s.headless) s.ports.push_back({"gossip", redis_bus_port});
    s.selector = *detail::gen_string_map();
    s.labels = *detail::gen_string_map();
    return s;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<pdb_description> gen_pdb_description() {
  return rc::gen::exec([] {
    pdb_description p;
    p.cluster = *detail::gen_name();
    p.shard_index = *rc::gen::inRange(0, 10);
    p.name = "drc-" + p.cluster + "-" + std::to_string(p.shard_index);
    p.max_unavailable = *rc::gen::inRange(0, 3);
    p.selector = *detail::gen_string_map();
    p.labels = *detail::gen_string_map();
    return p;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<configmap_description> gen_configmap_description() {
  return rc::gen::exec([] {
    configmap_description c;
    c.cluster = *detail::gen_name();
    c.name = "redis-cluster-" + c.cluster;
    c.data[redis_conf_key] = *detail::gen_text();
    c.labels = *detail::gen_string_map();
    return c;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<cluster_status> gen_cluster_status() {
  return rc::gen::exec([] {
    cluster_status s;
    s.status = *rc::gen::element<std::string>(status_healthy, status_failed, status_creating, status_scaling,
                                              status_calculating_rebalancing, status_rebalancing,
                                              status_rolling_update, status_reset_password);
    s.reason = *detail::gen_text();
    s.number_of_master = *rc::gen::inRange(0, 11);
    s.min_replication_factor = *rc::gen::inRange(0, 4);
    s.max_replication_factor = *rc::gen::inRange(s.min_replication_factor, 4);
    const auto n = *rc::gen::inRange(0, 5);
    for (int i = 0; i < n; ++i) {
      status_node node;
      node.id = (*gen_node_id()).value;
      node.role = *rc::gen::element<std::string>("Master", "Slave");
      node.ip = *detail::gen_ipv4();
      node.port = "6379";
      node.slots = node.role == "Master" ? *rc::gen::element<std::string>("", "0-5460", "0-10,12,100-200") : "";
      node.pod_name = "drc-example-" + std::to_string(i) + "-0";
      node.node_name = *detail::gen_name();
      node.statefulset = "drc-example-" + std::to_string(i);
      s.nodes.push_back(std::move(node));
    }
    if (*rc::gen::arbitrary<bool>())
      s.restore = restore_status{*rc::gen::element<std::string>(phase_running, phase_succeeded, phase_failed),
                                 *detail::gen_name() + "/" + *detail::gen_name()};
    return s;
  });
}

RCPLAN_TESTING_ENTRY rc::Gen<action> gen_action() {
  using detail::as_action;
  using detail::gen_action_node;
  using detail::gen_object_name;
  using detail::gen_text;
  const auto small_int = rc::gen::inRange<int>(-1, 10);
  return rc::gen::oneOf(
      as_action(rc::gen::construct<meet>(gen_action_node(), gen_address(), gen_action_node())),
      as_action(rc::gen::construct<add_slots>(gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_config_epoch>(gen_action_node(), rc::gen::arbitrary<std::uint64_t>())),
      as_action(rc::gen::construct<replicate>(gen_action_node(), gen_action_node())),
      as_action(rc::gen::construct<migrate_slots>(gen_action_node(), gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_slot_stable>(gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<set_slot_node>(gen_action_node(), gen_action_node(), gen_slot_set())),
      as_action(rc::gen::construct<failover>(
          gen_action_node(), rc::gen::element(failover_mode::default_mode, failover_mode::force, failover_mode::takeover))),
      as_action(rc::gen::construct<forget>(gen_action_node())),
      as_action(rc::gen::construct<reset>(gen_action_node(), rc::gen::element(reset_mode::soft, reset_mode::hard))),
      as_action(rc::gen::exec([] {
        config_set c;
        c.node = *detail::gen_action_node();
        c.parameter = *rc::gen::element<std::string>("maxmemory", "masterauth", "requirepass", "cluster-node-timeout");
        c.secret = *rc::gen::arbitrary<bool>();
        c.value = c.secret ? std::string(secret_placeholder) : *detail::gen_text();
        return c;
      })),
      as_action(rc::gen::construct<wait_until>(
          rc::gen::element(wait_condition::views_agree, wait_condition::replica_synced, wait_condition::node_known,
                           wait_condition::pods_ready, wait_condition::node_reachable, wait_condition::failover_done),
          gen_text(), rc::gen::arbitrary<std::uint32_t>())),
      as_action(rc::gen::construct<apply_statefulset>(gen_statefulset_description())),
      as_action(rc::gen::construct<apply_service>(gen_service_description())),
      as_action(rc::gen::construct<apply_pdb>(gen_pdb_description())),
      as_action(rc::gen::construct<apply_configmap>(gen_configmap_description())),
      as_action(rc::gen::construct<scale_statefulset>(gen_object_name(), small_int)),
      as_action(rc::gen::construct<delete_pod>(gen_object_name())),
      as_action(rc::gen::construct<delete_statefulset>(gen_object_name())),
      as_action(rc::gen::construct<delete_pvc>(gen_object_name())),
      as_action(rc::gen::construct<update_status>(gen_cluster_status())));
}

RCPLAN_TESTING_ENTRY rc::Gen<diagnostic> gen_diagnostic() {
  return rc::gen::construct<diagnostic>(
      rc::gen::element(severity::info, severity::warning, severity::error),
      rc::gen::element<std::string>("slots.uncovered", "views.disagree", "spec.invalid"),
      rc::gen::weightedOneOf<std::string>({{1, rc::gen::just(std::string{})}, {2, detail::gen_text()}}),
      detail::gen_text());
}

RCPLAN_TESTING_ENTRY rc::Gen<plan> gen_plan() {
  return rc::gen::exec([] {
    plan p;
    p.status = *rc::gen::element(plan_status::converged, plan_status::actions_planned, plan_status::waiting,
                                 plan_status::blocked);
    p.diagnostics = *rc::gen::container<std::vector<diagnostic>>(gen_diagnostic());
    int wave = 0;
    for (const action& a : *rc::gen::container<std::vector<action>>(gen_action())) {
      wave += *rc::gen::weightedElement<int>({{2, 0}, {1, 1}});
      p.steps.push_back(step{wave, *detail::gen_text(), a});
    }
    p.summary.slots_moved = *rc::gen::inRange<std::size_t>(0, slot_count + 1);
    p.summary.lower_bound = *rc::gen::inRange<std::size_t>(0, p.summary.slots_moved + 1);
    for (const node_id& id : *rc::gen::container<std::set<node_id>>(gen_node_id()))
      p.summary.ranges_after.push_back({id, *rc::gen::inRange<std::size_t>(0, 40)});
    return p;
  });
}

}  // namespace rcplan::testing
